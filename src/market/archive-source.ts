/**
 * Where kline archives come from: a local folder (e.g. ../shared/data/binance-archive/2026-02, or a
 * mirror of the data site) or the public data site over HTTP. Both verify a `.CHECKSUM` (sha256) and
 * hand back the raw zip too, because the lake keeps raw archives under `raw/`.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Alpha15Error } from '../errors.js';
import { DAY_MS } from '../time.js';
import {
  archiveFileName,
  parseArchiveFileName,
  parseChecksumFile,
  periodRangeMs,
  readKlineArchiveAsync,
  type ArchiveFileInfo,
  type ArchivePeriod,
} from './archive.js';
import { sha256Hex } from '../checksum.js';
import { backoffDelayMs, defaultSleep } from '../retry.js';
import { ArchiveChecksumError, ArchiveNotFoundError } from './errors.js';
import type { KlineColumns } from './kline.js';

export interface ArchiveEntry extends ArchiveFileInfo {
  fileName: string;
}

export interface ArchiveFile extends ArchiveEntry {
  columns: KlineColumns;
  rawZip: Uint8Array;
  sha256: string;
  /** Whether a published `.CHECKSUM` was found and matched. */
  checksumVerified: boolean;
}

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

export interface ArchiveSource {
  /** The folder or URL, for messages. */
  readonly location: string;
  /** Archives for the symbol, oldest first; a range keeps those overlapping [fromMs, toMs). */
  list(symbol: string, range?: TimeRange): Promise<ArchiveEntry[]>;
  read(symbol: string, period: ArchivePeriod): Promise<ArchiveFile>;
}

/**
 * The fewest archives that cover [fromMs, toMs): monthly files for whole months, daily files for the
 * partial months at either end (the data site publishes a month's file only after it ends).
 */
export function periodsCovering({ fromMs, toMs }: TimeRange): ArchivePeriod[] {
  const periods: ArchivePeriod[] = [];
  let dayStartMs = Math.floor(fromMs / DAY_MS) * DAY_MS;
  while (dayStartMs < toMs) {
    const day = new Date(dayStartMs);
    const monthStartMs = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1);
    const monthEndMs = Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 1);
    if (dayStartMs === monthStartMs && monthEndMs <= toMs) {
      periods.push(day.toISOString().slice(0, 7));
      dayStartMs = monthEndMs;
    } else {
      periods.push(day.toISOString().slice(0, 10));
      dayStartMs += DAY_MS;
    }
  }
  return periods;
}

function overlaps(period: ArchivePeriod, range: TimeRange | undefined): boolean {
  if (!range) return true;
  const { startMs, endMs } = periodRangeMs(period);
  return startMs < range.toMs && endMs > range.fromMs;
}

function byPeriod(a: ArchiveEntry, b: ArchiveEntry): number {
  return (
    periodRangeMs(a.period).startMs - periodRangeMs(b.period).startMs || a.period.length - b.period.length
  );
}

function entryFor(symbol: string, period: ArchivePeriod): ArchiveEntry {
  const fileName = archiveFileName(symbol, period);
  return { ...parseArchiveFileName(fileName)!, fileName };
}

/** Parses the zip after checking it against its `.CHECKSUM` text, when there is one. */
async function decodeArchive(
  entry: ArchiveEntry,
  rawZip: Uint8Array,
  checksumText: string | undefined,
): Promise<ArchiveFile> {
  const sha256 = sha256Hex(rawZip);
  let checksumVerified = false;
  if (checksumText !== undefined) {
    const published = parseChecksumFile(checksumText);
    if (published.fileName !== entry.fileName) {
      throw new ArchiveChecksumError(
        `${entry.fileName} (its .CHECKSUM names ${published.fileName})`,
        published.sha256,
        sha256,
      );
    }
    if (published.sha256 !== sha256) throw new ArchiveChecksumError(entry.fileName, published.sha256, sha256);
    checksumVerified = true;
  }
  const columns = await readKlineArchiveAsync(entry.symbol, rawZip, { fileName: entry.fileName });
  return { ...entry, columns, rawZip, sha256, checksumVerified };
}

/** Archives anywhere below a folder (`<SYM>-1m-<period>.zip`, each optionally with `<zip>.CHECKSUM`). */
export class LocalArchiveSource implements ArchiveSource {
  private index: Promise<Map<string, string>> | undefined;

  constructor(readonly location: string) {}

  async list(symbol: string, range?: TimeRange): Promise<ArchiveEntry[]> {
    const entries: ArchiveEntry[] = [];
    for (const fileName of (await this.files()).keys()) {
      const info = parseArchiveFileName(fileName);
      if (info?.symbol === symbol && overlaps(info.period, range)) entries.push({ ...info, fileName });
    }
    return entries.sort(byPeriod);
  }

  /** Every symbol with at least one archive in the folder. */
  async symbols(): Promise<string[]> {
    const symbols = new Set<string>();
    for (const fileName of (await this.files()).keys()) {
      const info = parseArchiveFileName(fileName);
      if (info) symbols.add(info.symbol);
    }
    return [...symbols].sort();
  }

  async read(symbol: string, period: ArchivePeriod): Promise<ArchiveFile> {
    const entry = entryFor(symbol, period);
    const zipPath = (await this.files()).get(entry.fileName);
    if (!zipPath) {
      throw new ArchiveNotFoundError(
        path.join(this.location, entry.fileName),
        `put ${entry.fileName} (from data.binance.vision) below ${this.location}, or ingest from the Binance REST API`,
        { reason: 'missing-file', fileName: entry.fileName, folder: this.location },
      );
    }
    const checksumPath = `${zipPath}.CHECKSUM`;
    const checksumText = existsSync(checksumPath) ? await readFile(checksumPath, 'utf8') : undefined;
    const zip = await readFile(zipPath);
    // a plain Uint8Array view on the Buffer, not a copy (`new Uint8Array(buffer)` copies a megabyte a month)
    return decodeArchive(entry, new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength), checksumText);
  }

  private files(): Promise<Map<string, string>> {
    this.index ??= readdir(this.location, { recursive: true, withFileTypes: true }).then(
      (dirents) =>
        new Map(
          dirents
            .filter((dirent) => dirent.isFile() && parseArchiveFileName(dirent.name))
            .map((dirent) => [dirent.name, path.join(dirent.parentPath, dirent.name)] as const),
        ),
      (error: unknown) => {
        throw new ArchiveNotFoundError(
          this.location,
          `the archive folder cannot be read (${(error as Error).message})`,
          { reason: 'unreadable-folder', folder: this.location },
        );
      },
    );
    return this.index;
  }
}

export interface HttpArchiveSourceOptions {
  /** e.g. https://data.binance.vision */
  baseUrl: string;
  timeoutMs?: number;
  maxRetries?: number;
  backoffBaseMs?: number;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Told of every retried download: the run's own record of how the site answered under load. */
  onRetry?: (retry: ArchiveRetry) => void;
}

export interface ArchiveRetry {
  url: string;
  /** 0 for the first retry. */
  attempt: number;
  /** HTTP status that caused the retry; undefined for a network error or timeout. */
  status?: number;
  /** 429, or 503 (how CloudFront sheds load): the site asked us to slow down. */
  throttled: boolean;
}

export class ArchiveDownloadError extends Alpha15Error {
  readonly code = 'ARCHIVE_DOWNLOAD';
}

/**
 * The public data site: `<base>/data/spot/monthly/klines/<SYM>/1m/<SYM>-1m-<YYYY-MM>.zip` and
 * `.../daily/...`, each next to a `.CHECKSUM` that must match. The site has no cheap listing, so
 * `list` plans the periods covering a range and `read` reports a missing one as ArchiveNotFoundError.
 */
export class HttpArchiveSource implements ArchiveSource {
  readonly location: string;
  private readonly options: Required<Omit<HttpArchiveSourceOptions, 'baseUrl' | 'onRetry'>>;
  private readonly onRetry: HttpArchiveSourceOptions['onRetry'];

  constructor(options: HttpArchiveSourceOptions) {
    this.location = options.baseUrl.replace(/\/+$/, '');
    this.options = {
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 4,
      backoffBaseMs: options.backoffBaseMs ?? 500,
      fetchImpl: options.fetchImpl ?? fetch,
      sleep: options.sleep ?? defaultSleep,
    };
    this.onRetry = options.onRetry;
  }

  async list(symbol: string, range?: TimeRange): Promise<ArchiveEntry[]> {
    if (!range) {
      throw new ArchiveDownloadError(
        `cannot list archives on ${this.location} without a time range`,
        'give a date range: the data site is read period by period',
        { data: { reason: 'no-range' } },
      );
    }
    return periodsCovering(range).map((period) => entryFor(symbol, period));
  }

  async read(symbol: string, period: ArchivePeriod): Promise<ArchiveFile> {
    const entry = entryFor(symbol, period);
    const url = this.urlOf(entry);
    const rawZip = await this.download(url);
    const checksum = await this.download(`${url}.CHECKSUM`);
    return decodeArchive(entry, rawZip, new TextDecoder().decode(checksum));
  }

  urlOf(entry: ArchiveEntry): string {
    return `${this.location}/data/spot/${entry.kind}/klines/${entry.symbol}/1m/${entry.fileName}`;
  }

  private async download(url: string): Promise<Uint8Array> {
    const { fetchImpl, timeoutMs, maxRetries, backoffBaseMs, sleep } = this.options;
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      let status: number | undefined;
      try {
        const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (response.status === 200) return new Uint8Array(await response.arrayBuffer());
        if (response.status === 404) {
          throw new ArchiveNotFoundError(
            url,
            'the data site has no such file yet: monthly files appear after the month ends, daily ones the next day',
            { reason: 'not-published', url },
          );
        }
        status = response.status;
        problem = `HTTP ${response.status}`;
        if (response.status < 500 && response.status !== 429)
          throw new ArchiveDownloadError(`${url}: ${problem}`, 'check the archive base URL');
      } catch (error) {
        if (error instanceof Alpha15Error) throw error;
        problem = error instanceof Error ? error.message : String(error);
      }
      if (attempt >= maxRetries) {
        throw new ArchiveDownloadError(
          `could not download ${url} after ${attempt + 1} attempts: ${problem}`,
          'check the network and binanceArchiveBaseUrl, then run again (ingest resumes where it stopped)',
        );
      }
      this.onRetry?.({ url, attempt, status, throttled: status === 429 || status === 503 });
      await sleep(backoffDelayMs(attempt, { baseMs: backoffBaseMs, maxMs: 30_000, jitter: 'full' }));
    }
  }
}

/** `http(s)://...` → the data site (or a mirror); anything else → a local folder. */
export function openArchiveSource(
  location: string,
  httpOptions: Omit<HttpArchiveSourceOptions, 'baseUrl'> = {},
): ArchiveSource {
  return /^https?:\/\//.test(location)
    ? new HttpArchiveSource({ ...httpOptions, baseUrl: location })
    : new LocalArchiveSource(path.resolve(location));
}

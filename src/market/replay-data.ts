/**
 * The data a replay server serves: every symbol's candles from a folder of archives or of captured
 * REST bodies (`<SYM>.json`, plus `<SYM>.<anything>.json` re-captures such as `SOLUSDT.retry.json`,
 * merged with the later capture winning), or candles already in memory (read from the lake).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Alpha15Error } from '../errors.js';
import { DAY_MS, MINUTE_MS } from '../time.js';
import { LocalArchiveSource } from './archive-source.js';
import { describeZodError, klinesBodySchema } from './binance-schema.js';
import { MalformedBinanceResponseError } from './errors.js';
import type { Kline, KlineColumns } from './kline.js';
import { concatColumns, klinesToColumns } from './kline-columns.js';

export type ReplaySourceSpec =
  | { kind: 'archives'; dir: string }
  | { kind: 'rest-snapshot'; dir: string }
  | { kind: 'columns'; columns: readonly KlineColumns[] };

export class ReplayDataError extends Alpha15Error {
  readonly code = 'REPLAY_DATA';
}

const SNAPSHOT_FILE = /^([A-Z0-9]+)(\.[\w-]+)?\.json$/;

/** A folder with zips anywhere below it is an archive folder; one with `<SYM>.json` files a REST snapshot. */
export async function detectReplaySource(dir: string): Promise<ReplaySourceSpec> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true })).map((name) => path.basename(name));
  } catch (error) {
    throw new ReplayDataError(
      `cannot read replay data folder ${dir}: ${(error as Error).message}`,
      'give a readable folder of archives or captured REST bodies',
      { data: { reason: 'unreadable', dir } },
    );
  }
  if (names.some((name) => /-1m-[\d-]+\.zip$/.test(name))) return { kind: 'archives', dir };
  if (names.some((name) => SNAPSHOT_FILE.test(name) && !name.startsWith('server-time')))
    return { kind: 'rest-snapshot', dir };
  throw new ReplayDataError(
    `${dir} holds neither kline archives (<SYM>-1m-<period>.zip) nor captured REST bodies (<SYM>.json)`,
    'use a folder such as ../shared/data/binance-archive/2026-02 or ../shared/data/binance-api-2021-12/snapshot-c',
    { data: { reason: 'unknown-layout', dir } },
  );
}

export async function loadReplayData(
  spec: ReplaySourceSpec,
  symbols?: readonly string[],
): Promise<Map<string, KlineColumns>> {
  const data =
    spec.kind === 'archives'
      ? await loadArchives(spec.dir, symbols)
      : spec.kind === 'rest-snapshot'
        ? await loadRestSnapshot(spec.dir, symbols)
        : new Map(
            spec.columns
              .filter(
                (columns) => columns.openTimeMs.length > 0 && (!symbols || symbols.includes(columns.symbol)),
              )
              .map((columns) => [columns.symbol, columns]),
          );
  if (data.size === 0) {
    throw new ReplayDataError(
      `no candles for ${symbols ? symbols.join(',') : 'any symbol'} in ${spec.kind === 'columns' ? 'the given candles' : spec.dir}`,
      'check the folder and the symbols',
      { data: { reason: 'no-candles' } },
    );
  }
  return data;
}

async function loadArchives(dir: string, wanted?: readonly string[]): Promise<Map<string, KlineColumns>> {
  const source = new LocalArchiveSource(dir);
  const data = new Map<string, KlineColumns>();
  for (const symbol of wanted ?? (await source.symbols())) {
    const parts: KlineColumns[] = [];
    for (const entry of await source.list(symbol))
      parts.push((await source.read(symbol, entry.period)).columns);
    if (parts.length > 0) data.set(symbol, concatColumns(symbol, parts));
  }
  return data;
}

async function loadRestSnapshot(dir: string, wanted?: readonly string[]): Promise<Map<string, KlineColumns>> {
  const bySymbol = new Map<string, string[]>();
  for (const name of (await readdir(dir)).sort()) {
    const symbol = SNAPSHOT_FILE.exec(name)?.[1];
    if (!symbol || name.startsWith('server-time') || (wanted && !wanted.includes(symbol))) continue;
    // "<SYM>.json" sorts before "<SYM>.retry.json", so re-captures come later and win
    bySymbol.set(symbol, [...(bySymbol.get(symbol) ?? []), name]);
  }
  const data = new Map<string, KlineColumns>();
  for (const [symbol, files] of bySymbol) {
    const klines: Kline[] = [];
    for (const file of files) {
      const parsed = klinesBodySchema.safeParse(JSON.parse(await readFile(path.join(dir, file), 'utf8')));
      if (!parsed.success)
        throw new MalformedBinanceResponseError(file, symbol, describeZodError(parsed.error));
      klines.push(...parsed.data);
    }
    data.set(symbol, klinesToColumns(symbol, klines));
  }
  return data;
}

/**
 * Where a replay starts by default: one model window (512 minutes) after the data starts, so the first
 * tick already sees a full window. Symbols whose data ended long before the others (a delisted pair)
 * do not pull the start back.
 */
/** The end of the data (the close of its last candle, exclusive), over every symbol. */
export function replayDataEndMs(data: ReadonlyMap<string, KlineColumns>): number {
  let lastMs = Number.NEGATIVE_INFINITY;
  for (const columns of data.values())
    if (columns.openTimeMs.length > 0)
      lastMs = Math.max(lastMs, columns.openTimeMs[columns.openTimeMs.length - 1]!);
  return lastMs + MINUTE_MS;
}

export function defaultReplayStartMs(data: ReadonlyMap<string, KlineColumns>, warmupMinutes = 512): number {
  const spans = [...data.values()]
    .filter((columns) => columns.openTimeMs.length > 0)
    .map((columns) => ({
      firstMs: columns.openTimeMs[0]!,
      lastMs: columns.openTimeMs[columns.openTimeMs.length - 1]!,
    }));
  const latestMs = Math.max(...spans.map((span) => span.lastMs));
  const live = spans.filter((span) => span.lastMs >= latestMs - DAY_MS);
  return Math.max(...live.map((span) => span.firstMs)) + warmupMinutes * MINUTE_MS;
}

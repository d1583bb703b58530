/** The typed errors of the market sources: each names the situation and says what to do about it. */
import { Alpha15Error, type ErrorData } from '../errors.js';
import { DEFAULT_BINANCE_BASE_URL } from '../config/defaults.js';

/** A Binance response with an error status that retrying did not (or could not) fix. */
export class BinanceHttpError extends Alpha15Error {
  readonly code = 'BINANCE_HTTP';
  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
    attempts: number,
  ) {
    super(
      `Binance answered HTTP ${status} for ${url}${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${body.slice(0, 200) || '(empty body)'}`,
      status >= 500
        ? 'Binance (or the configured base URL) is failing; retry later or point BINANCE_BASE_URL at a working endpoint'
        : 'the request was rejected; check the symbol, interval and time range',
      { data: { status, url, attempts } },
    );
  }
}

/**
 * HTTP 451: Binance serves no requests from where this runs (api.binance.com refuses US addresses, and
 * so every AWS region in the US). Retrying cannot help; another endpoint or region does.
 */
export class BinanceRegionRestrictedError extends Alpha15Error {
  readonly code = 'BINANCE_REGION_RESTRICTED';
  constructor(
    readonly url: string,
    readonly baseUrl: string,
  ) {
    super(
      `Binance refused ${url} with HTTP 451 (unavailable for legal reasons): ${baseUrl} serves no requests from this region (US addresses, including AWS's US regions)`,
      `set binanceBaseUrl (environment ALPHA15_BINANCE_BASE_URL; on AWS the CDK context alpha15:binanceBaseUrl) to ${DEFAULT_BINANCE_BASE_URL}, the market-data endpoint that serves these regions, or run where Binance serves`,
      {
        data: {
          status: 451,
          url,
          baseUrl,
          setting: 'binanceBaseUrl',
          suggestedBaseUrl: DEFAULT_BINANCE_BASE_URL,
        },
      },
    );
  }
}

export class BinanceRateLimitedError extends Alpha15Error {
  readonly code = 'BINANCE_RATE_LIMITED';
  constructor(
    readonly status: number,
    readonly url: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(
      `Binance rate limit (HTTP ${status}${status === 418 ? ', IP banned' : ''}) for ${url}; gave up` +
        (retryAfterMs !== undefined ? ` (Retry-After ${Math.round(retryAfterMs / 1000)} s)` : ''),
      'wait until the Retry-After period is over, lower the concurrency or the number of symbols; repeated 429s turn into 418 bans',
      { data: { status, url, retryAfterMs } },
    );
  }
}

export class BinanceTimeoutError extends Alpha15Error {
  readonly code = 'BINANCE_TIMEOUT';
  constructor(
    readonly url: string,
    timeoutMs: number,
    attempts: number,
  ) {
    super(
      `Binance did not answer ${url} within ${timeoutMs} ms (${attempts} attempts)`,
      'check the network and BINANCE_BASE_URL, or raise requestTimeoutMs in the config',
      { data: { url, timeoutMs, attempts } },
    );
  }
}

export class BinanceNetworkError extends Alpha15Error {
  readonly code = 'BINANCE_NETWORK';
  constructor(
    readonly url: string,
    attempts: number,
    cause: unknown,
  ) {
    super(
      `could not reach ${url} (${attempts} attempts): ${cause instanceof Error ? cause.message : String(cause)}`,
      'check the network connection and BINANCE_BASE_URL',
      { cause, data: { url, attempts } },
    );
  }
}

export class UnknownSymbolError extends Alpha15Error {
  readonly code = 'UNKNOWN_SYMBOL';
  constructor(readonly symbol: string) {
    super(
      `Binance does not know the symbol ${symbol} ("Invalid symbol.")`,
      'check the spelling (upper case, e.g. BTCUSDT) and that it is a spot pair (Binance lists them at /api/v3/exchangeInfo)',
      { data: { symbol } },
    );
  }
}

export class MalformedBinanceResponseError extends Alpha15Error {
  readonly code = 'MALFORMED_BINANCE_RESPONSE';
  constructor(
    readonly endpoint: string,
    readonly symbol: string | undefined,
    problem: string,
  ) {
    super(
      `malformed Binance response from ${endpoint}${symbol ? ` for ${symbol}` : ''}: ${problem}`,
      'the endpoint did not answer like Binance; check BINANCE_BASE_URL (a proxy or captive portal?) and retry',
      { data: { endpoint, symbol, problem } },
    );
  }
}

export class MalformedCsvRowError extends Alpha15Error {
  readonly code = 'MALFORMED_CSV_ROW';
  constructor(
    readonly source: string,
    readonly lineNumber: number,
    readonly content: string,
    problem: string,
  ) {
    super(
      `${source}, line ${lineNumber}: ${problem}: "${content.slice(0, 160)}"`,
      'the archive is damaged or not a Binance 1m kline CSV; download it again and verify its .CHECKSUM',
      { data: { source, lineNumber, problem } },
    );
  }
}

/** A kline with the right shape but content Binance never prints (see kline-rules.ts). */
export class InvalidKlineError extends Alpha15Error {
  readonly code = 'KLINE_INVALID';
  override readonly data: { source: string; location: string; field: string; problem: string };
  constructor(source: string, location: string, field: string, problem: string) {
    super(
      `${source}, ${location}, field ${field}: ${problem}`,
      'nothing of this file was stored; the file is damaged or not Binance data: fetch it again from the source',
    );
    this.data = { source, location, field, problem };
  }
}

/** The same minute twice in one file (or one fetch) with different values: which one is true is unknown. */
export class ConflictingDuplicateKlineError extends Alpha15Error {
  readonly code = 'KLINE_DUPLICATE_CONFLICT';
  override readonly data: {
    source: string;
    openTimeMs: number;
    field: string;
    first: number;
    second: number;
  };
  constructor(
    source: string,
    openTimeMs: number,
    where: string,
    field: string,
    first: number,
    second: number,
  ) {
    super(
      `${source}: the minute ${new Date(openTimeMs).toISOString()} appears twice with different ${field} (${first} then ${second}; ${where})`,
      'nothing of this file was stored; a Binance file holds each minute once: fetch it again from the source',
    );
    this.data = { source, openTimeMs, field, first, second };
  }
}

/** A file whose timestamps switch between milliseconds and microseconds part-way. */
export class MixedTimestampUnitsError extends Alpha15Error {
  readonly code = 'KLINE_MIXED_TIME_UNITS';
  override readonly data: { source: string; lineNumber: number; fileUnit: 'ms' | 'µs' };
  constructor(source: string, lineNumber: number, fileUnit: 'ms' | 'µs') {
    const other = fileUnit === 'ms' ? 'µs' : 'ms';
    super(
      `${source}, line ${lineNumber}: open time is in ${other} but the file's first row is in ${fileUnit}; one file has one timestamp unit`,
      'nothing of this file was stored; the file was assembled from pieces of different sources: fetch it again',
    );
    this.data = { source, lineNumber, fileUnit };
  }
}

/** An archive whose inside disagrees with its name (symbol, period) or with the symbol asked for. */
export class ArchiveMismatchError extends Alpha15Error {
  readonly code = 'ARCHIVE_MISMATCH';
  override readonly data: { fileName: string; problem: string };
  constructor(fileName: string, problem: string) {
    super(
      `${fileName}: ${problem}`,
      "nothing of this file was stored; a Binance archive <SYM>-1m-<period>.zip holds <SYM>-1m-<period>.csv with that period's rows: rename or re-download it",
    );
    this.data = { fileName, problem };
  }
}

/** An archive (or CSV) with no candle in it at all. */
export class EmptyArchiveError extends Alpha15Error {
  readonly code = 'ARCHIVE_EMPTY';
  override readonly data: { fileName: string };
  constructor(fileName: string) {
    super(
      `${fileName} holds no candles (empty or header only)`,
      'nothing was stored; the download is incomplete or the period had no trading: fetch it again or leave the period out',
    );
    this.data = { fileName };
  }
}

export class CorruptArchiveError extends Alpha15Error {
  readonly code = 'CORRUPT_ARCHIVE';
  constructor(
    readonly fileName: string,
    problem: string,
  ) {
    super(
      `${fileName} is not a readable kline archive: ${problem}`,
      'the zip is truncated or damaged; delete it and download it again',
      { data: { fileName, problem } },
    );
  }
}

/**
 * An archive's CSV larger than its period can be: a zip bomb, or not a 1m kline file. Inflating stops
 * as soon as the limit is passed, so nothing larger than the limit is ever held in memory.
 */
export class ArchiveTooLargeError extends Alpha15Error {
  readonly code = 'ARCHIVE_TOO_LARGE';
  override readonly data: { fileName: string; entry: string; limitBytes: number; declaredBytes: number };
  constructor(fileName: string, entry: string, limitBytes: number, declaredBytes: number) {
    super(
      `${fileName}: ${entry} inflates past ${limitBytes} bytes (its header declares ${declaredBytes}), more than its period's 1m rows can take; inflating stopped there`,
      'nothing of this file was stored; it is not a Binance kline archive (or is a zip bomb): fetch it again from the source',
    );
    this.data = { fileName, entry, limitBytes, declaredBytes };
  }
}

export class ArchiveChecksumError extends Alpha15Error {
  readonly code = 'ARCHIVE_CHECKSUM';
  constructor(
    readonly fileName: string,
    readonly expectedSha256: string,
    readonly actualSha256: string,
  ) {
    super(
      `${fileName} fails its checksum: expected sha256 ${expectedSha256}, got ${actualSha256}`,
      'the download is incomplete or altered; delete the zip and download it (and its .CHECKSUM) again',
      { data: { fileName, expectedSha256, actualSha256 } },
    );
  }
}

export class ArchiveNotFoundError extends Alpha15Error {
  readonly code = 'ARCHIVE_NOT_FOUND';
  constructor(
    readonly location: string,
    hint: string,
    data: ErrorData,
  ) {
    super(`no kline archive at ${location}`, hint, { data });
  }
}

export class StaleSymbolError extends Alpha15Error {
  readonly code = 'STALE_SYMBOL';
  constructor(
    readonly symbol: string,
    readonly lastOpenTimeMs: number | undefined,
    readonly ageMinutes: number,
    staleAfterMinutes: number,
  ) {
    super(
      lastOpenTimeMs === undefined
        ? `${symbol} has no candles at all`
        : `${symbol} is stale: its newest candle opened ${new Date(lastOpenTimeMs).toISOString()}, ${Math.round(ageMinutes)} minutes ago (limit ${staleAfterMinutes})`,
      'the pair may have stopped trading (check /api/v3/exchangeInfo) or the feed is lagging; drop it from the symbols or wait',
      { data: { symbol, lastOpenTimeMs, ageMinutes, staleAfterMinutes } },
    );
  }
}

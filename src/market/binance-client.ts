/**
 * A small, defensive client for Binance's public spot REST API (1-minute klines, server time, symbols,
 * best bid and ask).
 * Every body is validated with zod; transient failures are retried with exponential backoff and full
 * jitter; rate limits (429/418 + Retry-After, and the used-weight header) are honoured.
 */
import { splitUrlCredentials } from '../url-credentials.js';
import type { z } from 'zod';
import { MINUTE_MS } from '../time.js';
import { backoffDelayMs, defaultSleep } from '../retry.js';
import {
  binanceErrorBodySchema,
  bookTickerBodySchema,
  describeZodError,
  exchangeInfoBodySchema,
  INVALID_SYMBOL_CODE,
  klinesBodySchema,
  serverTimeBodySchema,
  type BookTicker,
  type ExchangeSymbol,
} from './binance-schema.js';
import {
  BinanceHttpError,
  BinanceNetworkError,
  BinanceRateLimitedError,
  BinanceRegionRestrictedError,
  BinanceTimeoutError,
  MalformedBinanceResponseError,
  UnknownSymbolError,
} from './errors.js';
import type { Kline, KlineColumns } from './kline.js';
import { concatColumns, klinesToColumns } from './kline-columns.js';

/** Binance's largest page for /api/v3/klines. */
export const MAX_KLINES_PER_REQUEST = 1000;
const USED_WEIGHT_HEADER = 'x-mbx-used-weight-1m';

export interface BinanceClientOptions {
  /** e.g. https://data-api.binance.vision (the default), or a replay server's URL. */
  baseUrl: string;
  timeoutMs?: number;
  /** Retries after the first attempt for 5xx, 429/418, network errors and timeouts. */
  maxRetries?: number;
  /** First backoff ceiling; attempt n waits a uniform random time in [0, base * 2^n) ("full jitter"). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A Retry-After longer than this is not waited out: the request fails with BinanceRateLimitedError. */
  maxRetryAfterMs?: number;
  /** Binance's request weight limit per IP and minute. */
  weightLimitPerMinute?: number;
  /** Share of the weight limit at which requests pause until the next minute. */
  weightPauseFraction?: number;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Local clock, used only to find the next minute boundary for the weight pause. */
  nowMs?: () => number;
}

export interface KlinesQuery {
  startTimeMs?: number;
  endTimeMs?: number;
  limit?: number;
}

export type SymbolKlines =
  { symbol: string; ok: true; columns: KlineColumns } | { symbol: string; ok: false; error: Error };

type Outcome<T> = { done: true; value: T } | { done: false; retryAfterMs?: number; failure: () => Error };

export class BinanceClient {
  /** Without any user:password, which travels in the Authorization header instead. */
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly weightPauseAt: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly nowMs: () => number;
  /** The last used weight Binance reported, and the minute it was reported in. */
  private usedWeight = 0;
  private usedWeightMinuteMs = 0;

  constructor(options: BinanceClientOptions) {
    const { url, authorization } = splitUrlCredentials(options.baseUrl);
    this.baseUrl = url.replace(/\/+$/, '');
    this.headers = authorization ? { authorization } : {};
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRetries = options.maxRetries ?? 5;
    this.backoffBaseMs = options.backoffBaseMs ?? 250;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 5 * MINUTE_MS;
    this.weightPauseAt = (options.weightLimitPerMinute ?? 6000) * (options.weightPauseFraction ?? 0.9);
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** The weight Binance last reported as used in the current minute (0 once that minute is over). */
  get usedWeightThisMinute(): number {
    return this.currentMinuteMs() === this.usedWeightMinuteMs ? this.usedWeight : 0;
  }

  async serverTimeMs(): Promise<number> {
    const body = await this.get('/api/v3/time', {}, serverTimeBodySchema);
    return body.serverTime;
  }

  async exchangeSymbols(): Promise<ExchangeSymbol[]> {
    const body = await this.get('/api/v3/exchangeInfo', {}, exchangeInfoBodySchema);
    return body.symbols;
  }

  /** The best bid and ask now (weight 2), with the same retries as every request; a quote for another symbol is malformed. */
  async bookTicker(symbol: string): Promise<BookTicker> {
    const book = await this.get('/api/v3/ticker/bookTicker', { symbol }, bookTickerBodySchema, symbol);
    if (book.symbol !== symbol) {
      throw new MalformedBinanceResponseError(
        '/api/v3/ticker/bookTicker',
        symbol,
        `the quote is for ${JSON.stringify(book.symbol)}`,
      );
    }
    return book;
  }

  /** One page of 1-minute klines. Binance filters on open time: startTime <= openTime <= endTime. */
  async klines(symbol: string, query: KlinesQuery = {}): Promise<Kline[]> {
    const params: Record<string, string> = { symbol, interval: '1m' };
    if (query.startTimeMs !== undefined) params.startTime = String(query.startTimeMs);
    if (query.endTimeMs !== undefined) params.endTime = String(query.endTimeMs);
    if (query.limit !== undefined) params.limit = String(query.limit);
    return this.get('/api/v3/klines', params, klinesBodySchema, symbol);
  }

  /**
   * Every closed candle with fromMs <= openTime < toMs, paginating forward by 1000. When the range
   * reaches the present, the candle still forming (Binance returns it) is dropped by asking the
   * server's clock once.
   */
  async klinesRange(
    symbol: string,
    fromMs: number,
    toMs: number,
    onProgress?: (fetchedRows: number, expectedRows: number) => void,
  ): Promise<KlineColumns> {
    return klinesToColumns(symbol, await this.closedKlinesInRange(symbol, fromMs, toMs, onProgress));
  }

  /** `klinesRange` as the klines Binance sent (for raw/, which keeps them in Binance's format). */
  async closedKlinesInRange(
    symbol: string,
    fromMs: number,
    toMs: number,
    onProgress?: (fetchedRows: number, expectedRows: number) => void,
  ): Promise<Kline[]> {
    const expectedRows = Math.max(0, Math.ceil((toMs - fromMs) / MINUTE_MS));
    const pages: Kline[][] = [];
    let fetchedRows = 0;
    let startTimeMs = fromMs;
    while (startTimeMs < toMs) {
      const page = await this.klines(symbol, {
        startTimeMs,
        endTimeMs: toMs - 1,
        limit: MAX_KLINES_PER_REQUEST,
      });
      if (page.length === 0) break;
      pages.push(page);
      fetchedRows += page.length;
      onProgress?.(fetchedRows, expectedRows);
      if (page.length < MAX_KLINES_PER_REQUEST) break;
      startTimeMs = page[page.length - 1]!.openTimeMs + MINUTE_MS;
    }
    let klines = pages.flat();
    const last = klines[klines.length - 1];
    if (last && last.closeTimeMs >= this.nowMs() - MINUTE_MS) {
      const serverNowMs = await this.serverTimeMs();
      klines = klines.filter((kline) => kline.closeTimeMs < serverNowMs);
    }
    return klines;
  }

  /**
   * The newest `count` candles that closed before nowMs (fewer if the pair has less history).
   * Binance includes the still-forming candle in its answers, so the request ends at the last minute
   * that can have closed, and any candle closing at or after nowMs is dropped anyway.
   */
  async latestClosedKlines(symbol: string, count: number, nowMs: number): Promise<KlineColumns> {
    const pages: KlineColumns[] = [];
    let remaining = count;
    // a candle [open, open + 59 999] has closed before nowMs iff open <= nowMs - 60 000
    let endTimeMs = nowMs - MINUTE_MS;
    while (remaining > 0) {
      const limit = Math.min(remaining, MAX_KLINES_PER_REQUEST);
      const page = (await this.klines(symbol, { endTimeMs, limit })).filter(
        (kline) => kline.closeTimeMs < nowMs,
      );
      if (page.length === 0) break;
      pages.unshift(klinesToColumns(symbol, page));
      remaining -= page.length;
      if (page.length < limit) break;
      endTimeMs = page[0]!.openTimeMs - 1;
    }
    return concatColumns(symbol, pages);
  }

  /**
   * `latestClosedKlines` for many symbols, `concurrency` requests at a time (the used-weight pause is
   * shared, so together they stay within the limit). One symbol failing does not fail the others.
   */
  async latestClosedKlinesForSymbols(
    symbols: readonly string[],
    count: number,
    nowMs: number,
    { concurrency = 4 }: { concurrency?: number } = {},
  ): Promise<SymbolKlines[]> {
    const results: SymbolKlines[] = new Array(symbols.length);
    let next = 0;
    const worker = async () => {
      while (next < symbols.length) {
        const index = next++;
        const symbol = symbols[index]!;
        try {
          results[index] = { symbol, ok: true, columns: await this.latestClosedKlines(symbol, count, nowMs) };
        } catch (error) {
          results[index] = {
            symbol,
            ok: false,
            error: error instanceof Error ? error : new Error(String(error)),
          };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, symbols.length)) }, worker));
    return results;
  }

  private async get<S extends z.ZodType>(
    path: string,
    params: Record<string, string>,
    schema: S,
    symbol?: string,
  ): Promise<z.output<S>> {
    const url = `${this.baseUrl}${path}${Object.keys(params).length > 0 ? `?${new URLSearchParams(params)}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      await this.waitForWeight();
      const outcome = await this.attempt(url, path, schema, symbol, attempt + 1);
      if (outcome.done) return outcome.value;
      if (attempt >= this.maxRetries) throw outcome.failure();
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.maxRetryAfterMs)
        throw outcome.failure();
      await this.sleep(
        outcome.retryAfterMs ??
          backoffDelayMs(
            attempt,
            { baseMs: this.backoffBaseMs, maxMs: this.backoffMaxMs, jitter: 'full' },
            this.random,
          ),
      );
    }
  }

  private async attempt<S extends z.ZodType>(
    url: string,
    path: string,
    schema: S,
    symbol: string | undefined,
    attempts: number,
  ): Promise<Outcome<z.output<S>>> {
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      const response = await this.fetchImpl(url, {
        headers: this.headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      headers = response.headers;
      text = await response.text();
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return {
        done: false,
        failure: () =>
          timedOut
            ? new BinanceTimeoutError(url, this.timeoutMs, attempts)
            : new BinanceNetworkError(url, attempts, error),
      };
    }
    this.recordWeight(headers.get(USED_WEIGHT_HEADER));

    if (status === 429 || status === 418) {
      const retryAfterMs = parseRetryAfterMs(headers.get('retry-after'));
      return {
        done: false,
        retryAfterMs,
        failure: () => new BinanceRateLimitedError(status, url, retryAfterMs),
      };
    }
    if (status >= 500)
      return { done: false, failure: () => new BinanceHttpError(status, url, text, attempts) };
    if (status === 451) throw new BinanceRegionRestrictedError(url, this.baseUrl);
    if (status !== 200) {
      const errorBody = safeJson(text);
      const parsedError = binanceErrorBodySchema.safeParse(errorBody);
      if (parsedError.success && parsedError.data.code === INVALID_SYMBOL_CODE && symbol) {
        throw new UnknownSymbolError(symbol);
      }
      throw new BinanceHttpError(status, url, text, attempts);
    }

    const json = safeJson(text);
    if (json === undefined) {
      throw new MalformedBinanceResponseError(path, symbol, `not JSON: ${JSON.stringify(text.slice(0, 80))}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new MalformedBinanceResponseError(path, symbol, describeZodError(parsed.error));
    return { done: true, value: parsed.data };
  }

  private currentMinuteMs(): number {
    return Math.floor(this.nowMs() / MINUTE_MS) * MINUTE_MS;
  }

  private recordWeight(header: string | null): void {
    const weight = header === null ? Number.NaN : Number(header);
    if (!Number.isFinite(weight)) return;
    this.usedWeight = weight;
    this.usedWeightMinuteMs = this.currentMinuteMs();
  }

  /** Binance's weight window is the calendar minute: near the limit, wait for the next one to start. */
  private async waitForWeight(): Promise<void> {
    if (this.usedWeightThisMinute < this.weightPauseAt) return;
    const waitMs = this.usedWeightMinuteMs + MINUTE_MS - this.nowMs() + 500;
    if (waitMs > 0) await this.sleep(waitMs);
    this.usedWeight = 0;
  }
}

/** Retry-After in seconds (Binance's form) or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const dateMs = Date.parse(header);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - Date.now());
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

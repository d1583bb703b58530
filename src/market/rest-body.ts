/**
 * A REST kline fetch as the lake keeps it in raw/: the closed candles of the range in Binance's own
 * body format (an array of 12-field klines, numbers as strings), named by the first and last open
 * minute, `<SYM>-1m-rest-<YYYYMMDDTHHmm>-<YYYYMMDDTHHmm>.json`. Read back through the same schema
 * the live responses pass, so a stored body is checked exactly as the response was.
 */
import { describeZodError, klinesBodySchema, klineToRaw } from './binance-schema.js';
import { CorruptArchiveError } from './errors.js';
import type { Kline, KlineColumns } from './kline.js';
import { klinesToColumns } from './kline-columns.js';
import { MINUTE_MS } from '../time.js';

const REST_NAME = /^([A-Z0-9]+)-1m-rest-(\d{8}T\d{4})-(\d{8}T\d{4})\.json$/;

export function restBodyFileName(symbol: string, firstOpenMs: number, lastOpenMs: number): string {
  const compact = (timeMs: number) => new Date(timeMs).toISOString().slice(0, 16).replace(/[-:]/g, '');
  return `${symbol}-1m-rest-${compact(firstOpenMs)}-${compact(lastOpenMs)}.json`;
}

/** The symbol and the open times [startMs, endMs) a REST body's name covers; undefined for other names. */
export function parseRestBodyFileName(
  fileName: string,
): { symbol: string; startMs: number; endMs: number } | undefined {
  const match = REST_NAME.exec(fileName);
  if (!match) return undefined;
  const parse = (compact: string) =>
    Date.parse(
      `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}T${compact.slice(9, 11)}:${compact.slice(11, 13)}:00Z`,
    );
  return { symbol: match[1]!, startMs: parse(match[2]!), endMs: parse(match[3]!) + MINUTE_MS };
}

export function restBodyBytes(klines: readonly Kline[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(klines.map(klineToRaw)));
}

export function readRestBody(symbol: string, bytes: Uint8Array, fileName: string): KlineColumns {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new CorruptArchiveError(fileName, 'the REST body is not JSON');
  }
  const parsed = klinesBodySchema.safeParse(body);
  if (!parsed.success) throw new CorruptArchiveError(fileName, describeZodError(parsed.error));
  return klinesToColumns(symbol, parsed.data);
}

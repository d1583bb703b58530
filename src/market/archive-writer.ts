/**
 * Writes klines in the public data site's archive format: `<SYM>-1m-<period>.zip` holding one CSV of
 * the same name with Binance's 12 fields, and a `.CHECKSUM` beside it (`<sha256>  <zip name>`). The
 * synthetic market goes through it, so synthetic and real archives take the same path into the lake.
 */
import { strToU8, zipSync } from 'fflate';
import { MINUTE_MS } from '../time.js';
import { archiveFileName, periodRangeMs, type ArchivePeriod } from './archive.js';
import { sha256Hex } from '../checksum.js';
import type { KlineColumns } from './kline.js';
import { formatDecimal, lowerBound } from './kline-columns.js';

/** The header the data site's recent files carry (older files have none; both parse). */
export const ARCHIVE_CSV_HEADER =
  'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';

export interface ArchiveZip {
  fileName: string;
  zipBytes: Uint8Array;
  /** The `.CHECKSUM` file's text, stored as `<fileName>.CHECKSUM`. */
  checksumText: string;
  rows: number;
}

export interface ArchiveWriteOptions {
  /** Write the header row (default true, like the shared month). */
  header?: boolean;
}

/** The candles of `columns` that open within `period`, as one archive. */
export function writeArchiveZip(
  columns: KlineColumns,
  period: ArchivePeriod,
  options: ArchiveWriteOptions = {},
): ArchiveZip {
  const fileName = archiveFileName(columns.symbol, period);
  const { startMs, endMs } = periodRangeMs(period);
  const first = lowerBound(columns.openTimeMs, startMs);
  const last = lowerBound(columns.openTimeMs, endMs);
  const lines: string[] = options.header === false ? [] : [ARCHIVE_CSV_HEADER];
  for (let row = first; row < last; row++) {
    const openTimeMs = columns.openTimeMs[row]!;
    lines.push(
      [
        openTimeMs,
        formatDecimal(columns.open[row]!),
        formatDecimal(columns.high[row]!),
        formatDecimal(columns.low[row]!),
        formatDecimal(columns.close[row]!),
        formatDecimal(columns.volume[row]!),
        openTimeMs + MINUTE_MS - 1,
        formatDecimal(columns.quoteVolume[row]!),
        columns.trades[row]!,
        formatDecimal(columns.takerBuyBaseVolume[row]!),
        formatDecimal(columns.takerBuyQuoteVolume[row]!),
        '0',
      ].join(','),
    );
  }
  const csvName = fileName.replace(/\.zip$/, '.csv');
  // A fixed modification time keeps the bytes, and so the checksum, the same for the same candles.
  const zipBytes = zipSync({
    [csvName]: [strToU8(lines.join('\n') + '\n'), { level: 6, mtime: new Date(startMs) }],
  });
  return { fileName, zipBytes, checksumText: `${sha256Hex(zipBytes)}  ${fileName}\n`, rows: last - first };
}

/** The months ("YYYY-MM") that the columns' candles fall in, oldest first. */
export function monthsCovered(columns: KlineColumns): ArchivePeriod[] {
  const times = columns.openTimeMs;
  if (times.length === 0) return [];
  const months: ArchivePeriod[] = [];
  const last = new Date(times[times.length - 1]!);
  for (
    let cursor = new Date(times[0]!);
    cursor <= last;
    cursor = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1))
  ) {
    months.push(cursor.toISOString().slice(0, 7));
  }
  return months;
}

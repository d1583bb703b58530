/**
 * The shared real month (7 symbols, 2026-02) as a MarketFrame, read through the archive parser. The
 * month has no missing minute, so its columns are the grid itself; a gap would fail loudly here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MarketFrame, SymbolColumns } from '../../src/lake/frame.js';
import { archiveFileName, readKlineArchive } from '../../src/market/archive.js';
import { KLINE_VALUE_FIELDS } from '../../src/market/kline.js';
import { MINUTE_MS } from '../../src/time.js';
import { ARCHIVE_MONTH_DIR, ARCHIVE_MONTH_SYMBOLS, requireSharedData } from './shared-data.js';

export function realMonthFrame(symbols: readonly string[] = ARCHIVE_MONTH_SYMBOLS): MarketFrame {
  requireSharedData();
  const columns: Record<string, SymbolColumns> = {};
  let startTimeMs = Number.NaN;
  let length = 0;
  for (const symbol of symbols) {
    const bytes = readFileSync(path.join(ARCHIVE_MONTH_DIR, archiveFileName(symbol, '2026-02')));
    const klines = readKlineArchive(symbol, bytes);
    const times = klines.openTimeMs;
    startTimeMs = times[0]!;
    length = times.length;
    times.forEach((time, row) => {
      if (time !== startTimeMs + row * MINUTE_MS) throw new Error(`${symbol} has a gap before row ${row}`);
    });
    const symbolColumns = { present: new Uint8Array(length).fill(1) } as SymbolColumns;
    for (const field of KLINE_VALUE_FIELDS) symbolColumns[field] = klines[field];
    columns[symbol] = symbolColumns;
  }
  return { symbols: [...symbols], startTimeMs, length, columns };
}

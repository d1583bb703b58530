/** The shared real month (7 symbols, 2026-02) as a MarketFrame, read through the archive parser. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MarketFrame } from '../../src/lake/frame.js';
import { alignToGrid } from '../../src/lake/grid.js';
import { archiveFileName, readKlineArchive } from '../../src/market/archive.js';
import { parseTimeMs } from '../../src/time.js';
import { ARCHIVE_MONTH_DIR, ARCHIVE_MONTH_SYMBOLS, requireSharedData } from './shared-data.js';

export function realMonthFrame(symbols: readonly string[] = ARCHIVE_MONTH_SYMBOLS): MarketFrame {
  requireSharedData();
  const columns = symbols.map((symbol) =>
    readKlineArchive(symbol, readFileSync(path.join(ARCHIVE_MONTH_DIR, archiveFileName(symbol, '2026-02')))),
  );
  return alignToGrid(columns, parseTimeMs('2026-02-01'), parseTimeMs('2026-03-01'));
}

/**
 * Where the real market data lives: `../shared/data` beside the repository (CI has it too). Tests read
 * it in place; it is never copied into the repo.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED_DATA_DIR = path.resolve(REPO_ROOT, '../shared/data');

/** The month of real 1m archives: 7 symbols, 2026-02, 40,320 rows each. */
export const ARCHIVE_MONTH_DIR = path.join(SHARED_DATA_DIR, 'binance-archive/2026-02');
export const ARCHIVE_MONTH_SYMBOLS = [
  'ALGOUSDT',
  'AVAXUSDT',
  'DOTUSDT',
  'FILUSDT',
  'LINKUSDT',
  'LTCUSDT',
  'NEARUSDT',
];

/** Captured GET /api/v3/klines bodies from December 2021. */
export const REST_SNAPSHOTS_DIR = path.join(SHARED_DATA_DIR, 'binance-api-2021-12');

export function requireSharedData(): void {
  if (!existsSync(ARCHIVE_MONTH_DIR)) {
    throw new Error(
      `real data not found at ${SHARED_DATA_DIR}: the tests expect ../shared/data beside the repo`,
    );
  }
}

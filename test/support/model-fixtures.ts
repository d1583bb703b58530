/**
 * Inputs for the model tests: tiny configs, a synthetic market with a planted lead-lag on the grid, and
 * the real February 2026 month read from the shared archives.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import type { TargetMatrix } from '../../src/features/targets.js';
import type { MarketFrame } from '../../src/lake/frame.js';
import { alignToGrid } from '../../src/lake/grid.js';
import { openArchiveSource } from '../../src/market/archive-source.js';
import { archiveSource } from '../../src/market/source.js';
import { generateSyntheticMarket, type SyntheticMarketOptions } from '../../src/market/synthetic.js';
import { mulberry32, shuffleInPlace } from '../../src/random.js';
import { LocalStore } from '../../src/store/local-store.js';
import { MINUTE_MS } from '../../src/time.js';
import { ARCHIVE_MONTH_DIR, ARCHIVE_MONTH_SYMBOLS, requireSharedData } from './shared-data.js';

/**
 * A model small enough to train in seconds on wasm: 8 filters, 2 blocks, and the shortest window the
 * config allows. Short on purpose: the ResNet's global average pooling dilutes "the last 5 minutes" by
 * 5/window, and at window 32 this tiny model no longer finds the planted lag within a test's budget.
 */
export function tinyConfig(overrides: ConfigInput = {}): Config {
  return configSchema.parse({
    symbols: overrides.symbols ?? LEAD_LAG_SYMBOLS,
    windowMinutes: 16,
    ...overrides,
    model: { filters: 8, blocks: 2, kernelSize: 3, seed: 7, ...overrides.model },
    training: {
      epochs: 3,
      batchSize: 64,
      learningRate: 1e-3,
      validationFraction: 0.2,
      testFraction: 0.1,
      ...overrides.training,
    },
  });
}

export const LEAD_LAG_SYMBOLS = ['LEADUSDT', 'LAGUSDT', 'NOISEUSDT'];
export const LAGGARDS = ['LAGUSDT'];
export const SYNTHETIC_START_MS = Date.parse('2026-01-05T00:00:00Z');

/** The synthetic market's options: the laggard follows k = 0.6 of the leader's return 5 minutes earlier. */
export function leadLagOptions(minutes: number, seed = 11): SyntheticMarketOptions {
  return {
    symbols: LEAD_LAG_SYMBOLS,
    startTimeMs: SYNTHETIC_START_MS,
    minutes,
    seed,
    plantedAlpha: { leader: 'LEADUSDT', lagMinutes: 5, strength: 0.6, laggards: LAGGARDS },
    gapRate: 0.002,
  };
}

export function syntheticFrame(options: SyntheticMarketOptions): MarketFrame {
  return alignToGrid(
    generateSyntheticMarket(options),
    options.startTimeMs,
    options.startTimeMs + options.minutes * MINUTE_MS,
  );
}

/** The real month's symbols on one grid over [fromMs, toMs), read through the archive source. */
export async function realMonthFrame(fromMs: number, toMs: number): Promise<MarketFrame> {
  requireSharedData();
  const source = archiveSource(openArchiveSource(ARCHIVE_MONTH_DIR));
  const columns = await Promise.all(
    ARCHIVE_MONTH_SYMBOLS.map(async (symbol) => (await source.fetch(symbol, fromMs, toMs)).columns),
  );
  return alignToGrid(columns, fromMs, toMs);
}

/** A LocalStore in a fresh temp folder, removed by cleanup(). */
export async function tempStore(): Promise<{ store: LocalStore; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-model-'));
  return { store: new LocalStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The same targets with whole minutes permuted: each label keeps its coins but lands at a random time. */
export function shuffleRowsInTime(targets: TargetMatrix, seed: number): TargetMatrix {
  const coinCount = targets.symbols.length;
  const order = Int32Array.from({ length: targets.length }, (_, row) => row);
  shuffleInPlace(order, mulberry32(seed));
  const values = new Float32Array(targets.values.length);
  const mask = new Uint8Array(targets.mask.length);
  order.forEach((from, to) => {
    values.set(targets.values.subarray(from * coinCount, (from + 1) * coinCount), to * coinCount);
    mask.set(targets.mask.subarray(from * coinCount, (from + 1) * coinCount), to * coinCount);
  });
  return { ...targets, values, mask };
}

/**
 * Trains on the real month of archives (../shared/data/binance-archive/2026-02, 7 symbols) with a
 * configuration bigger than the tests', and prints the honest validation metrics: the numbers the
 * README quotes. Reads the archives through the same source and grid code as ingest.
 *
 *   npx tsx bench/train-real.ts [--window 128] [--filters 16] [--blocks 4] [--epochs 8] [--stride 2]
 *                               [--walk-forward 0] [--backend wasm] [--json]
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/config/schema.js';
import { alignToGrid } from '../src/lake/grid.js';
import { openArchiveSource } from '../src/market/archive-source.js';
import { archiveSource } from '../src/market/source.js';
import { backendPreferenceSchema } from '../src/contracts/backends.js';
import { trainModel } from '../src/app/train.js';
import { trainingProgress } from '../src/ui/training-progress.js';
import { runEpochs } from '../src/runs/run-record.js';

const { values: flags } = parseArgs({
  options: {
    window: { type: 'string', default: '128' },
    filters: { type: 'string', default: '16' },
    blocks: { type: 'string', default: '4' },
    epochs: { type: 'string', default: '8' },
    stride: { type: 'string', default: '2' },
    'walk-forward': { type: 'string', default: '0' },
    backend: { type: 'string', default: 'wasm' },
    json: { type: 'boolean', default: false },
  },
});
const archiveDir = fileURLToPath(new URL('../../shared/data/binance-archive/2026-02/', import.meta.url));
const symbols = ['ALGOUSDT', 'AVAXUSDT', 'DOTUSDT', 'FILUSDT', 'LINKUSDT', 'LTCUSDT', 'NEARUSDT'];
const fromMs = Date.parse('2026-02-01T00:00:00Z');
const toMs = Date.parse('2026-03-01T00:00:00Z');

const source = archiveSource(openArchiveSource(path.resolve(archiveDir)));
const columns = await Promise.all(
  symbols.map(async (symbol) => (await source.fetch(symbol, fromMs, toMs)).columns),
);
const frame = alignToGrid(columns, fromMs, toMs);
const config = configSchema.parse({
  symbols,
  windowMinutes: Number(flags.window),
  model: { filters: Number(flags.filters), blocks: Number(flags.blocks) },
  training: {
    epochs: Number(flags.epochs),
    sampleStrideMinutes: Number(flags.stride),
    walkForwardFolds: Number(flags['walk-forward']),
  },
});
const startedMs = performance.now();
const result = await trainModel({
  frame,
  config,
  backend: backendPreferenceSchema.parse(flags.backend),
  progress: flags.json ? undefined : trainingProgress((line) => process.stderr.write(`${line}\n`)),
  log: (line) => process.stderr.write(`${line}\n`),
});
const report = {
  backend: result.backend,
  window: config.windowMinutes,
  filters: config.model.filters,
  blocks: config.model.blocks,
  stride: config.training.sampleStrideMinutes,
  trainingSamples: result.meta.trainingSamples,
  epochs: runEpochs(result.epochs),
  validation: {
    from: new Date(result.meta.split.validation.fromMs).toISOString(),
    to: new Date(result.meta.split.validation.toMs).toISOString(),
  },
  val: { loss: result.val.loss, ic: result.val.ic, rankIc: result.val.rankIc, hitRate: result.val.hitRate },
  valIcPerCoin: Object.fromEntries(symbols.map((symbol, coin) => [symbol, result.val.perCoin.ic[coin]])),
  foldMean: result.foldMean,
  samplesPerSecond: result.samplesPerSecond,
  wallSeconds: (performance.now() - startedMs) / 1000,
};
console.log(JSON.stringify(report, null, flags.json ? undefined : 2));

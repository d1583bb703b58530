/**
 * Window-assembly throughput: how many training samples per second the batch iterator fills for the
 * default shape [batch 64, window 512, 20 coins x 8 features = 160 channels], to set beside the
 * training throughput of bench/train (assembly must never be what training waits on).
 *
 *   npx tsx bench/dataset.ts [--days 7] [--seconds 5] [--json]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SYMBOLS } from '../src/config/defaults.js';
import { batches, sampleEndRows } from '../src/features/dataset.js';
import { buildFeatures } from '../src/features/features.js';
import { applyStats, fitStats } from '../src/features/normalise.js';
import { forwardReturns } from '../src/features/targets.js';
import { alignToGrid } from '../src/lake/grid.js';
import { generateSyntheticMarket } from '../src/market/synthetic.js';
import { MINUTE_MS, parseTimeMs } from '../src/time.js';

const { values: flags } = parseArgs({
  options: {
    days: { type: 'string', default: '7' },
    seconds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const batchSize = 64;
const windowMinutes = 512;
const horizonMinutes = 15;
const minutes = Number(flags.days) * 1440;
const symbols = [...DEFAULT_SYMBOLS];
const startTimeMs = parseTimeMs('2026-01-01');
const log = (line: string) => flags.json || console.error(line);

let started = performance.now();
const market = generateSyntheticMarket({ symbols, startTimeMs, minutes, seed: 1, gapRate: 0.001 });
const generateSeconds = (performance.now() - started) / 1000;
log(`synthetic market: ${symbols.length} symbols x ${minutes} minutes in ${generateSeconds.toFixed(2)} s`);

started = performance.now();
const frame = alignToGrid(market, startTimeMs, startTimeMs + minutes * MINUTE_MS);
const features = buildFeatures(frame);
applyStats(features, fitStats(features, { fromRow: 0, toRow: frame.length }));
const { endRows, targets } = sampleEndRows(
  features,
  forwardReturns(frame, horizonMinutes),
  { fromRow: 0, toRow: frame.length },
  {
    windowMinutes,
    horizonMinutes,
    strideMinutes: 1,
    maxGapMinutes: 5,
  },
);
const prepareSeconds = (performance.now() - started) / 1000;
log(
  `features, stats, targets and ${endRows.length} samples in ${prepareSeconds.toFixed(2)} s (channels ${features.channels})`,
);

const budgetMs = Number(flags.seconds) * 1000;
let samples = 0;
let checksum = 0;
started = performance.now();
for (let epoch = 0; performance.now() - started < budgetMs; epoch++) {
  for (const batch of batches(features, targets, endRows, { batchSize, windowMinutes, shuffleSeed: epoch })) {
    samples += batch.size;
    checksum += batch.x[batch.x.length - 1]!; // touch the data so nothing is optimised away
    if (performance.now() - started >= budgetMs) break;
  }
}
const elapsedSeconds = (performance.now() - started) / 1000;
const samplesPerSecond = samples / elapsedSeconds;
const bytesPerSample = windowMinutes * features.channels * 4;
const result = {
  shape: [batchSize, windowMinutes, features.channels],
  samples,
  seconds: Number(elapsedSeconds.toFixed(2)),
  samplesPerSecond: Math.round(samplesPerSecond),
  gigabytesPerSecond: Number(((samplesPerSecond * bytesPerSample) / 1e9).toFixed(2)),
  syntheticMinutesPerSecond: Math.round((minutes * symbols.length) / generateSeconds),
  checksumIsFinite: Number.isFinite(checksum),
};
if (flags.json) console.log(JSON.stringify(result));
else
  console.log(
    `window assembly [${result.shape.join(', ')}]: ${result.samplesPerSecond} samples/s (${result.gigabytesPerSecond} GB/s copied)`,
  );

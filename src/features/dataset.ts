/**
 * From feature and target matrices to training samples, without leakage and without copying windows.
 *
 * Window parameters, in one place:
 * - a sample is named by its end row t, the last minute of its input window;
 * - its window is rows t - windowMinutes + 1 .. t, its target needs row t + horizonMinutes;
 * - a sample belongs to a row range only if ALL of those rows lie inside it, so no window or target
 *   crosses a split boundary; the embargo rows between ranges add distance on top of that;
 * - consecutive samples are strideMinutes apart (end rows on multiples of the stride);
 * - a coin whose window touches a run of more than maxGapMinutes missing candles keeps its features
 *   (zeros there) but loses its target for that sample; a sample with no coin target left is skipped.
 *   Per coin rather than "any coin": one delisted or halted coin must not blank out every other coin's
 *   samples, and an exchange-wide outage still removes the sample because it masks every coin.
 *
 * The matrices are row-major, so a window is one contiguous slice and a batch is filled by one bulk
 * copy per sample into buffers reused across batches: memory stays one batch, whatever the date range.
 */
import { Alpha15Error } from '../errors.js';
import { mulberry32, shuffleInPlace } from '../random.js';
import type { FeatureMatrix } from './features.js';
import type { TargetMatrix } from './targets.js';

/** Rows [fromRow, toRow) of a feature matrix. */
export interface RowRange {
  fromRow: number;
  toRow: number;
}

export interface ChronologicalSplit {
  train: RowRange;
  validation: RowRange;
  /** Empty (fromRow = toRow = length) when testFraction is 0. */
  test: RowRange;
}

export interface SplitOptions {
  validationFraction: number;
  testFraction: number;
  /** Rows left unused between consecutive ranges; at least minimumEmbargoMinutes(window, horizon). */
  embargoMinutes: number;
}

export interface WalkForwardFold {
  train: RowRange;
  validation: RowRange;
}

export interface SampleOptions {
  windowMinutes: number;
  /** Must equal the targets' horizon when given; the targets carry it anyway. */
  horizonMinutes?: number;
  strideMinutes: number;
  maxGapMinutes: number;
}

export interface SampleSet {
  /** End rows of the usable samples, ascending. */
  endRows: Int32Array;
  /** The targets with coins masked whose window touches a long gap: hand these to `batches`. */
  targets: TargetMatrix;
}

export interface BatchOptions {
  batchSize: number;
  windowMinutes: number;
  /** Shuffles the sample order reproducibly; pass a different seed per epoch. Omit to keep time order. */
  shuffleSeed?: number;
}

/**
 * One batch. The arrays are views of buffers reused by the next batch: copy them (tf.tensor does)
 * before asking for the next one.
 */
export interface Batch {
  /** [size][windowMinutes][channels] */
  x: Float32Array;
  /** [size][coins] forward returns, 0 where masked. */
  y: Float32Array;
  /** [size][coins] 1 or 0. */
  mask: Float32Array;
  endRows: Int32Array;
  size: number;
}

/** The data set cannot be cut as asked (too short for the window, horizon and embargo). */
export class DatasetTooShortError extends Alpha15Error {
  readonly code = 'DATASET_TOO_SHORT';
}

/** Raw features reached a step that needs normalised ones (NaN would reach the model). */
export class FeaturesNotNormalisedError extends Alpha15Error {
  readonly code = 'FEATURES_NOT_NORMALISED';
}

/** The smallest embargo that keeps every window and target of one range away from the next. */
export function minimumEmbargoMinutes(windowMinutes: number, horizonMinutes: number): number {
  return windowMinutes + horizonMinutes;
}

/** Train, then validation, then test, in time order, separated by embargo rows. */
export function splitChronologically(length: number, options: SplitOptions): ChronologicalSplit {
  const { validationFraction, testFraction, embargoMinutes } = options;
  if (validationFraction <= 0 || testFraction < 0 || validationFraction + testFraction >= 1) {
    throw new RangeError(`bad split fractions: validation ${validationFraction}, test ${testFraction}`);
  }
  const embargoCount = testFraction > 0 ? 2 : 1;
  const usableRows = length - embargoCount * embargoMinutes;
  const testRows = Math.round(usableRows * testFraction);
  const validationRows = Math.round(usableRows * validationFraction);
  const trainRows = usableRows - validationRows - testRows;
  if (trainRows <= 0 || validationRows <= 0 || (testFraction > 0 && testRows <= 0)) {
    throw new DatasetTooShortError(
      `${length} minutes cannot hold train, validation and test parts with ${embargoMinutes}-minute embargoes`,
      'load a longer date range or lower the window',
      { data: { reason: 'splits', minutes: length } },
    );
  }
  const validationFromRow = trainRows + embargoMinutes;
  const validationToRow = validationFromRow + validationRows;
  return {
    train: { fromRow: 0, toRow: trainRows },
    validation: { fromRow: validationFromRow, toRow: validationToRow },
    test:
      testFraction > 0
        ? { fromRow: validationToRow + embargoMinutes, toRow: length }
        : { fromRow: length, toRow: length },
  };
}

/**
 * Expanding-window folds: rows are cut into k + 1 equal blocks; fold i trains on blocks 0..i and
 * validates on block i + 1 after an embargo, so every fold only ever looks back in time.
 */
export function walkForwardFolds(
  length: number,
  foldCount: number,
  options: { embargoMinutes: number },
): WalkForwardFold[] {
  if (!Number.isInteger(foldCount) || foldCount < 1)
    throw new RangeError(`foldCount must be ≥ 1, got ${foldCount}`);
  const blockRows = Math.floor(length / (foldCount + 1));
  if (blockRows <= options.embargoMinutes) {
    throw new DatasetTooShortError(
      `${length} minutes cut into ${foldCount + 1} blocks leaves ${blockRows} rows per block, not more than the ${options.embargoMinutes}-minute embargo`,
      'use fewer walk-forward folds or a longer date range',
      { data: { reason: 'folds', minutes: length, folds: foldCount } },
    );
  }
  return Array.from({ length: foldCount }, (_, fold) => {
    const trainToRow = (fold + 1) * blockRows;
    const validationToRow = fold === foldCount - 1 ? length : (fold + 2) * blockRows;
    return {
      train: { fromRow: 0, toRow: trainToRow },
      validation: { fromRow: trainToRow + options.embargoMinutes, toRow: validationToRow },
    };
  });
}

/**
 * Masks the target of every coin whose input window touches a run of more than maxGapMinutes missing
 * candles: its window would be mostly zeros, and learning a target from no input teaches only noise.
 */
export function maskLongGaps(
  features: FeatureMatrix,
  targets: TargetMatrix,
  options: { windowMinutes: number; maxGapMinutes: number },
): TargetMatrix {
  const coinCount = features.symbols.length;
  const mask = targets.mask.slice();
  for (let coin = 0; coin < coinCount; coin++) {
    let missingRun = 0;
    let lastLongGapRow = -Infinity;
    for (let row = 0; row < features.length; row++) {
      const at = row * coinCount + coin;
      missingRun = features.present[at] === 1 ? 0 : missingRun + 1;
      if (missingRun > options.maxGapMinutes) lastLongGapRow = row;
      if (lastLongGapRow > row - options.windowMinutes) mask[at] = 0;
    }
  }
  return { ...targets, mask };
}

/** The samples of one row range (see the module comment for the rules). */
export function sampleEndRows(
  features: FeatureMatrix,
  targets: TargetMatrix,
  range: RowRange,
  options: SampleOptions,
): SampleSet {
  assertAligned(features, targets);
  const { windowMinutes, strideMinutes } = options;
  const horizonMinutes = targets.horizonMinutes;
  if (options.horizonMinutes !== undefined && options.horizonMinutes !== horizonMinutes) {
    throw new RangeError(`targets were built for ${horizonMinutes} minutes, not ${options.horizonMinutes}`);
  }
  const gapMasked = maskLongGaps(features, targets, options);
  const coinCount = features.symbols.length;
  const firstEndRow = Math.max(range.fromRow, 0) + windowMinutes - 1;
  const lastEndRow = Math.min(range.toRow, features.length) - 1 - horizonMinutes;
  const endRows: number[] = [];
  for (
    let endRow = Math.ceil(firstEndRow / strideMinutes) * strideMinutes;
    endRow <= lastEndRow;
    endRow += strideMinutes
  ) {
    const maskRow = gapMasked.mask.subarray(endRow * coinCount, (endRow + 1) * coinCount);
    if (maskRow.includes(1)) endRows.push(endRow);
  }
  return { endRows: Int32Array.from(endRows), targets: gapMasked };
}

/** Yields batches of the given samples, filled by one bulk copy per sample into reused buffers. */
export function* batches(
  features: FeatureMatrix,
  targets: TargetMatrix,
  endRows: Int32Array,
  options: BatchOptions,
): Generator<Batch> {
  assertAligned(features, targets);
  assertNormalised(features);
  const { batchSize, windowMinutes } = options;
  const { channels, values } = features;
  const coinCount = features.symbols.length;
  const windowValues = windowMinutes * channels;
  const order = Int32Array.from(endRows);
  if (options.shuffleSeed !== undefined) shuffleInPlace(order, mulberry32(options.shuffleSeed));

  const x = new Float32Array(batchSize * windowValues);
  const y = new Float32Array(batchSize * coinCount);
  const mask = new Float32Array(batchSize * coinCount);
  for (let first = 0; first < order.length; first += batchSize) {
    const rows = order.subarray(first, Math.min(first + batchSize, order.length));
    rows.forEach((endRow, sample) => {
      const windowStart = (endRow - windowMinutes + 1) * channels;
      if (windowStart < 0)
        throw new RangeError(`sample ending at row ${endRow} has no full ${windowMinutes}-minute window`);
      x.set(values.subarray(windowStart, windowStart + windowValues), sample * windowValues);
      y.set(targets.values.subarray(endRow * coinCount, (endRow + 1) * coinCount), sample * coinCount);
      mask.set(targets.mask.subarray(endRow * coinCount, (endRow + 1) * coinCount), sample * coinCount);
    });
    const size = rows.length;
    yield {
      x: x.subarray(0, size * windowValues),
      y: y.subarray(0, size * coinCount),
      mask: mask.subarray(0, size * coinCount),
      endRows: rows,
      size,
    };
  }
}

/** The window ending at endRow, [windowMinutes][channels], for one prediction (paper trading). */
export function windowAt(
  features: FeatureMatrix,
  endRow: number,
  windowMinutes: number,
  out = new Float32Array(windowMinutes * features.channels),
): Float32Array {
  assertNormalised(features);
  const windowStart = (endRow - windowMinutes + 1) * features.channels;
  if (windowStart < 0 || endRow >= features.length) {
    throw new DatasetTooShortError(
      `a ${windowMinutes}-minute window ending at row ${endRow} does not fit ${features.length} rows`,
      `load at least ${windowMinutes + 1} minutes of candles (the first minute only serves as the previous close)`,
    );
  }
  out.set(features.values.subarray(windowStart, (endRow + 1) * features.channels));
  return out;
}

function assertAligned(features: FeatureMatrix, targets: TargetMatrix): void {
  if (features.length !== targets.length || features.symbols.join(',') !== targets.symbols.join(',')) {
    throw new RangeError('features and targets must come from the same frame');
  }
}

function assertNormalised(features: FeatureMatrix): void {
  if (!features.normalised) {
    throw new FeaturesNotNormalisedError(
      'features must be normalised before they are batched',
      'call applyStats(features, fitStats(features, split.train)) first (missing minutes hold NaN until then)',
    );
  }
}

/**
 * The files of a stored model and their zod schemas. Layout under the object store:
 *
 *   models/<id>/model.json      tfjs topology + weights manifest
 *   models/<id>/weights.bin     the weights, one buffer
 *   models/<id>/stats.json      NormStats of the training split
 *   models/<id>/config.json     the resolved config the model was trained with
 *   models/<id>/metrics.jsonl   one EpochRecord per line
 *   models/<id>/thresholds.json, calibration.json, ...   written later by the strategy (putModelFile)
 *   models/<id>/meta.json       written LAST, with the sha256 of every file above: a model without it is
 *                               an unfinished write and does not exist
 *   models/champion.json        { modelId, promotedAtMs, weightsSha256 }
 *
 * Ids start with their UTC creation second, so sorting ids sorts models by age.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { MODELS_PREFIX } from '../contracts/keys.js';
export const MODEL_FILES = {
  topology: 'model.json',
  weights: 'weights.bin',
  stats: 'stats.json',
  config: 'config.json',
  metrics: 'metrics.jsonl',
  meta: 'meta.json',
} as const;

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex');

export const MODEL_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;
export const modelIdSchema = z.string().regex(MODEL_ID_PATTERN, 'a model id like 20260224T120000Z-1a2b3c');

export function newModelId(nowMs: number = Date.now()): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `${stamp}Z-${randomBytes(3).toString('hex')}`;
}

export function modelKey(modelId: string, file: string): string {
  return `${MODELS_PREFIX}${modelId}/${file}`;
}

/** Undefined metrics (a coin with constant predictions) are NaN in memory and null in JSON. */
export const metricValue = z.preprocess(
  (value) => (value === null ? Number.NaN : value),
  z.union([z.number(), z.nan()]),
);

/** [fromMs, toMs): open times of the first minute in and the first minute after. */
export const timeRangeSchema = z.object({ fromMs: z.number().int(), toMs: z.number().int() });
export type TimeRange = z.infer<typeof timeRangeSchema>;

export const coinMetricsSchema = z.object({
  ic: z.array(metricValue),
  rankIc: z.array(metricValue),
  hitRate: z.array(metricValue),
  count: z.array(z.number().int().nonnegative()),
});

export const validationSummarySchema = z.object({
  loss: metricValue,
  ic: metricValue,
  rankIc: metricValue,
  hitRate: metricValue,
  /** The G-Research weighted correlation (metrics.ts `weightedCorrelation`); absent in older models. */
  weightedCorrelation: metricValue.optional(),
  perCoin: coinMetricsSchema,
});
export type ValidationSummary = z.infer<typeof validationSummarySchema>;

/** One line of metrics.jsonl: an epoch of one fold (fold 0 outside walk-forward). */
export const epochRecordSchema = z.object({
  fold: z.number().int().nonnegative(),
  epoch: z.number().int().positive(),
  trainLoss: metricValue,
  valLoss: metricValue,
  learningRate: z.number().positive(),
  ic: z.array(metricValue),
  rankIc: z.array(metricValue),
  hitRate: z.array(metricValue),
  meanIc: metricValue,
  meanRankIc: metricValue,
  meanHitRate: metricValue,
  /** Validation loss improved on every earlier epoch of the fold: these weights are the checkpoint. */
  improved: z.boolean(),
  trainSamples: z.number().int().nonnegative(),
  elapsedMs: z.number().nonnegative(),
});
export type EpochRecord = z.infer<typeof epochRecordSchema>;

export const foldSummarySchema = z.object({
  fold: z.number().int().nonnegative(),
  train: timeRangeSchema,
  validation: timeRangeSchema,
  val: validationSummarySchema,
  epochs: z.number().int().nonnegative(),
});
export type FoldSummary = z.infer<typeof foldSummarySchema>;

/** IC of the validation predictions against the target at other horizons (ic-decay.ts). */
export const icAtHorizonSchema = z.object({
  horizonMinutes: z.number().int().positive(),
  ic: metricValue,
  rankIc: metricValue,
  weightedCorrelation: metricValue,
  samples: z.number().int().nonnegative(),
});

export const modelMetaSchema = z.object({
  formatVersion: z.literal(1),
  id: modelIdSchema,
  symbols: z.array(z.string()).min(1),
  windowMinutes: z.number().int().positive(),
  horizonMinutes: z.number().int().positive(),
  featureNames: z.array(z.string()).min(1),
  timeChannels: z.boolean(),
  /** Values per input minute: symbols × features (+ 4 time channels). */
  channels: z.number().int().positive(),
  /**
   * Per coin, the training-split standard deviation of its target. The network learns returns divided by
   * this (unit scale makes Adam's steps and the L1 loss comparable across coins); the predictor multiplies
   * back, so every caller sees plain returns.
   */
  targetScale: z.array(z.number().positive()),
  /**
   * What the network learned (config `target`): 'raw' returns or 'residual' returns against the
   * `coinWeights`-weighted universe (in `symbols` order). Absent in models from before the option: raw.
   * The backtest scores the model against this target; trades are priced on prices either way.
   */
  target: z.enum(['raw', 'residual']).optional(),
  coinWeights: z.array(z.number().positive()).optional(),
  /** Validation IC at 1, 5, 15, 30 and 60 minutes; absent in older models. */
  icDecay: z.array(icAtHorizonSchema).optional(),
  architecture: z.object({
    filters: z.number().int().positive(),
    blocks: z.number().int().positive(),
    kernelSize: z.number().int().positive(),
    seed: z.number().int(),
  }),
  data: timeRangeSchema,
  split: z.object({
    embargoMinutes: z.number().int().nonnegative(),
    train: timeRangeSchema,
    validation: timeRangeSchema,
    /** Untouched by training and threshold fitting: the backtest's honest period. Null in walk-forward. */
    test: timeRangeSchema.nullable(),
  }),
  /** Walk-forward folds in time order; empty for a single split. The model is the last fold's. */
  folds: z.array(foldSummarySchema),
  validation: validationSummarySchema,
  trainingSamples: z.number().int().nonnegative(),
  epochs: z.number().int().nonnegative(),
  samplesPerSecond: z.number().nonnegative(),
  backend: z.string(),
  gitRevision: z.string().nullable(),
  /** The model this one was fine-tuned from, if any. */
  parentModelId: modelIdSchema.nullable(),
  /** Byte length of weights.bin, checked on load. */
  weightsByteLength: z.number().int().nonnegative(),
  /**
   * The sha256 of every file written before meta.json, by file name, checked whenever the file is read.
   * Absent in models saved before the digests: those are checked by length only.
   */
  files: z.record(z.string(), sha256Schema).optional(),
  createdAtMs: z.number().int(),
});
export type ModelMeta = z.infer<typeof modelMetaSchema>;

/** A model's target and the weights of its universe average (equal when it predates the option). */
export function modelTargetOf(meta: Pick<ModelMeta, 'target' | 'coinWeights' | 'symbols'>): {
  target: 'raw' | 'residual';
  coinWeights: number[];
} {
  return { target: meta.target ?? 'raw', coinWeights: meta.coinWeights ?? meta.symbols.map(() => 1) };
}
export type ModelMetaInput = z.input<typeof modelMetaSchema>;

export const championSchema = z.object({
  modelId: modelIdSchema,
  promotedAtMs: z.number().int(),
  /**
   * The sha256 of the weights the pointer names, taken when they were promoted: the tick and the next
   * promotion refuse weights that changed under the pointer. Absent in pointers from before the digest.
   */
  weightsSha256: sha256Schema.optional(),
});
export type ChampionPointer = z.infer<typeof championSchema>;

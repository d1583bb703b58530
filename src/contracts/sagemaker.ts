/**
 * The SageMaker training-container contract, in one place:
 *
 *   /opt/ml/input/config/hyperparameters.json   every value a STRING (SageMaker's rule), parsed here
 *   /opt/ml/input/config/resourceconfig.json    the instance type the job runs on (current_instance_type)
 *   /opt/ml/input/data/<channel>/               optional input channels (we read the lake through the store)
 *   /opt/ml/model/                              the model; SageMaker tars it into the job's output
 *   /opt/ml/output/failure                      why the job failed, shown as the job's FailureReason
 *   /opt/ml/checkpoints/                        synced with S3 for managed-spot restarts
 *
 * The trigger Lambda encodes hyperparameters with `encodeHyperparameters`, the container decodes them
 * with `parseHyperparameters`: one schema on both sides of the wire.
 */
import path from 'node:path';
import { z } from 'zod';
import { Alpha15Error } from '../errors.js';
import { backendPreferenceSchema } from './backends.js';
import { MIN_WINDOW_MINUTES, STORE_URL_PATTERN } from './run-invariants.js';
import { symbolListTextSchema } from './symbols.js';

export const SAGEMAKER_ROOT = '/opt/ml';
export const CHECKPOINT_LOCAL_PATH = '/opt/ml/checkpoints';
/** SageMaker keeps at most this many characters of the failure file as FailureReason. */
export const FAILURE_REASON_MAX_CHARS = 1024;

export class InvalidHyperparametersError extends Alpha15Error {
  readonly code = 'INVALID_HYPERPARAMETERS';
}

/** The hyperparameter SageMaker adds to the training jobs of a tuning job. */
export const TUNING_OBJECTIVE_HYPERPARAMETER = '_tuning_objective_metric';

const int = z.coerce.number().int();
// the exchange spells symbols in upper case; a hand-written request may not
const symbolList = z
  .string()
  .transform((list) => list.toUpperCase())
  .pipe(symbolListTextSchema);

/** The decoded hyperparameters. Optional training knobs override the config's defaults. */
export const hyperparametersSchema = z
  .object({
    jobName: z.string().regex(/^[a-zA-Z0-9-]{1,63}$/, 'a SageMaker job name'),
    /** Where the lake is read and the model saved (`s3://bucket` in AWS, `file://dir` locally). */
    store: z.string().regex(STORE_URL_PATTERN, 'a store URL: file://<dir> or s3://<bucket>'),
    symbols: symbolList,
    fromMs: int.optional(),
    toMs: int.optional(),
    epochs: int.positive().optional(),
    batchSize: int.positive().optional(),
    learningRate: z.coerce.number().positive().optional(),
    filters: int.positive().optional(),
    blocks: int.positive().optional(),
    kernelSize: int.positive().optional(),
    windowMinutes: int.min(MIN_WINDOW_MINUTES).optional(),
    sampleStrideMinutes: int.positive().optional(),
    timeChannels: z
      .enum(['true', 'false'])
      .transform((text) => text === 'true')
      .optional(),
    walkForwardFolds: int.nonnegative().optional(),
    seed: int.optional(),
    backend: backendPreferenceSchema.optional(),
    /**
     * Set by SageMaker itself in every training job a tuning job starts: the job is a trial, its name
     * is in the TRAINING_JOB_NAME environment variable (jobName is the tuning job's, shared by all).
     */
    [TUNING_OBJECTIVE_HYPERPARAMETER]: z.string().optional(),
    /** Train on the CPU of a GPU instance on purpose; otherwise the job fails when no GPU is in use. */
    allowCpu: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional(),
  })
  .strict()
  .refine(
    (h) => h.fromMs === undefined || h.toMs === undefined || h.fromMs < h.toMs,
    'fromMs must lie before toMs',
  );

export type TrainingHyperparameters = z.input<typeof hyperparametersSchema>;
export type ParsedHyperparameters = z.infer<typeof hyperparametersSchema>;

export function encodeHyperparameters(hyperparameters: TrainingHyperparameters): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(hyperparameters)) {
    if (value === undefined) continue;
    encoded[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return encoded;
}

export function parseHyperparameters(raw: unknown): ParsedHyperparameters {
  const strings = z.record(z.string(), z.string()).safeParse(raw);
  if (!strings.success) {
    throw new InvalidHyperparametersError(
      'hyperparameters.json must be an object of strings',
      'SageMaker passes every hyperparameter as a string',
    );
  }
  const parsed = hyperparametersSchema.safeParse(strings.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const parameter = issue.path.join('.') || '(root)';
    throw new InvalidHyperparametersError(
      `invalid hyperparameter ${parameter}: ${issue.message}`,
      'fix the training job request (lambdas/training-trigger) or the local hyperparameters.json',
      { data: { parameter, problem: issue.message } },
    );
  }
  return parsed.data;
}

/** Config overrides (dotted paths, as `loadConfig` takes them) that the hyperparameters carry. */
export function configOverrides(h: ParsedHyperparameters): Record<string, unknown> {
  return {
    store: h.store,
    symbols: h.symbols,
    windowMinutes: h.windowMinutes,
    'training.epochs': h.epochs,
    'training.batchSize': h.batchSize,
    'training.learningRate': h.learningRate,
    'training.sampleStrideMinutes': h.sampleStrideMinutes,
    'training.walkForwardFolds': h.walkForwardFolds,
    'model.timeChannels': h.timeChannels,
    'model.filters': h.filters,
    'model.blocks': h.blocks,
    'model.kernelSize': h.kernelSize,
    'model.seed': h.seed,
  };
}

/**
 * The hyperparameter that carries each tunable config path, so a SageMaker tuning job searches the same
 * space as `alpha15 tune` (src/tune/search-space.ts's `TUNABLE_PARAMETERS` must name exactly these paths).
 */
export const TUNABLE_HYPERPARAMETERS = {
  windowMinutes: 'windowMinutes',
  'model.filters': 'filters',
  'model.blocks': 'blocks',
  'model.kernelSize': 'kernelSize',
  'model.timeChannels': 'timeChannels',
  'training.learningRate': 'learningRate',
  'training.batchSize': 'batchSize',
  'training.sampleStrideMinutes': 'sampleStrideMinutes',
} as const satisfies Record<string, keyof TrainingHyperparameters>;

/**
 * The tunable values a job was handed, by config path (the names `alpha15 tune` records its trials'
 * params under): what a SageMaker tuning job sampled for one trial.
 */
export function tunedParams(hyperparameters: ParsedHyperparameters): Record<string, number | boolean> {
  const params: Record<string, number | boolean> = {};
  for (const [configPath, name] of Object.entries(TUNABLE_HYPERPARAMETERS)) {
    const value = hyperparameters[name];
    if (value !== undefined) params[configPath] = value;
  }
  return params;
}

export interface SageMakerPaths {
  root: string;
  hyperparameters: string;
  resourceConfig: string;
  inputData: string;
  model: string;
  failure: string;
  checkpoints: string;
}

export function sagemakerPaths(root: string = SAGEMAKER_ROOT): SageMakerPaths {
  return {
    root,
    hyperparameters: path.join(root, 'input/config/hyperparameters.json'),
    resourceConfig: path.join(root, 'input/config/resourceconfig.json'),
    inputData: path.join(root, 'input/data'),
    model: path.join(root, 'model'),
    failure: path.join(root, 'output/failure'),
    checkpoints: path.join(root, 'checkpoints'),
  };
}

/** The failure file's text: the situation and what to do, cut to what SageMaker keeps. */
export function failureReason(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof Alpha15Error && error.hint ? ` (hint: ${error.hint})` : '';
  return `${name}: ${message}${hint}`.slice(0, FAILURE_REASON_MAX_CHARS);
}

/** `resourceconfig.json`, the part we read; a local tree without one runs as on a CPU-only host. */
export const resourceConfigSchema = z.looseObject({ current_instance_type: z.string().min(1) });

/** SageMaker's GPU families: ml.p2/p3/p4d/p5 and ml.g4dn/g5/g6. */
export function instanceHasGpu(instanceType: string): boolean {
  return /^ml\.[pg]\d/.test(instanceType);
}

/**
 * The training job: SageMaker directory tree in, registry model out. The same `trainModel` as
 * `alpha15 train`; around it only the contract (hyperparameters, failure file, model directory, metric
 * lines, checkpoints) and the promotion evidence. Order matters: the model and its evaluation are saved
 * first, the job record (`models/training-jobs/<job>.json`) last, so promotion never sees half a result.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { Alpha15Error, errorFields } from '../errors.js';
import { backendUsesGpu, checkAccelerator } from '../model/accelerator-check.js';
import { selectBackend } from '../model/backend.js';
import { modelKey, type EpochRecord } from '../model/artifacts.js';
import {
  evaluateOnSameWindow,
  EVALUATION_FILE,
  trainingJobRecordKey,
  type TrainingJobRecord,
} from './evaluate-and-promote.js';
import { putModelFile } from '../model/registry.js';
import { trainModel } from './train.js';
import type { ObjectStore } from '../store/object-store.js';
import { composeAdapters } from './compose.js';
import { TRAINING_JOB_NAME_ENV_VARIABLE } from '../contracts/environment.js';
import { formatMetricLine, TUNING_OBJECTIVE_METRIC, type TrainingMetricName } from '../contracts/metrics.js';
import {
  configOverrides,
  failureReason,
  instanceHasGpu,
  parseHyperparameters,
  InvalidHyperparametersError,
  resourceConfigSchema,
  sagemakerPaths,
  TUNING_OBJECTIVE_HYPERPARAMETER,
  tunedParams,
  type ParsedHyperparameters,
  type SageMakerPaths,
} from '../contracts/sagemaker.js';

/** SIGTERM (StopTrainingJob, a spot reclaim) stopped the job at a step boundary. */
export class TrainingStoppedError extends Alpha15Error {
  readonly code = 'TRAINING_STOPPED';
}

export interface SageMakerRunOptions {
  /** Where metric lines and progress go (SageMaker scans the container's stdout). */
  writeLine?: (line: string) => void;
  /** Environment for ALPHA15_* config overrides; default process.env. */
  env?: NodeJS.ProcessEnv;
  nowMs?: number;
  /** Aborted on SIGTERM: training stops at the next step, checkpoints it, and nothing is saved. */
  signal?: AbortSignal;
}

export type SageMakerRunResult =
  | { ok: true; modelId: string; jobName: string; championBefore: string | null }
  | { ok: false; failure: string; stopped: boolean };

export async function runSageMakerTraining(
  root: string,
  options: SageMakerRunOptions = {},
): Promise<SageMakerRunResult> {
  const paths = sagemakerPaths(root);
  const writeLine = options.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  try {
    return await train(paths, writeLine, options);
  } catch (error) {
    const failure = failureReason(error);
    await mkdir(path.dirname(paths.failure), { recursive: true });
    await writeFile(paths.failure, failure);
    writeLine(`alpha15: training failed: ${failure}`);
    // the same failure as one JSON line of fields (CloudWatch Logs Insights reads its code and data)
    writeLine(JSON.stringify({ level: 'ERROR', message: 'training failed', failure: errorFields(error) }));
    return { ok: false, failure, stopped: error instanceof TrainingStoppedError };
  }
}

/** SageMaker's hyperparameters.json, or an error that names the file a local run must provide. */
async function readHyperparameterFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidHyperparametersError(
      `no hyperparameters at ${file}`,
      'SageMaker writes this file into every job; a local run of the entry point needs it under its root ' +
        '(input/config/hyperparameters.json, every value a string)',
      { data: { reason: 'missing-file', file }, cause: error },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidHyperparametersError(`${file} is not JSON`, undefined, {
      data: { reason: 'not-json', file },
      cause: error,
    });
  }
}

async function train(
  paths: SageMakerPaths,
  writeLine: (line: string) => void,
  options: SageMakerRunOptions,
): Promise<SageMakerRunResult> {
  const hyperparameters = parseHyperparameters(await readHyperparameterFile(paths.hyperparameters));
  const env = options.env ?? process.env;
  const config = loadConfig({ env, flags: configOverrides(hyperparameters) });
  const tuningTrial = hyperparameters[TUNING_OBJECTIVE_HYPERPARAMETER] !== undefined;
  // a tuning job's trials share its hyperparameters, jobName included: each has its own job name in the environment
  const jobName = tuningTrial ? env[TRAINING_JOB_NAME_ENV_VARIABLE] : hyperparameters.jobName;
  if (jobName === undefined) {
    throw new InvalidHyperparametersError(
      'a tuning trial needs its job name in TRAINING_JOB_NAME',
      'SageMaker sets it in every training job; set it when running a trial locally',
    );
  }
  await checkAcceleratorInUse(paths, hyperparameters);
  const { store } = composeAdapters(config, env);
  const epochLog = path.join(paths.checkpoints, 'epochs.jsonl');
  await mkdir(paths.checkpoints, { recursive: true });

  const printEpoch = (record: EpochRecord) => {
    const values: [TrainingMetricName, number][] = [
      ['epoch', record.epoch],
      ['train_loss', record.trainLoss],
      ['validation_loss', record.valLoss],
      ['validation_ic', record.meanIc],
      // what a tuning job's early stopping watches
      [TUNING_OBJECTIVE_METRIC, record.meanIc],
    ];
    for (const [name, value] of values) {
      const line = formatMetricLine(name, value);
      if (line) writeLine(line);
    }
  };
  // one write after the other, so the epoch log keeps its order
  let epochLogWritten = Promise.resolve();
  const result = await trainModel({
    config,
    store,
    fromMs: hyperparameters.fromMs,
    toMs: hyperparameters.toMs,
    backend: hyperparameters.backend,
    save: true,
    signal: options.signal,
    saveIfAborted: false,
    // never the champion pointer, not even for a first model: the job role may not write it
    // (infra/training.ts), and the promotion step promotes a first model ('no-champion') itself
    promote: 'never',
    nowMs: options.nowMs,
    // a trial is a run of its tuning job's study (hyperparameters.jobName is the tuning job's), so the
    // studies dashboard groups the cloud's trials as it groups `alpha15 tune`'s
    run: tuningTrial
      ? { kind: 'tune-trial', study: hyperparameters.jobName, params: tunedParams(hyperparameters) }
      : undefined,
    // a restarted spot job finds its last epoch here (SageMaker restores the directory from S3)
    checkpointDir: paths.checkpoints,
    log: writeLine,
    onEpoch: (record) => {
      printEpoch(record);
      // the epoch log survives a spot interruption with the checkpoints directory
      epochLogWritten = epochLogWritten.then(() => appendFile(epochLog, `${JSON.stringify(record)}\n`));
    },
  });
  await epochLogWritten;
  if (result.aborted) {
    throw new TrainingStoppedError(
      `stopped by SIGTERM after ${result.epochs.length} epoch record(s); the step it reached is checkpointed in ${paths.checkpoints}`,
      'a restarted spot job resumes from that checkpoint; a stopped job saved no model',
    );
  }
  for (const [name, value] of [
    ['validation_ic', result.val.ic],
    ['validation_rank_ic', result.val.rankIc],
    ['validation_hit_rate', result.val.hitRate],
    // last: SageMaker tuning takes the final value of the objective
    [TUNING_OBJECTIVE_METRIC, result.foldMean?.ic ?? result.val.ic],
  ] as const) {
    const line = formatMetricLine(name, value);
    if (line) writeLine(line);
  }
  const evaluation = await evaluateOnSameWindow(store, result, writeLine);
  await putModelFile(store, result.modelId, EVALUATION_FILE, JSON.stringify(evaluation, null, 2));
  await copyModelDirectory(store, result.modelId, paths.model);
  const record: TrainingJobRecord = {
    jobName,
    modelId: result.modelId,
    finishedAtMs: options.nowMs ?? Date.now(),
  };
  await store.put(trainingJobRecordKey(jobName), JSON.stringify(record, null, 2));
  writeLine(
    `alpha15: model ${result.modelId} saved to ${store.url} (champion now: ${result.champion ? 'this model' : 'unchanged, promotion decides'})`,
  );
  return {
    ok: true,
    modelId: result.modelId,
    jobName,
    championBefore: evaluation.champion?.modelId ?? null,
  };
}

/** Fails the job before any data is read when a GPU instance would train without its GPU. */
async function checkAcceleratorInUse(
  paths: SageMakerPaths,
  hyperparameters: ParsedHyperparameters,
): Promise<void> {
  const resourceConfig = await readFile(paths.resourceConfig, 'utf8').then(
    (text) => resourceConfigSchema.parse(JSON.parse(text)),
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
  const instanceType = resourceConfig?.current_instance_type;
  const backend = await selectBackend(hyperparameters.backend ?? 'auto');
  checkAccelerator({
    instanceType,
    instanceHasGpu: instanceType !== undefined && instanceHasGpu(instanceType),
    backend: backend.name,
    gpuInUse: backendUsesGpu(backend.name),
    allowCpu: hyperparameters.allowCpu ?? false,
  });
}

/** The model's registry files into /opt/ml/model, so the job's model.tar.gz is a loadable copy. */
async function copyModelDirectory(store: ObjectStore, modelId: string, modelDir: string): Promise<void> {
  const prefix = modelKey(modelId, '');
  // the registry layout (models/<id>/...), so the directory opens as a store: openStore('file://' + modelDir)
  const target = path.join(modelDir, prefix);
  await mkdir(target, { recursive: true });
  for (const key of await store.list(prefix)) {
    const bytes = await store.get(key);
    if (bytes !== undefined) await writeFile(path.join(target, key.slice(prefix.length)), bytes);
  }
}

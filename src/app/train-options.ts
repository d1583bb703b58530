/**
 * What a caller hands the training use case (train.ts), shared by its steps: planning
 * (training-plan.ts), the fold loop (training-folds.ts) and persistence (save-trained-model.ts).
 */
import type { Config } from '../config/schema.js';
import type { BackendPreference } from '../contracts/backends.js';
import { Alpha15Error } from '../errors.js';
import type { MarketFrame } from '../lake/frame.js';
import type { EpochRecord } from '../model/artifacts.js';
import type { RunRecord } from '../runs/run-record.js';
import type { ObjectStore } from '../store/object-store.js';

/** What a training run reports as it goes; every call is synchronous and cheap. */
export interface TrainingProgress {
  startFold(fold: number, foldCount: number, epochs: number): void;
  batch(epoch: number, samplesDone: number, samplesPerEpoch: number, loss: number): void;
  epoch(record: EpochRecord): void;
  stop(): void;
}

export interface TrainModelOptions {
  config: Config;
  /** The market to learn from; when omitted it is read from `store` over [fromMs, toMs). */
  frame?: MarketFrame;
  /** Where data is read from, the parent model loaded from and the new model saved to. */
  store?: ObjectStore;
  /** Defaults: the span every symbol's lake watermark covers (fine-tune: from the parent's data end). */
  fromMs?: number;
  toMs?: number;
  /** Fine-tune: start from this model's weights, stats and target scale; train on the new data only. */
  initModelId?: string;
  backend?: BackendPreference;
  /** Save into the store's registry (default: whenever a store is given). */
  save?: boolean;
  /**
   * true: make the new model champion even if one exists; undefined: champion only when there is none;
   * 'never': leave the champion pointer alone (the SageMaker job, whose role may not write it: its
   * promotion step promotes a first model too).
   */
  promote?: boolean | 'never';
  /**
   * Keep the trained model in memory and return it as `predictor` (the caller disposes it). Without
   * it the model's tensors are freed once it is saved: most callers only need the stored model.
   */
  predictor?: boolean;
  /** Told of every fold, batch and epoch (the CLI draws a bar from it). */
  progress?: TrainingProgress;
  onEpoch?: (record: EpochRecord) => void;
  /** Ctrl-C: stop after the current batch and keep (and save) the best weights so far. */
  signal?: AbortSignal;
  /**
   * Save a model the signal stopped (default true, Ctrl-C keeps its work). A stopped SageMaker job
   * says false: its checkpoint carries the work, and a saved model would pass for a finished candidate.
   */
  saveIfAborted?: boolean;
  /** Checkpoint every completed epoch here, and resume from the checkpoint of the same run found here. */
  checkpointDir?: string;
  /** Resume, checkpoint and threshold notices (default: none). */
  log?: (line: string) => void;
  nowMs?: number;
  /**
   * How the saved run is recorded in the runs index (default: a `train` run of no study). A SageMaker
   * tuning job's trial is a `tune-trial` of its tuning job, with the hyperparameters it was handed.
   */
  run?: Pick<RunRecord, 'kind' | 'study' | 'params'>;
}

/** An option combination training cannot honour. */
export class TrainingOptionsError extends Alpha15Error {
  readonly code = 'TRAINING_OPTIONS';
}

export function requireStore(options: TrainModelOptions, purpose: string): ObjectStore {
  if (options.store === undefined)
    throw new TrainingOptionsError(`${purpose} needs an object store`, 'give the training an object store', {
      data: { reason: 'no-store' },
    });
  return options.store;
}

/**
 * The training use case, the one driver behind `alpha15 train`, `npm start` and the SageMaker job:
 * market frame → features and targets → chronological folds with embargo (walk-forward: several) →
 * per fold, trainFold (src/model: stats fitted on its training rows only, a ResNet1D or the parent
 * model in fine-tune mode, fitFold) → validation predictions → strategy thresholds → the artifact in
 * the registry, and the champion rule (evaluate-and-promote.ts) for an empty seat or `promote`.
 * With a checkpoint directory, every completed epoch is checkpointed there and a run of the same
 * config and data continues from it (checkpoint.ts, resume.ts).
 */
import { FEATURE_NAMES } from '../features/features.js';
import { coinWeights, modelTargets } from '../features/targets.js';
import type * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import type { MarketFrame } from '../lake/frame.js';
import { readFrame } from '../lake/reader.js';
import { readWatermark } from '../lake/watermark.js';
import { runEpochs, type RunRecord } from '../runs/run-record.js';
import { recordRun } from '../runs/runs-index.js';
import type { ObjectStore } from '../store/object-store.js';
import { fitStrategyOnRows } from '../strategy/fit.js';
import { THRESHOLDS_FILE, type StrategyParams } from '../strategy/params.js';
import { MINUTE_MS } from '../time.js';
import { firstInputMinuteMs } from '../model/warm-up.js';
import {
  newModelId,
  type EpochRecord,
  type FoldSummary,
  type ModelMeta,
  type TimeRange,
  type ValidationSummary,
} from '../model/artifacts.js';
import { selectBackend, type BackendInfo } from '../model/backend.js';
import { type BackendPreference } from '../contracts/backends.js';
import { writeCheckpoint, type CompletedFold } from '../model/checkpoint.js';
import { currentGitRevision } from '../model/git-revision.js';
import { icDecay, type IcAtHorizon } from '../model/ic-decay.js';
import { summarise } from '../prediction-metrics.js';
import { createPredictor, type Predictor } from '../model/predictor.js';
import { loadModel, saveModel, type StoredModel } from '../model/registry.js';
import { ModelSymbolsMismatchError } from '../model/registry-errors.js';
import { describeResume, resumableCheckpoint, trainingIdentity } from '../model/resume.js';
import type { PreparedFold } from '../model/training-data.js';
import type { Evaluation } from '../model/training-loop.js';
import { trainFold } from '../model/train-fold.js';
import { planFolds } from '../model/walk-forward.js';
import { weightedCorrelation } from '../statistics.js';
import { promoteCandidate, type ValidationPredictions } from './evaluate-and-promote.js';

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

export interface TrainResult {
  modelId: string;
  backend: BackendInfo;
  meta: ModelMeta;
  /** The kept model's validation metrics (the last fold's in walk-forward), with the weighted correlation. */
  val: ValidationSummary;
  /** The kept model's validation IC against its target at 1, 5, 15, 30 and 60 minutes. */
  icDecay: IcAtHorizon[];
  folds: FoldSummary[];
  /** Walk-forward only: each metric averaged over the folds. */
  foldMean?: { loss: number; ic: number; rankIc: number; hitRate: number };
  epochs: EpochRecord[];
  samplesPerSecond: number;
  aborted: boolean;
  /** The checkpoint this run continued from (its fold and last completed epoch), or null. */
  resumedFrom: { fold: number; epoch: number } | null;
  saved: boolean;
  /** The runs-index record of a saved run (runs/<id>.json), or null when nothing was saved. */
  runId: string | null;
  champion: boolean;
  /** The strategy fitted on the validation predictions, or null when it could not be fitted. */
  thresholds: StrategyParams | null;
  validation: ValidationPredictions;
  /** The trained model, in memory; dispose() it when done. */
  predictor: Predictor;
}

/** The store holds no candles for a symbol the run needs. */
export class NoTrainingDataError extends Alpha15Error {
  readonly code = 'NO_TRAINING_DATA';
}

/** An option combination training cannot honour. */
export class TrainingOptionsError extends Alpha15Error {
  readonly code = 'TRAINING_OPTIONS';
}

interface FoldOutcome {
  prepared: PreparedFold;
  model: tf.LayersModel;
  best: Evaluation;
  summary: FoldSummary;
}

export async function trainModel(options: TrainModelOptions): Promise<TrainResult> {
  const backend = await selectBackend(options.backend ?? 'auto');
  const parent =
    options.initModelId === undefined
      ? undefined
      : await loadModel(requireStore(options, 'fine-tuning a stored model'), options.initModelId);
  try {
    return await trainWith(options, backend, parent);
  } catch (error) {
    parent?.model.dispose();
    throw error;
  }
}

async function trainWith(
  options: TrainModelOptions,
  backend: BackendInfo,
  parent: StoredModel | undefined,
): Promise<TrainResult> {
  const startedAtMs = options.nowMs ?? Date.now();
  const startedPerfMs = performance.now();
  const config = parent === undefined ? options.config : inheritFromParent(options.config, parent);
  const frame = options.frame ?? (await readTrainingFrame(options, config, parent));
  if (frame.symbols.join(',') !== config.symbols.join(',')) {
    if (parent !== undefined)
      throw new ModelSymbolsMismatchError(parent.meta.id, parent.meta.symbols, frame.symbols);
    throw new TrainingOptionsError(
      `the frame holds [${frame.symbols.join(', ')}] but the config asks for [${config.symbols.join(', ')}]`,
    );
  }
  if (config.target === 'residual' && config.symbols.length < 2) {
    throw new TrainingOptionsError(
      `target 'residual' needs at least two symbols: the residual of a one-coin universe is always 0`,
      "add symbols or use target 'raw'",
    );
  }
  // a fine-tuned model keeps its parent's universe weights, so its target means what the parent's did
  const weights = parent?.meta.coinWeights ?? coinWeights(config.coinWeights, config.symbols);
  const targets = modelTargets(frame, config.horizonMinutes, config.target, weights);
  const plan = planFolds(frame.length, {
    windowMinutes: config.windowMinutes,
    horizonMinutes: config.horizonMinutes,
    training: config.training,
  });
  if (parent !== undefined && plan.walkForward) {
    throw new TrainingOptionsError(
      'walk-forward folds and fine-tuning a stored model cannot be combined',
      'fine-tune on new data, or run walk-forward from scratch',
      { data: { reason: 'walk-forward-with-init' } },
    );
  }
  const rowTime = (row: number) => frame.startTimeMs + row * MINUTE_MS;
  const rangeTime = (range: { fromRow: number; toRow: number }): TimeRange => ({
    fromMs: rowTime(range.fromRow),
    toMs: rowTime(range.toRow),
  });
  const { checkpointDir } = options;
  const log = options.log ?? (() => {});
  const identity =
    checkpointDir === undefined
      ? undefined
      : trainingIdentity(
          config,
          rangeTime({ fromRow: 0, toRow: frame.length }),
          parent?.meta.id ?? null,
          plan,
        );
  const resumed = identity && (await resumableCheckpoint(checkpointDir!, identity, log));
  if (resumed !== undefined) log(describeResume(checkpointDir!, resumed, plan.folds.length));
  // walk-forward folds finished before the interruption are not trained again
  const completedFolds: CompletedFold[] = [...(resumed?.completedFolds ?? [])];
  const { progress } = options;

  const epochs: EpochRecord[] = [];
  const summaries: FoldSummary[] = [];
  let samplesSeen = 0;
  let trainSeconds = 0;
  let aborted = false;
  let final: FoldOutcome | undefined;
  try {
    for (const fold of plan.folds) {
      const completed = completedFolds.find((done) => done.summary.fold === fold.fold);
      if (completed !== undefined) {
        epochs.push(...completed.records);
        summaries.push(completed.summary);
        continue;
      }
      if (final !== undefined) final.model.dispose();
      progress?.startFold(fold.fold, plan.folds.length, config.training.epochs);
      const { prepared, model, fit } = await trainFold(frame, targets, fold, config, {
        parent,
        signal: options.signal,
        onBatch:
          progress &&
          ((batch) => progress.batch(batch.epoch, batch.samplesDone, batch.samplesTotal, batch.loss)),
        onEpoch: (record) => {
          progress?.epoch(record);
          options.onEpoch?.(record);
        },
        resume: resumed?.current.fold === fold.fold ? resumed.current : undefined,
        onCheckpoint:
          identity && ((current) => writeCheckpoint(checkpointDir!, { identity, completedFolds, current })),
      });
      epochs.push(...fit.records);
      samplesSeen += fit.trainSamplesSeen;
      trainSeconds += fit.trainSeconds;
      const summary: FoldSummary = {
        fold: fold.fold,
        train: rangeTime(fold.train),
        validation: rangeTime(fold.validation),
        val: validationSummary(fit.best),
        epochs: fit.records.length,
      };
      summaries.push(summary);
      completedFolds.push({ summary, records: fit.records });
      final = { prepared, model, best: fit.best, summary };
      if (fit.aborted) {
        aborted = true;
        break;
      }
    }
  } finally {
    progress?.stop();
  }
  if (final === undefined) throw new TrainingOptionsError('no training fold was planned');

  const { prepared, model, best, summary } = final;
  const lastFold = plan.folds.at(-1)!;
  const modelId = newModelId(options.nowMs);
  const validation = validationPredictions(best, prepared, rowTime);
  const val: ValidationSummary = {
    ...summary.val,
    weightedCorrelation: weightedCorrelation(
      validation.predictions,
      validation.realised,
      validation.mask,
      weights,
    ),
  };
  const decay = icDecay({
    frame,
    rows: prepared.validationEndRows,
    predictions: validation.predictions,
    target: config.target,
    coinWeights: weights,
  });
  const meta: ModelMeta = {
    formatVersion: 1,
    id: modelId,
    symbols: [...config.symbols],
    windowMinutes: config.windowMinutes,
    horizonMinutes: config.horizonMinutes,
    featureNames: [...FEATURE_NAMES],
    timeChannels: config.model.timeChannels,
    channels: prepared.features.channels,
    targetScale: prepared.targetScale,
    target: config.target,
    coinWeights: weights,
    icDecay: decay,
    architecture: {
      filters: config.model.filters,
      blocks: config.model.blocks,
      kernelSize: config.model.kernelSize,
      seed: config.model.seed,
    },
    data: { fromMs: frame.startTimeMs, toMs: rowTime(frame.length) },
    split: {
      embargoMinutes: plan.embargoMinutes,
      train: rangeTime(lastFold.train),
      validation: rangeTime(lastFold.validation),
      test: lastFold.test === undefined ? null : rangeTime(lastFold.test),
    },
    folds: plan.walkForward ? summaries : [],
    validation: val,
    trainingSamples: prepared.trainEndRows.length,
    epochs: epochs.filter((record) => record.fold === lastFold.fold).length,
    samplesPerSecond: trainSeconds > 0 ? samplesSeen / trainSeconds : 0,
    backend: backend.name,
    gitRevision: currentGitRevision(),
    parentModelId: parent?.meta.id ?? null,
    weightsByteLength: 0,
    createdAtMs: options.nowMs ?? Date.now(),
  };
  const thresholds = fitThresholds(config, frame, prepared.validationEndRows, validation, log);

  const save = (options.save ?? options.store !== undefined) && (!aborted || options.saveIfAborted !== false);
  let savedMeta = meta;
  let champion = false;
  let runId: string | null = null;
  if (save) {
    const store = requireStore(options, 'saving');
    savedMeta = await saveModel(store, {
      meta,
      model,
      stats: prepared.stats,
      config,
      epochs,
      extraFiles: thresholds === null ? {} : { [THRESHOLDS_FILE]: JSON.stringify(thresholds, null, 2) },
    });
    // 'never': the SageMaker job, whose role may not write the pointer (promotion decides for it)
    if (options.promote !== 'never') {
      const promotion = await promoteCandidate(
        store,
        { candidateId: modelId, requested: options.promote ?? false },
        { nowMs: options.nowMs },
      );
      champion = promotion.decision.promote;
    }
    const foldMean = plan.walkForward ? meanOverFolds(summaries) : undefined;
    const run = await recordRun(store, {
      kind: 'train',
      study: null,
      ...options.run,
      status: aborted ? 'aborted' : 'completed',
      config,
      data: meta.data,
      gitRevision: meta.gitRevision,
      backend: backend.name,
      ...(backend.adapter && { adapter: backend.adapter }),
      modelId,
      startedAtMs,
      durationMs: performance.now() - startedPerfMs,
      epochs: runEpochs(epochs),
      final: {
        valIc: summary.val.ic,
        valRankIc: summary.val.rankIc,
        valHitRate: summary.val.hitRate,
        valLoss: summary.val.loss,
        ...(foldMean && { foldMeanIc: foldMean.ic, foldMeanRankIc: foldMean.rankIc }),
        samplesPerSecond: meta.samplesPerSecond,
      },
    });
    runId = run.id;
  }
  return {
    modelId,
    backend,
    meta: savedMeta,
    val,
    icDecay: decay,
    folds: summaries,
    foldMean: plan.walkForward ? meanOverFolds(summaries) : undefined,
    epochs,
    samplesPerSecond: meta.samplesPerSecond,
    aborted,
    resumedFrom:
      resumed === undefined ? null : { fold: resumed.current.fold, epoch: resumed.current.progress.epoch },
    saved: save,
    runId,
    champion,
    thresholds,
    validation,
    predictor: createPredictor(savedMeta, prepared.stats, model),
  };
}

/** The best epoch's validation predictions and targets, back in plain returns. */
function validationPredictions(
  best: Evaluation,
  prepared: PreparedFold,
  rowTime: (row: number) => number,
): ValidationPredictions {
  const coinCount = prepared.targetScale.length;
  const unscale = (values: Float32Array) =>
    values.map((value, at) => value * prepared.targetScale[at % coinCount]!);
  return {
    timesMs: Float64Array.from(prepared.validationEndRows, rowTime),
    predictions: unscale(best.predictions),
    realised: unscale(best.realised),
    mask: best.mask,
  };
}

/**
 * The strategy's thresholds from the validation predictions, each trade priced by the fill model on the
 * frame's prices (not by the model's target); a run too small to fit them still yields a model.
 */
function fitThresholds(
  config: Config,
  frame: MarketFrame,
  validationEndRows: ArrayLike<number>,
  validation: ValidationPredictions,
  log: (line: string) => void,
): StrategyParams | null {
  try {
    return fitStrategyOnRows({
      frame,
      rows: validationEndRows,
      predictions: validation.predictions,
      predictionMask: validation.mask,
      config,
    });
  } catch (error) {
    if (!(error instanceof Alpha15Error)) throw error;
    log(`alpha15: no thresholds.json for this model: ${error.message}`);
    return null;
  }
}

function validationSummary(evaluation: Evaluation): ValidationSummary {
  return { loss: evaluation.loss, ...summarise(evaluation.metrics), perCoin: evaluation.metrics };
}

function meanOverFolds(folds: FoldSummary[]): { loss: number; ic: number; rankIc: number; hitRate: number } {
  const mean = (pick: (fold: FoldSummary) => number) =>
    folds.reduce((sum, fold) => sum + pick(fold), 0) / folds.length;
  return {
    loss: mean((fold) => fold.val.loss),
    ic: mean((fold) => fold.val.ic),
    rankIc: mean((fold) => fold.val.rankIc),
    hitRate: mean((fold) => fold.val.hitRate),
  };
}

/** A fine-tuned model keeps its parent's symbols, window, horizon, features and architecture. */
function inheritFromParent(config: Config, parent: StoredModel): Config {
  const { meta } = parent;
  return {
    ...config,
    symbols: [...meta.symbols],
    windowMinutes: meta.windowMinutes,
    horizonMinutes: meta.horizonMinutes,
    target: meta.target ?? 'raw',
    model: { ...config.model, ...meta.architecture, timeChannels: meta.timeChannels },
  };
}

async function readTrainingFrame(
  options: TrainModelOptions,
  config: Config,
  parent: StoredModel | undefined,
): Promise<MarketFrame> {
  const store = requireStore(options, 'reading the lake');
  let fromMs = options.fromMs ?? parent?.meta.data.toMs;
  let toMs = options.toMs;
  if (fromMs === undefined || toMs === undefined) {
    const span = await lakeSpan(store, config.symbols);
    if (options.fromMs === undefined && parent === undefined) fromMs = span.fromMs;
    if (options.toMs === undefined) toMs = span.toMs;
  }
  // Fine-tuning learns new targets only, but its first windows may look back into the parent's data.
  if (options.fromMs === undefined && parent !== undefined)
    fromMs = firstInputMinuteMs(fromMs!, config.windowMinutes);
  return readFrame(store, config.symbols, fromMs!, toMs!);
}

/** [fromMs, toMs) that every symbol's lake watermark covers. */
export async function lakeSpan(store: ObjectStore, symbols: readonly string[]): Promise<TimeRange> {
  let fromMs = -Infinity;
  let toMs = Infinity;
  for (const symbol of symbols) {
    const watermark = await readWatermark(store, symbol);
    if (watermark === undefined) {
      throw new NoTrainingDataError(
        `the store ${store.url} holds no candles for ${symbol}`,
        'ingest these symbols first, or train on symbols the lake holds',
        { data: { symbol, storeUrl: store.url } },
      );
    }
    fromMs = Math.max(fromMs, watermark.firstOpenTimeMs);
    toMs = Math.min(toMs, watermark.lastOpenTimeMs + MINUTE_MS);
  }
  return { fromMs, toMs };
}

function requireStore(options: TrainModelOptions, purpose: string): ObjectStore {
  if (options.store === undefined)
    throw new TrainingOptionsError(`${purpose} needs an object store`, 'give the training an object store', {
      data: { reason: 'no-store' },
    });
  return options.store;
}

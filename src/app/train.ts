/**
 * The training use case, the one driver behind `alpha15 train`, `npm start` and the SageMaker job,
 * read top to bottom in four steps:
 * - planning (training-plan.ts): market frame → features and targets → chronological folds with
 *   embargo (walk-forward: several), and the checkpoint a run of the same config and data continues from;
 * - the folds (training-folds.ts): per fold, fitFoldModel (src/model: stats fitted on its training rows
 *   only, a ResNet1D or the parent model in fine-tune mode, the epoch loop), every completed epoch
 *   checkpointed when a checkpoint directory is given (checkpoint.ts, resume.ts);
 * - the metadata (trained-model-meta.ts): validation predictions → IC decay, meta.json, strategy thresholds;
 * - persistence (save-trained-model.ts): the artifact in the registry, the champion rule
 *   (evaluate-and-promote.ts) for an empty seat or `promote`, the run in the runs index.
 */
import type { FoldSummary, ModelMeta, EpochRecord, ValidationSummary } from '../model/artifacts.js';
import { selectBackend, type BackendInfo } from '../model/backend.js';
import type { IcAtHorizon } from '../model/ic-decay.js';
import { createPredictor, type Predictor } from '../model/predictor.js';
import { loadModel, type StoredModel } from '../model/registry.js';
import type { StrategyParams } from '../strategy/params.js';
import type { ValidationPredictions } from './evaluate-and-promote.js';
import { saveTrainedModel, type SavedTrainedModel } from './save-trained-model.js';
import { describeTrainedModel, meanOverFolds, type FoldMean } from './trained-model-meta.js';
import { requireStore, type TrainModelOptions } from './train-options.js';
import { trainFolds } from './training-folds.js';
import { planTraining } from './training-plan.js';

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
  foldMean?: FoldMean;
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
}

/** A run asked for `predictor: true`: the trained model, in memory; dispose() it when done. */
export type TrainResultWithPredictor = TrainResult & { predictor: Predictor };

export function trainModel(
  options: TrainModelOptions & { predictor: true },
): Promise<TrainResultWithPredictor>;
export function trainModel(options: TrainModelOptions): Promise<TrainResult>;
export async function trainModel(
  options: TrainModelOptions,
): Promise<TrainResult | TrainResultWithPredictor> {
  const backend = await selectBackend(options.backend ?? 'auto');
  const parent =
    options.initModelId === undefined
      ? undefined
      : await loadModel(requireStore(options, 'fine-tuning a stored model'), options.initModelId);
  try {
    return await runTrainingSteps(options, backend, parent);
  } catch (error) {
    parent?.model.dispose();
    throw error;
  }
}

async function runTrainingSteps(
  options: TrainModelOptions,
  backend: BackendInfo,
  parent: StoredModel | undefined,
): Promise<TrainResult | TrainResultWithPredictor> {
  const startedAtMs = options.nowMs ?? Date.now();
  const startedPerfMs = performance.now();
  const plan = await planTraining(options, parent);
  const trained = await trainFolds(plan, parent, options);
  const { model, prepared } = trained.final;
  const described = describeTrainedModel(plan, trained, {
    backend,
    parent,
    nowMs: options.nowMs,
    log: options.log ?? (() => {}),
  });
  const save =
    (options.save ?? options.store !== undefined) && (!trained.aborted || options.saveIfAborted !== false);
  const saved: SavedTrainedModel | undefined = save
    ? await saveTrainedModel(
        requireStore(options, 'saving'),
        model,
        { plan, trained, described, backend, startedAtMs, startedPerfMs },
        options,
      )
    : undefined;
  const { resumed } = plan;
  const result: TrainResult = {
    modelId: described.modelId,
    backend,
    meta: saved?.meta ?? described.meta,
    val: described.val,
    icDecay: described.icDecay,
    folds: trained.summaries,
    foldMean: plan.folds.walkForward ? meanOverFolds(trained.summaries) : undefined,
    epochs: trained.epochs,
    samplesPerSecond: described.meta.samplesPerSecond,
    aborted: trained.aborted,
    resumedFrom:
      resumed === undefined ? null : { fold: resumed.current.fold, epoch: resumed.current.progress.epoch },
    saved: save,
    runId: saved?.runId ?? null,
    champion: saved?.champion ?? false,
    thresholds: described.thresholds,
    validation: described.validation,
  };
  if (options.predictor === true)
    return { ...result, predictor: createPredictor(result.meta, prepared.stats, model) };
  // no caller holds the model in memory: it lives on in the registry when it was saved
  model.dispose();
  return result;
}

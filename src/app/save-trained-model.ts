/**
 * Persisting a trained model: the registry entry (weights, stats, config, epochs, thresholds.json),
 * the champion rule for it (evaluate-and-promote.ts), and its record in the runs index.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelMeta } from '../model/artifacts.js';
import type { BackendInfo } from '../model/backend.js';
import { saveModel } from '../model/registry.js';
import { runEpochs } from '../runs/run-record.js';
import { recordRun } from '../runs/runs-index.js';
import type { ObjectStore } from '../store/object-store.js';
import { THRESHOLDS_FILE } from '../strategy/params.js';
import { promoteCandidate } from './evaluate-and-promote.js';
import type { TrainModelOptions } from './train-options.js';
import type { TrainedFolds } from './training-folds.js';
import { meanOverFolds, type TrainedModelDescription } from './trained-model-meta.js';
import type { TrainingPlan } from './training-plan.js';

export interface SavedTrainedModel {
  /** meta.json as stored (with the weights' byte length and digest). */
  meta: ModelMeta;
  champion: boolean;
  /** The runs-index record (runs/<id>.json). */
  runId: string;
}

export async function saveTrainedModel(
  store: ObjectStore,
  model: tf.LayersModel,
  run: {
    plan: TrainingPlan;
    trained: TrainedFolds;
    described: TrainedModelDescription;
    backend: BackendInfo;
    startedAtMs: number;
    startedPerfMs: number;
  },
  options: Pick<TrainModelOptions, 'promote' | 'nowMs' | 'run'>,
): Promise<SavedTrainedModel> {
  const { plan, trained, described, backend } = run;
  const { config } = plan;
  const { modelId, meta, thresholds } = described;
  const savedMeta = await saveModel(store, {
    meta,
    model,
    stats: trained.final.prepared.stats,
    config,
    epochs: trained.epochs,
    extraFiles: thresholds === null ? {} : { [THRESHOLDS_FILE]: JSON.stringify(thresholds, null, 2) },
  });
  let champion = false;
  // 'never': the SageMaker job, whose role may not write the pointer (promotion decides for it)
  if (options.promote !== 'never') {
    const promotion = await promoteCandidate(
      store,
      { candidateId: modelId, requested: options.promote ?? false },
      { nowMs: options.nowMs },
    );
    champion = promotion.decision.promote;
  }
  const foldMean = plan.folds.walkForward ? meanOverFolds(trained.summaries) : undefined;
  const { val } = trained.final.summary;
  const record = await recordRun(store, {
    kind: 'train',
    study: null,
    ...options.run,
    status: trained.aborted ? 'aborted' : 'completed',
    config,
    data: meta.data,
    gitRevision: meta.gitRevision,
    backend: backend.name,
    ...(backend.adapter && { adapter: backend.adapter }),
    modelId,
    startedAtMs: run.startedAtMs,
    durationMs: performance.now() - run.startedPerfMs,
    epochs: runEpochs(trained.epochs),
    final: {
      valIc: val.ic,
      valRankIc: val.rankIc,
      valHitRate: val.hitRate,
      valLoss: val.loss,
      ...(foldMean && { foldMeanIc: foldMean.ic, foldMeanRankIc: foldMean.rankIc }),
      samplesPerSecond: meta.samplesPerSecond,
    },
  });
  return { meta: savedMeta, champion, runId: record.id };
}

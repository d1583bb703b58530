/**
 * The folds of a training run, in time order: each fitted by fitFoldModel (src/model), its epochs
 * reported and checkpointed, its validation summarised. Folds a resumed checkpoint completed are taken
 * from it, not trained again; the signal stops the loop after the fold it interrupted.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EpochRecord, FoldSummary, ValidationSummary } from '../model/artifacts.js';
import { writeCheckpoint, type CompletedFold } from '../model/checkpoint.js';
import { fitFoldModel } from '../model/fit-fold-model.js';
import type { StoredModel } from '../model/registry.js';
import type { PreparedFold } from '../model/training-data.js';
import type { Evaluation } from '../model/training-loop.js';
import { meanCoinMetrics } from '../prediction-metrics.js';
import { TrainingOptionsError, type TrainModelOptions } from './train-options.js';
import { rangeTime, type TrainingPlan } from './training-plan.js';

/** The last fold trained: its data, its model (holding the best epoch's weights) and that epoch. */
export interface FinalFold {
  prepared: PreparedFold;
  model: tf.LayersModel;
  best: Evaluation;
  summary: FoldSummary;
}

export interface TrainedFolds {
  /** Every fold's epochs, resumed ones included. */
  epochs: EpochRecord[];
  summaries: FoldSummary[];
  final: FinalFold;
  samplesSeen: number;
  trainSeconds: number;
  aborted: boolean;
}

export async function trainFolds(
  plan: TrainingPlan,
  parent: StoredModel | undefined,
  options: TrainModelOptions,
): Promise<TrainedFolds> {
  const { config, frame, targets, checkpoint, resumed } = plan;
  const { progress } = options;
  // walk-forward folds finished before the interruption are not trained again
  const completedFolds: CompletedFold[] = [...(resumed?.completedFolds ?? [])];
  const epochs: EpochRecord[] = [];
  const summaries: FoldSummary[] = [];
  let samplesSeen = 0;
  let trainSeconds = 0;
  let aborted = false;
  let final: FinalFold | undefined;
  try {
    for (const fold of plan.folds.folds) {
      const completed = completedFolds.find((done) => done.summary.fold === fold.fold);
      if (completed !== undefined) {
        epochs.push(...completed.records);
        summaries.push(completed.summary);
        continue;
      }
      if (final !== undefined) final.model.dispose();
      progress?.startFold(fold.fold, plan.folds.folds.length, config.training.epochs);
      const { prepared, model, fit } = await fitFoldModel(frame, targets, fold, config, {
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
          checkpoint &&
          ((current) =>
            writeCheckpoint(checkpoint.dir, { identity: checkpoint.identity, completedFolds, current })),
      });
      epochs.push(...fit.records);
      samplesSeen += fit.trainSamplesSeen;
      trainSeconds += fit.trainSeconds;
      const summary: FoldSummary = {
        fold: fold.fold,
        train: rangeTime(frame, fold.train),
        validation: rangeTime(frame, fold.validation),
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
  return { epochs, summaries, final, samplesSeen, trainSeconds, aborted };
}

function validationSummary(evaluation: Evaluation): ValidationSummary {
  return { loss: evaluation.loss, ...meanCoinMetrics(evaluation.metrics), perCoin: evaluation.metrics };
}

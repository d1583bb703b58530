/**
 * One training fold from targets to a fitted model: prepareFold (stats fitted on the fold's training
 * rows), a seeded ResNet1D (or the parent model when fine-tuning), fitEpochs on the scaled targets.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.js';
import type { TargetMatrix } from '../features/targets.js';
import type { MarketFrame } from '../lake/frame.js';
import type { FoldCheckpoint } from './checkpoint.js';
import type { StoredModel } from './registry.js';
import { buildResNet1D } from './resnet1d.js';
import { scaleTargets } from './target-scale.js';
import { prepareFold, type PreparedFold } from './training-data.js';
import { fitEpochs, type FitEpochsInput, type FitEpochsResult } from './training-loop.js';
import type { TrainingFold } from './walk-forward.js';

export interface FitFoldModelOptions extends Pick<
  FitEpochsInput,
  'signal' | 'onEpoch' | 'onBatch' | 'lossReadSteps'
> {
  /** Fine-tune: train this model, with its stats and target scale, instead of a fresh ResNet1D. */
  parent?: StoredModel;
  /** Continue this fold from a checkpoint, with the checkpoint's stats and target scale. */
  resume?: FoldCheckpoint;
  /** After every completed epoch: the fold's state, to be written as a checkpoint. */
  onCheckpoint?: (checkpoint: FoldCheckpoint) => Promise<void>;
}

export interface FittedFoldModel {
  prepared: PreparedFold;
  model: tf.LayersModel;
  fit: FitEpochsResult;
}

/**
 * One fold from targets to a fitted model: prepareFold, a seeded ResNet1D (or the parent), fitEpochs on
 * the scaled targets. Exported for experiments that feed their own targets (e.g. labels shuffled in time).
 */
export async function fitFoldModel(
  frame: MarketFrame,
  targets: TargetMatrix,
  fold: TrainingFold,
  config: Config,
  options: FitFoldModelOptions = {},
): Promise<FittedFoldModel> {
  const { parent, resume, onCheckpoint } = options;
  const prepared = prepareFold(
    frame,
    targets,
    fold,
    config,
    resume ?? (parent && { stats: parent.stats, targetScale: parent.meta.targetScale }),
  );
  const model =
    parent?.model ??
    buildResNet1D({
      timesteps: config.windowMinutes,
      channels: prepared.features.channels,
      outputs: config.symbols.length,
      filters: config.model.filters,
      blocks: config.model.blocks,
      kernelSize: config.model.kernelSize,
      seed: config.model.seed,
    });
  const fit = await fitEpochs({
    model,
    features: prepared.features,
    targets: scaleTargets(prepared.targets, prepared.targetScale),
    trainEndRows: prepared.trainEndRows,
    validationEndRows: prepared.validationEndRows,
    windowMinutes: config.windowMinutes,
    training: config.training,
    seed: config.model.seed,
    fold: fold.fold,
    signal: options.signal,
    onBatch: options.onBatch,
    lossReadSteps: options.lossReadSteps,
    onEpoch: options.onEpoch,
    resume: resume?.progress,
    onCheckpoint:
      onCheckpoint &&
      ((progress) =>
        onCheckpoint({
          fold: fold.fold,
          train: fold.train,
          validation: fold.validation,
          stats: prepared.stats,
          targetScale: prepared.targetScale,
          progress,
        })),
  });
  return { prepared, model, fit };
}

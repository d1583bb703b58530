/**
 * Planning a training run, before any weight moves: the config (a fine-tune inherits its parent's
 * universe and shape), the market frame, the targets, the chronological folds with their embargo,
 * and the checkpoint this run continues from, if any.
 */
import type { Config } from '../config/schema.js';
import { coinWeights, modelTargets, type TargetMatrix } from '../features/targets.js';
import type { MarketFrame } from '../lake/frame.js';
import { readFrame } from '../lake/reader.js';
import { resolveLakeRange } from '../lake/span.js';
import type { TimeRange } from '../model/artifacts.js';
import type { TrainingCheckpoint, TrainingIdentity } from '../model/checkpoint.js';
import type { StoredModel } from '../model/registry.js';
import { ModelSymbolsMismatchError } from '../model/registry-errors.js';
import { describeResume, resumableCheckpoint, trainingIdentity } from '../model/resume.js';
import { planFolds, type FoldPlan } from '../model/walk-forward.js';
import { MINUTE_MS } from '../time.js';
import { firstInputMinuteMs } from '../model/warm-up.js';
import { requireStore, TrainingOptionsError, type TrainModelOptions } from './train-options.js';

export interface TrainingPlan {
  config: Config;
  frame: MarketFrame;
  /** The universe weights the target is measured against (a fine-tune keeps its parent's). */
  coinWeights: number[];
  targets: TargetMatrix;
  folds: FoldPlan;
  /** Where every completed epoch is checkpointed, under this run's identity; undefined: nowhere. */
  checkpoint?: { dir: string; identity: TrainingIdentity };
  /** The checkpoint this run continues from. */
  resumed?: TrainingCheckpoint;
}

export async function planTraining(
  options: TrainModelOptions,
  parent: StoredModel | undefined,
): Promise<TrainingPlan> {
  const config = parent === undefined ? options.config : inheritFromParent(options.config, parent);
  const frame = options.frame ?? (await readTrainingFrame(options, config, parent));
  assertTrainable(config, frame, parent);
  // a fine-tuned model keeps its parent's universe weights, so its target means what the parent's did
  const weights = parent?.meta.coinWeights ?? coinWeights(config.coinWeights, config.symbols);
  const targets = modelTargets(frame, config.horizonMinutes, config.target, weights);
  const folds = planFolds(frame.length, {
    windowMinutes: config.windowMinutes,
    horizonMinutes: config.horizonMinutes,
    training: config.training,
  });
  if (parent !== undefined && folds.walkForward) {
    throw new TrainingOptionsError(
      'walk-forward folds and fine-tuning a stored model cannot be combined',
      'fine-tune on new data, or run walk-forward from scratch',
      { data: { reason: 'walk-forward-with-init' } },
    );
  }
  const plan: TrainingPlan = { config, frame, coinWeights: weights, targets, folds };
  const { checkpointDir } = options;
  if (checkpointDir === undefined) return plan;
  const log = options.log ?? (() => {});
  const identity = trainingIdentity(
    config,
    rangeTime(frame, { fromRow: 0, toRow: frame.length }),
    parent?.meta.id ?? null,
    folds,
  );
  const resumed = await resumableCheckpoint(checkpointDir, identity, log);
  if (resumed !== undefined) log(describeResume(checkpointDir, resumed, folds.folds.length));
  return { ...plan, checkpoint: { dir: checkpointDir, identity }, resumed };
}

/** The open time of a frame row (the row one past the end: the frame's end). */
export function rowTime(frame: MarketFrame, row: number): number {
  return frame.startTimeMs + row * MINUTE_MS;
}

export function rangeTime(frame: MarketFrame, range: { fromRow: number; toRow: number }): TimeRange {
  return { fromMs: rowTime(frame, range.fromRow), toMs: rowTime(frame, range.toRow) };
}

function assertTrainable(config: Config, frame: MarketFrame, parent: StoredModel | undefined): void {
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
  // a fine-tune's data starts where its parent's ended
  const range = await resolveLakeRange(store, config.symbols, {
    fromMs: options.fromMs ?? parent?.meta.data.toMs,
    toMs: options.toMs,
  });
  // Fine-tuning learns new targets only, but its first windows may look back into the parent's data.
  const fromMs =
    options.fromMs === undefined && parent !== undefined
      ? firstInputMinuteMs(range.fromMs, config.windowMinutes)
      : range.fromMs;
  return readFrame(store, config.symbols, fromMs, range.toMs);
}

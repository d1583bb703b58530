/**
 * Whether a run may continue from the checkpoint in its directory. Only the same run may: same symbols,
 * window, horizon, model and training config, data range, parent model and fold split. Anything else
 * (another config, another data range, a corrupt or half-synced copy) is ignored with a warning and the
 * run trains from scratch, overwriting it at its first epoch: retraining is always correct, only slower,
 * and a spot job that failed on every restart would never finish.
 */
import type { Config } from '../config/schema.js';
import type { TimeRange } from './artifacts.js';
import {
  CorruptCheckpointError,
  readCheckpoint,
  trainingIdentitySchema,
  type TrainingCheckpoint,
  type TrainingIdentity,
} from './checkpoint.js';
import type { FoldPlan } from './walk-forward.js';

export function trainingIdentity(
  config: Config,
  data: TimeRange,
  parentModelId: string | null,
  plan: FoldPlan,
): TrainingIdentity {
  return trainingIdentitySchema.parse({
    symbols: config.symbols,
    windowMinutes: config.windowMinutes,
    horizonMinutes: config.horizonMinutes,
    model: config.model,
    training: config.training,
    data,
    parentModelId,
    folds: plan.folds.map(({ fold, train, validation }) => ({ fold, train, validation })),
  });
}

/** The checkpoint to resume from, or undefined (none, another run's, or corrupt: each warned about). */
export async function resumableCheckpoint(
  directory: string,
  identity: TrainingIdentity,
  warn: (line: string) => void,
): Promise<TrainingCheckpoint | undefined> {
  let checkpoint: TrainingCheckpoint | undefined;
  try {
    checkpoint = await readCheckpoint(directory);
  } catch (error) {
    if (!(error instanceof CorruptCheckpointError)) throw error;
    warn(`alpha15: warning: ignoring ${error.message}; training from scratch`);
    return undefined;
  }
  if (checkpoint === undefined) return undefined;
  const differing = differingFields(checkpoint.identity, identity);
  if (differing.length > 0) {
    warn(
      `alpha15: warning: ignoring the checkpoint in ${directory}: it belongs to another run ` +
        `(${differing.join(', ')} differ); training from scratch`,
    );
    return undefined;
  }
  return checkpoint;
}

/** Dotted paths whose values differ, e.g. ['training.learningRate', 'data.toMs']. */
function differingFields(saved: unknown, wanted: unknown, prefix = ''): string[] {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(saved) || !isObject(wanted))
    return JSON.stringify(saved) === JSON.stringify(wanted) ? [] : [prefix || '(root)'];
  const keys = new Set([...Object.keys(saved), ...Object.keys(wanted)]);
  return [...keys].flatMap((key) =>
    differingFields(saved[key], wanted[key], prefix ? `${prefix}.${key}` : key),
  );
}

/** The line a resumed run logs, so nobody mistakes it for a fresh one. */
export function describeResume(directory: string, checkpoint: TrainingCheckpoint, foldCount: number): string {
  const { fold, progress } = checkpoint.current;
  const { training } = checkpoint.identity;
  const where = foldCount > 1 ? `fold ${fold + 1} of ${foldCount}, ` : '';
  const state = progress.stoppedEarly
    ? 'early-stopped'
    : `epoch ${progress.epoch} of ${training.epochs} done` +
      (progress.inFlight
        ? ` and ${progress.inFlight.batchesDone} batches of epoch ${progress.inFlight.epoch}`
        : '');
  const best =
    progress.bestEpoch > 0
      ? `best validation loss ${progress.bestValLoss.toPrecision(6)} at epoch ${progress.bestEpoch}`
      : 'no validation pass yet';
  return (
    `alpha15: resuming from the checkpoint in ${directory}: ${where}${state}, ${best}, ` +
    `learning rate ${progress.learningRate}`
  );
}

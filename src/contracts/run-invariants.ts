/**
 * Rules every run obeys, whichever process starts it: the config, the training job's hyperparameters
 * and the loaders of stored artifacts check the same numbers.
 */
import { Alpha15Error } from '../errors.js';

/** The shortest model input window the config and a training job accept. */
export const MIN_WINDOW_MINUTES = 16;

/** Where a run reads the lake and writes its artifacts: `file://<dir>` or `s3://<bucket>[/<prefix>]`. */
export const STORE_URL_PATTERN = /^(file|s3):\/\/.+/;

/** A model and the strategy stored beside it disagree: trading them together would misread the thresholds. */
export class ModelStrategyMismatchError extends Alpha15Error {
  readonly code = 'MODEL_STRATEGY_MISMATCH';
}

/** What the pairing check reads of a model's meta.json. */
export interface ModelFacts {
  id: string;
  symbols: readonly string[];
  horizonMinutes: number;
  split: { validation: { fromMs: number; toMs: number } };
}

/** What the pairing check reads of a thresholds.json. */
export interface StrategyFacts {
  horizonMinutes: number;
  feeRatePerSide: number;
  pairs: Record<string, unknown>;
  /** First and last decision minute the thresholds were chosen on. */
  validation: { fromMs: number; toMs: number };
}

/**
 * The thresholds were chosen on this model's own validation predictions: same horizon, same coins,
 * inside its validation window, and (when the caller charges a fee of its own, as the paper ledger
 * does) net of that fee. Checked wherever a model and its thresholds are loaded together.
 */
export function assertStrategyFitsModel(
  model: ModelFacts,
  strategy: StrategyFacts,
  charged: { feeRatePerSide?: number } = {},
): void {
  const mismatch = (what: string) =>
    new ModelStrategyMismatchError(
      `model ${model.id} and its thresholds disagree: ${what}`,
      "refit the model's thresholds on its own validation predictions, or retrain it",
    );
  if (strategy.horizonMinutes !== model.horizonMinutes)
    throw mismatch(`horizon ${strategy.horizonMinutes} minutes vs the model's ${model.horizonMinutes}`);
  const pairs = Object.keys(strategy.pairs).sort().join(',');
  if (pairs !== [...model.symbols].sort().join(','))
    throw mismatch(`thresholds for [${pairs}] but the model predicts [${model.symbols.join(', ')}]`);
  const { validation } = model.split;
  if (strategy.validation.fromMs < validation.fromMs || strategy.validation.toMs > validation.toMs) {
    throw mismatch(
      `thresholds chosen on ${isoRange(strategy.validation)}, outside the model's validation window ${isoRange(validation)}`,
    );
  }
  if (charged.feeRatePerSide !== undefined && charged.feeRatePerSide !== strategy.feeRatePerSide) {
    throw mismatch(
      `thresholds chosen net of a ${strategy.feeRatePerSide} fee per side, but trades are charged ${charged.feeRatePerSide}`,
    );
  }
}

function isoRange(range: { fromMs: number; toMs: number }): string {
  return `${new Date(range.fromMs).toISOString()}..${new Date(range.toMs).toISOString()}`;
}

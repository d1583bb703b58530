/**
 * How much history a prediction reads, computed here and nowhere else. A prediction for decision
 * minute t reads the window of rows t - window + 1 .. t; every feature of a row is a ratio to the
 * previous close, so the minute before the window is read too (it supplies only that close). The
 * backtest, the evaluation on the champion's window, training and fine-tuning (train.ts, simulate.ts),
 * the paper tick, the replay and bench/tick.ts all size their candle reads with these functions.
 */
import { MINUTE_MS } from '../time.js';

/** Minutes before the decision minute that a prediction reads: the rest of the window and one previous close. */
export function warmUpMinutes(windowMinutes: number): number {
  return windowMinutes;
}

/** Candles a prediction reads, its decision minute included. */
export function inputCandleCount(windowMinutes: number): number {
  return warmUpMinutes(windowMinutes) + 1;
}

/** Open time of the first candle a prediction at `decisionMinuteMs` reads. */
export function firstInputMinuteMs(decisionMinuteMs: number, windowMinutes: number): number {
  return decisionMinuteMs - warmUpMinutes(windowMinutes) * MINUTE_MS;
}

/** The first row of a frame that can be a decision minute: every row of its window has its previous close. */
export function firstPredictableRow(windowMinutes: number): number {
  return warmUpMinutes(windowMinutes);
}

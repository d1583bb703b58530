/**
 * THE decision step. The backtest (src/strategy/backtest.ts) and the live paper trader
 * (src/paper/tick.ts) both call `decide()` once per minute, so what was backtested is what trades.
 *
 * Contract:
 * - `minuteMs` is the open time of the newest CLOSED 1-minute candle. A position opened now enters at
 *   that candle's close; its `entryTimeMs` is `minuteMs` and its `exitTimeMs` is
 *   `minuteMs + horizonMinutes·60 000`: the open time of the candle whose close is the exit price. So a
 *   trade's price move is exactly the model's target `close[t+h]/close[t] − 1`.
 * - `exits` are the open positions due at this minute (`exitTimeMs <= minuteMs`), in input order. The
 *   caller closes each at the close of the candle opening at ITS OWN `exitTimeMs` (the next available
 *   candle when that one is missing, flagged), never at this minute's price: a late caller (missed
 *   ticks) still gets the right exit price.
 * - `entries` are the positions to open at this minute. A pair enters long when its (calibrated)
 *   prediction is at or above its long threshold and short when at or below its short threshold; a
 *   side whose threshold is null never trades, and a prediction that crosses both (only possible when
 *   the thresholds overlap) is ambiguous and skipped. Only symbols in `tradableSymbols` (fresh, with
 *   a real candle this minute) with a finite prediction enter.
 * - Overlap (`strategy.overlap`): 'skip' opens nothing on a pair that still holds a position after
 *   this minute's exits; 'stack' opens regardless, one position per signal.
 * - Venue: with `shortsAllowed` false (a spot account, which cannot sell what it does not hold) a short
 *   signal opens nothing and is returned in `droppedShorts`, so it is counted, not hidden.
 * - Pure: no I/O, no clock, no randomness; the same input gives the same output. Positions may carry
 *   any extra fields (ids, prices); `decide` returns the caller's own objects in `exits`.
 */
import { MINUTE_MS } from '../time.js';
import { applyCalibration } from './calibration.js';
import type { StrategyParams } from './params.js';
import type { Side } from './side.js';

export interface PositionRef {
  symbol: string;
  side: Side;
  entryTimeMs: number;
  exitTimeMs: number;
}

export interface DecisionInput<P extends PositionRef = PositionRef> {
  minuteMs: number;
  /** Raw model output per symbol (the predicted `close[t+h]/close[t] − 1`); missing or NaN means no signal. */
  predictions: Readonly<Record<string, number>>;
  strategy: StrategyParams;
  openPositions: readonly P[];
  tradableSymbols: Iterable<string>;
  /** False on a long-only venue (venue.ts `shortsAllowed`); default true. */
  shortsAllowed?: boolean;
}

export interface Entry extends PositionRef {
  prediction: number;
  /** The value compared with the threshold: calibrated when the strategy is, else the raw prediction. */
  calibratedPrediction: number;
  threshold: number;
}

export interface Decision<P extends PositionRef = PositionRef> {
  exits: P[];
  entries: Entry[];
  /** Positions still open after this minute's exits, not counting this minute's entries. */
  holding: P[];
  /** Short signals a long-only venue did not open. */
  droppedShorts: Entry[];
}

/**
 * The exit rule on its own: the positions due at `minuteMs` and those still held, in input order. The
 * paper tick closes the due ones before it has predictions, then passes what it holds to `decide`.
 */
export function splitDue<P extends PositionRef>(
  openPositions: readonly P[],
  minuteMs: number,
): { exits: P[]; holding: P[] } {
  const exits: P[] = [];
  const holding: P[] = [];
  for (const position of openPositions) (position.exitTimeMs <= minuteMs ? exits : holding).push(position);
  return { exits, holding };
}

export function decide<P extends PositionRef>(input: DecisionInput<P>): Decision<P> {
  const { minuteMs, strategy } = input;
  const { exits, holding } = splitDue(input.openPositions, minuteMs);
  const heldSymbols = new Set(holding.map((position) => position.symbol));

  const entries: Entry[] = [];
  const droppedShorts: Entry[] = [];
  for (const symbol of new Set(input.tradableSymbols)) {
    const pair = strategy.pairs[symbol];
    const prediction = input.predictions[symbol];
    if (pair === undefined || prediction === undefined || !Number.isFinite(prediction)) continue;
    if (strategy.overlap === 'skip' && heldSymbols.has(symbol)) continue;
    const value = strategy.calibrated ? applyCalibration(pair.calibration, prediction) : prediction;
    const longThreshold = pair.long.threshold;
    const shortThreshold = pair.short.threshold;
    const goLong = longThreshold !== null && value >= longThreshold;
    const goShort = shortThreshold !== null && value <= shortThreshold;
    if (goLong === goShort) continue;
    (goLong || input.shortsAllowed !== false ? entries : droppedShorts).push({
      symbol,
      side: goLong ? 'long' : 'short',
      prediction,
      calibratedPrediction: value,
      threshold: (goLong ? longThreshold : shortThreshold)!,
      entryTimeMs: minuteMs,
      exitTimeMs: minuteMs + strategy.horizonMinutes * MINUTE_MS,
    });
  }
  return { exits, entries, holding, droppedShorts };
}

/**
 * What the tick needs from a model: its id, the coins it predicts, the history its window needs, the
 * strategy (thresholds, calibration) it trades with, and one prediction per coin for the newest minute
 * of a frame. The champion is loaded through a loader on every tick, so a promoted model or refitted
 * thresholds take effect at the next minute while open positions (in the ledger) carry on.
 */
import type { MarketFrame } from '../lake/frame.js';
import type { StrategyParams } from '../strategy/params.js';

export interface TickModel {
  id: string;
  /** Coins in the model's input order. */
  symbols: readonly string[];
  /** The model's input window; the candles it reads follow from it (src/model/warm-up.ts). */
  windowMinutes: number;
  strategy: StrategyParams;
  /** Raw predicted `close[t+h]/close[t] − 1` per symbol for the frame's last row; NaN or absent = none. */
  predict(frame: MarketFrame): Promise<Record<string, number>>;
}

export type ModelLoader = () => Promise<TickModel>;

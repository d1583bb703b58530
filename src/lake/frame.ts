/**
 * Klines of several symbols aligned on one gap-aware 1-minute grid: row i is the minute opening at
 * startTimeMs + i * 60 000 for every symbol. A minute with no real candle has present = 0 and NaN in
 * every value column; nothing is forward-filled, so downstream code always knows a real candle from a gap.
 */
import type { KlineValueField } from '../market/kline.js';

export type SymbolColumns = Record<KlineValueField, Float64Array> & { present: Uint8Array };

export interface MarketFrame {
  symbols: string[];
  startTimeMs: number;
  /** Number of minutes (rows) on the grid. */
  length: number;
  columns: Record<string, SymbolColumns>;
}

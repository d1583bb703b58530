/**
 * Klines of several symbols aligned on one gap-aware 1-minute grid: row i is the minute opening at
 * startTimeMs + i * 60 000 for every symbol. A minute with no real candle has present = 0 and NaN in
 * every value column; nothing is forward-filled, so downstream code always knows a real candle from a gap.
 */
import type { KlineValueField } from '../market/kline.js';
import { MINUTE_MS } from '../time.js';

export type SymbolColumns = Record<KlineValueField, Float64Array> & { present: Uint8Array };

export interface MarketFrame {
  symbols: string[];
  startTimeMs: number;
  /** Number of minutes (rows) on the grid. */
  length: number;
  columns: Record<string, SymbolColumns>;
}

/** Rows [fromRow, toRow) of a frame as views on its columns (no copy). */
export function sliceFrame(frame: MarketFrame, fromRow: number, toRow: number = frame.length): MarketFrame {
  if (!(0 <= fromRow && fromRow <= toRow && toRow <= frame.length))
    throw new RangeError(`rows [${fromRow}, ${toRow}) do not lie in a frame of ${frame.length} rows`);
  const columns = Object.fromEntries(
    Object.entries(frame.columns).map(([symbol, symbolColumns]) => [
      symbol,
      Object.fromEntries(
        Object.entries(symbolColumns).map(([field, values]) => [field, values.subarray(fromRow, toRow)]),
      ) as SymbolColumns,
    ]),
  );
  return {
    symbols: frame.symbols,
    startTimeMs: frame.startTimeMs + fromRow * MINUTE_MS,
    length: toRow - fromRow,
    columns,
  };
}

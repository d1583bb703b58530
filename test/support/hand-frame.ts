/**
 * Small MarketFrames written by hand for tests: each symbol is a list of candles, null for a missing
 * minute, so a test can state exactly which minutes exist.
 */
import type { MarketFrame, SymbolColumns } from '../../src/lake/frame.js';
import { emptySymbolColumns } from '../../src/lake/grid.js';
import { KLINE_VALUE_FIELDS, type KlineValueField } from '../../src/market/kline.js';

export type HandCandle = Partial<Record<KlineValueField, number>> & { close: number };

export function handFrame(
  startTimeMs: number,
  candles: Record<string, Array<HandCandle | null>>,
): MarketFrame {
  const symbols = Object.keys(candles);
  const length = Math.max(...symbols.map((symbol) => candles[symbol]!.length));
  const columns: Record<string, SymbolColumns> = {};
  for (const symbol of symbols) {
    const symbolColumns = emptySymbolColumns(length);
    candles[symbol]!.forEach((candle, row) => {
      if (!candle) return;
      symbolColumns.present[row] = 1;
      const { close } = candle;
      const filled: Record<KlineValueField, number> = {
        open: close,
        high: Math.max(close, candle.open ?? close),
        low: Math.min(close, candle.open ?? close),
        volume: 10,
        quoteVolume: 10 * close,
        trades: 5,
        takerBuyBaseVolume: 4,
        takerBuyQuoteVolume: 4 * close,
        ...candle,
      };
      for (const field of KLINE_VALUE_FIELDS) symbolColumns[field][row] = filled[field];
    });
    columns[symbol] = symbolColumns;
  }
  return { symbols, startTimeMs, length, columns };
}

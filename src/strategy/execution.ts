/**
 * The fill model: which price a decision's entry and its exit get, and what slippage costs. The
 * backtest replay, its random baseline, threshold fitting and the paper tick all price trades here, so
 * the cost a backtest charges is the cost the paper trader books.
 *
 * For a decision at minute m (candle m has closed) with horizon h, the fill point of the entry is the
 * boundary after candle m and that of the exit the boundary after candle m+h:
 *   'close':    entry = close[m],   exit = close of the first real candle at or after m+h;
 *   'nextOpen': entry = open[m+1],  exit = open of the first real candle at or after m+h+1.
 * Under 'nextOpen' a pair enters only when candle m+1 exists (no price, no fill), and a missing exit
 * candle moves the exit to the next real one (flagged late), as under 'close'.
 *
 * Slippage s moves both fills against the trade: a long buys at p·(1+s) and sells at p·(1−s), a short
 * sells at p·(1−s) and buys back at p·(1+s). Fees are then charged on the slipped prices (pnl.ts).
 */
import type { ExecutionConfig } from '../config/schema.js';
import type { TargetMatrix } from '../features/targets.js';
import type { MarketFrame, SymbolColumns } from '../lake/frame.js';
import type { Side } from './side.js';

export type EntryFill = ExecutionConfig['entry'];
export type Leg = 'entry' | 'exit';

/** The fill model with every pair's slippage resolved, as a fraction of the price per side. */
export interface ExecutionModel {
  entry: EntryFill;
  slippageRatePerSide: Readonly<Record<string, number>>;
}

const BPS = 1e-4;

/** A pair's slippage in basis points per side: its override, else its class default. */
export function slippageBpsPerSide(execution: ExecutionConfig, symbol: string): number {
  const { slippageBpsPerSide: slippage } = execution;
  return (
    slippage.bySymbol[symbol] ?? (execution.majorSymbols.includes(symbol) ? slippage.major : slippage.other)
  );
}

/** The same as a fraction of the price. */
export function slippageRatePerSide(execution: ExecutionConfig, symbol: string): number {
  return slippageBpsPerSide(execution, symbol) * BPS;
}

export function executionModel(execution: ExecutionConfig, symbols: readonly string[]): ExecutionModel {
  return {
    entry: execution.entry,
    slippageRatePerSide: Object.fromEntries(
      symbols.map((symbol) => [symbol, slippageRatePerSide(execution, symbol)]),
    ),
  };
}

/** The price a side gets for one leg after slippage: always the worse side of the reference price. */
export function slippedPrice(
  referencePrice: number,
  side: Side,
  leg: Leg,
  slippageRatePerSide: number,
): number {
  const paysUp = (side === 'long') === (leg === 'entry');
  return referencePrice * (paysUp ? 1 + slippageRatePerSide : 1 - slippageRatePerSide);
}

/** Offset from a fill point's candle to the candle whose price fills it. */
export function fillOffsetRows(entry: EntryFill): number {
  return entry === 'nextOpen' ? 1 : 0;
}

/** The row whose price fills at the boundary after candle `row`: the next real candle at or after the scheduled one. */
export function fillRow(present: Uint8Array, row: number, entry: EntryFill): number | undefined {
  for (let at = row + fillOffsetRows(entry); at < present.length; at++) if (present[at] === 1) return at;
  return undefined;
}

/** The reference price (before slippage) a fill at `row` gets. */
export function fillPrice(columns: SymbolColumns, row: number, entry: EntryFill): number {
  return entry === 'nextOpen' ? columns.open[row]! : columns.close[row]!;
}

/** The row of an entry decided at `row`, or undefined when that minute cannot be filled (no late entries). */
export function entryFillRow(present: Uint8Array, row: number, entry: EntryFill): number | undefined {
  const at = row + fillOffsetRows(entry);
  return at < present.length && present[at] === 1 && present[row] === 1 ? at : undefined;
}

/**
 * The reference price move `exitPrice/entryPrice − 1` of a trade decided at each row, [row][coin] with a
 * mask, for threshold fitting: only trades whose entry and exit candles both exist on schedule count
 * (a fit should not learn from gaps). Under 'close' this is exactly the raw target
 * close[t+h]/close[t] − 1, stored in the same float32, so fitting under 'close' is what it always was.
 */
export function tradeMoves(frame: MarketFrame, horizonMinutes: number, entry: EntryFill): TargetMatrix {
  const coinCount = frame.symbols.length;
  const offset = fillOffsetRows(entry);
  const values = new Float32Array(frame.length * coinCount);
  const mask = new Uint8Array(frame.length * coinCount);
  frame.symbols.forEach((symbol, coin) => {
    const columns = frame.columns[symbol]!;
    const { present } = columns;
    for (let row = 0; row + horizonMinutes + offset < frame.length; row++) {
      const entryRow = row + offset;
      const exitRow = entryRow + horizonMinutes;
      if (present[row] !== 1 || present[entryRow] !== 1 || present[exitRow] !== 1) continue;
      values[row * coinCount + coin] =
        fillPrice(columns, exitRow, entry) / fillPrice(columns, entryRow, entry) - 1;
      mask[row * coinCount + coin] = 1;
    }
  });
  return { symbols: [...frame.symbols], horizonMinutes, length: frame.length, values, mask };
}

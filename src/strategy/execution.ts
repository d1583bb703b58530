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
 *   'maker':    a limit order at the touch when the decision is made: close[m]·(1−s) for a buy,
 *               close[m]·(1+s) for a sell, the pair's slippage s standing in for the half-spread. It fills
 *               only if candle m+1 trades through the limit (low below a buy's, high above a sell's;
 *               touching is not enough, since the queue ahead of the order may take all of it), at the
 *               limit and the maker fee; otherwise there is no trade. The exit is a taker's, as 'nextOpen'.
 *
 * Slippage s moves both taker fills against the trade: a long buys at p·(1+s) and sells at p·(1−s), a
 * short sells at p·(1−s) and buys back at p·(1+s). Fees are then charged on the slipped prices (pnl.ts),
 * and the venue's borrow and funding costs on top (venue.ts).
 */
import type { ExecutionConfig } from '../config/schema.js';
import type { TargetMatrix } from '../features/targets.js';
import type { MarketFrame, SymbolColumns } from '../lake/frame.js';
import type { Side } from './side.js';
import { venueModel, type Liquidity, type VenueModel } from './venue.js';

export type EntryFill = ExecutionConfig['entry'];
/** The rule a taker fill's reference price follows. */
export type PriceRule = 'close' | 'nextOpen';
export type Leg = 'entry' | 'exit';

/** The fill model with every pair's slippage resolved, as a fraction of the price per side, and the venue's costs. */
export interface ExecutionModel {
  entry: EntryFill;
  slippageRatePerSide: Readonly<Record<string, number>>;
  venue: VenueModel;
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

/**
 * The fill model and venue of `execution` for `symbols`; `spotTakerFeeRatePerSide` is the spot taker fee
 * (`strategy.feeRatePerSide`, or the fee a model's thresholds were chosen under).
 */
export function executionModel(
  execution: ExecutionConfig,
  symbols: readonly string[],
  spotTakerFeeRatePerSide: number,
): ExecutionModel {
  return {
    entry: execution.entry,
    slippageRatePerSide: Object.fromEntries(
      symbols.map((symbol) => [symbol, slippageRatePerSide(execution, symbol)]),
    ),
    venue: venueModel(execution, symbols, spotTakerFeeRatePerSide),
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

/** The rule exits fill by: at the close under 'close', else at the next open (a maker entry exits as a taker). */
export function exitRule(entry: EntryFill): PriceRule {
  return entry === 'close' ? 'close' : 'nextOpen';
}

/** Offset from a fill point's candle to the candle whose price fills it (a maker's entry: the minute it may fill in). */
export function fillOffsetRows(entry: EntryFill): number {
  return entry === 'close' ? 0 : 1;
}

/** The row whose price fills an exit at the boundary after candle `row`: the next real candle at or after the scheduled one. */
export function fillRow(present: Uint8Array, row: number, entry: EntryFill): number | undefined {
  for (let at = row + fillOffsetRows(entry); at < present.length; at++) if (present[at] === 1) return at;
  return undefined;
}

/** The reference price (before slippage) a taker fill at `row` gets. */
export function fillPrice(columns: SymbolColumns, row: number, entry: EntryFill): number {
  return exitRule(entry) === 'nextOpen' ? columns.open[row]! : columns.close[row]!;
}

/** The row of an entry decided at `row`, or undefined when that minute cannot be filled (no late entries). */
export function entryFillRow(present: Uint8Array, row: number, entry: EntryFill): number | undefined {
  const at = row + fillOffsetRows(entry);
  return at < present.length && present[at] === 1 && present[row] === 1 ? at : undefined;
}

/** A maker's limit at the touch: below the reference price for a buy, above it for a sell, by the half-spread. */
export function makerLimitPrice(touchReferencePrice: number, side: Side, halfSpreadRate: number): number {
  return touchReferencePrice * (side === 'long' ? 1 - halfSpreadRate : 1 + halfSpreadRate);
}

/**
 * Whether a resting limit order fills in a minute with this low and high: only when the minute trades
 * through the limit (a buy's limit above the low, a sell's below the high). A minute whose range does not
 * reach the limit, or only touches it, leaves the order unfilled.
 */
export function makerFills(side: Side, limitPrice: number, minute: { low: number; high: number }): boolean {
  return side === 'long' ? minute.low < limitPrice : minute.high > limitPrice;
}

/**
 * The entry of a signal decided at `row`: its fill row, reference price (before slippage) and liquidity;
 * undefined when it does not fill (a missing candle, or a maker's limit the next minute did not trade
 * through).
 */
export function entryFill(
  columns: SymbolColumns,
  row: number,
  side: Side,
  execution: Pick<ExecutionModel, 'entry'>,
  halfSpreadRate: number,
): { row: number; referencePrice: number; liquidity: Liquidity } | undefined {
  const at = entryFillRow(columns.present, row, execution.entry);
  if (at === undefined) return undefined;
  if (execution.entry !== 'maker')
    return { row: at, referencePrice: fillPrice(columns, at, execution.entry), liquidity: 'taker' };
  const limit = makerLimitPrice(columns.close[row]!, side, halfSpreadRate);
  const minute = { low: columns.low[at]!, high: columns.high[at]! };
  return makerFills(side, limit, minute) ? { row: at, referencePrice: limit, liquidity: 'maker' } : undefined;
}

/**
 * The reference price move `exitPrice/entryPrice − 1` of a trade decided at each row, [row][coin] with a
 * mask, for threshold fitting: only trades whose entry and exit candles both exist on schedule count
 * (a fit should not learn from gaps). Under 'close' this is exactly the raw target
 * close[t+h]/close[t] − 1, stored in the same float32, so fitting under 'close' is what it always was.
 * Under 'maker' it is the move from the decision close to the exit, whether or not a limit would fill:
 * what calibration learns; `sideTradeMoves` gives the moves of the fills themselves.
 */
export function tradeMoves(frame: MarketFrame, horizonMinutes: number, entry: EntryFill): TargetMatrix {
  return movesOf(frame, horizonMinutes, entry, (columns, decisionRow, entryRow) =>
    entry === 'maker' ? columns.close[decisionRow]! : fillPrice(columns, entryRow, entry),
  );
}

/**
 * The move of the trade one side would make at each row, priced from its entry fill: for taker fills
 * the same as `tradeMoves`; for maker entries from the side's limit to the exit, masked where the limit
 * does not fill.
 */
export function sideTradeMoves(
  frame: MarketFrame,
  horizonMinutes: number,
  execution: Pick<ExecutionModel, 'entry' | 'slippageRatePerSide'>,
  side: Side,
): TargetMatrix {
  if (execution.entry !== 'maker') return tradeMoves(frame, horizonMinutes, execution.entry);
  return movesOf(
    frame,
    horizonMinutes,
    execution.entry,
    (columns, row, _entryRow, symbol) =>
      entryFill(columns, row, side, execution, execution.slippageRatePerSide[symbol] ?? 0)?.referencePrice,
  );
}

function movesOf(
  frame: MarketFrame,
  horizonMinutes: number,
  entry: EntryFill,
  entryPriceAt: (
    columns: SymbolColumns,
    decisionRow: number,
    entryRow: number,
    symbol: string,
  ) => number | undefined,
): TargetMatrix {
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
      const entryPrice = entryPriceAt(columns, row, entryRow, symbol);
      if (entryPrice === undefined) continue;
      values[row * coinCount + coin] = fillPrice(columns, exitRow, entry) / entryPrice - 1;
      mask[row * coinCount + coin] = 1;
    }
  });
  return { symbols: [...frame.symbols], horizonMinutes, length: frame.length, values, mask };
}

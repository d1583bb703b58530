/**
 * Trade arithmetic. Every trade pays the taker fee `f` (feeRatePerSide) on both sides, and every
 * return is a fraction of the notional committed at entry:
 *
 *   long:  net = exit·(1−f) / (entry·(1+f)) − 1
 *          buy `notional/(entry·(1+f))` units (the fee comes out of the notional), sell them at exit
 *          and pay the fee on the proceeds.
 *   short: net = (entry·(1−f) − exit·(1+f)) / entry
 *          sell `notional/entry` borrowed units (the fee is taken from the proceeds), buy them back at
 *          exit paying the fee on top: the mirror of the long, profitable when the price falls.
 *
 * A flat price therefore loses ≈ 2f either way, and a long needs the price to rise by
 * (1+f)/(1−f) − 1 (≈ 2f) just to break even. Slippage (execution.ts) moves the two fill prices against
 * the trade before the fees are charged on them.
 */
import { slippedPrice } from './execution.js';
import type { Side } from './side.js';

/**
 * Net return of one trade from its entry and exit prices; the exit pays `exitFeeRate` when it differs
 * from the entry's (a maker entry, a taker exit):
 *   long:  exit·(1−fExit) / (entry·(1+fEntry)) − 1;   short: (entry·(1−fEntry) − exit·(1+fExit)) / entry.
 */
export function netReturn(
  side: Side,
  entryPrice: number,
  exitPrice: number,
  feeRatePerSide: number,
  exitFeeRate = feeRatePerSide,
): number {
  if (exitFeeRate === feeRatePerSide)
    return netReturnFromMove(side, exitPrice / entryPrice - 1, feeRatePerSide);
  const priceRatio = exitPrice / entryPrice;
  return side === 'long'
    ? (priceRatio * (1 - exitFeeRate)) / (1 + feeRatePerSide) - 1
    : 1 - feeRatePerSide - priceRatio * (1 + exitFeeRate);
}

/**
 * Net return of one trade from the reference price move `exit/entry − 1` (the model's target under
 * close fills), so the threshold sweep can price a trade from a forward return without the two prices.
 * With slippage the ratio of the two slipped fills replaces the move; without, the arithmetic is exactly
 * the fee-only one.
 */
export function netReturnFromMove(
  side: Side,
  priceMove: number,
  feeRatePerSide: number,
  slippageRatePerSide = 0,
): number {
  const priceRatio =
    slippageRatePerSide === 0
      ? 1 + priceMove
      : slippedPrice(1 + priceMove, side, 'exit', slippageRatePerSide) /
        slippedPrice(1, side, 'entry', slippageRatePerSide);
  return side === 'long'
    ? (priceRatio * (1 - feeRatePerSide)) / (1 + feeRatePerSide) - 1
    : 1 - feeRatePerSide - priceRatio * (1 + feeRatePerSide);
}

/** The gross move a trade of this side needs to break even after fees on both sides. */
export function breakEvenMove(side: Side, feeRatePerSide: number): number {
  return side === 'long'
    ? (1 + feeRatePerSide) / (1 - feeRatePerSide) - 1
    : (1 - feeRatePerSide) / (1 + feeRatePerSide) - 1;
}

/** The trade's return without fees: the price move for a long, its negation for a short. */
export function grossTradeReturn(side: Side, priceMove: number): number {
  return side === 'long' ? priceMove : -priceMove;
}

/** What the fees cost one trade, as a fraction of the entry notional: gross trade return minus net. */
export function feeCost(side: Side, priceMove: number, feeRatePerSide: number): number {
  return grossTradeReturn(side, priceMove) - netReturnFromMove(side, priceMove, feeRatePerSide);
}

/**
 * What costs a set of trades survives. Every trade's reference price move (its fills before slippage,
 * execution.ts) is re-priced with one cost per side c charged the way the fee is (pnl.ts, with c in place
 * of the fee and no slippage), and the trades' average net return is traced for c from 0 to 0.2%: the
 * cost curve. The break-even cost is the c at which that average is zero: what a trader may pay per side
 * in fees, spread and impact together before the edge is gone.
 */
import { netReturnFromMove } from './pnl.js';
import type { Side } from './side.js';

export interface CostedTrade {
  symbol: string;
  side: Side;
  priceMove: number;
}

export const COST_CURVE_DESCRIPTION =
  'the trades made at the configured cost, re-priced at each cost per side in place of fee and slippage; thresholds not refitted';

/** Costs per side the curve is traced at: 0 to 0.2% in steps of 0.01% (1 bp). */
export const COST_CURVE_POINTS_PER_SIDE: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 10_000);

/** The bisection looks for the break-even cost up to this (a 10% cost per side is beyond any venue). */
const MAX_BREAK_EVEN_PER_SIDE = 0.1;

export interface CostCurve {
  /** What this curve is, for anyone reading the JSON: not the refitted sweep (cost-sweep.ts). */
  description: typeof COST_CURVE_DESCRIPTION;
  costsPerSide: number[];
  /** Average net return per trade at each cost, over all trades; null without trades. */
  strategy: (number | null)[];
  perPair: Record<string, (number | null)[]>;
}

/**
 * Break-even cost per side; null without trades or when the trades lose before any cost (no cost
 * at or above zero breaks even), and the search bound when they clear even that.
 */
export interface BreakEvenCosts {
  strategy: number | null;
  perPair: Record<string, number | null>;
}

export function averageNetReturnAtCost(trades: readonly CostedTrade[], costPerSide: number): number | null {
  if (trades.length === 0) return null;
  let sum = 0;
  for (const trade of trades) sum += netReturnFromMove(trade.side, trade.priceMove, costPerSide);
  return sum / trades.length;
}

/** The average net return falls strictly as the cost rises, so bisection finds its single zero. */
export function breakEvenCostPerSide(trades: readonly CostedTrade[]): number | null {
  const atZero = averageNetReturnAtCost(trades, 0);
  if (atZero === null || atZero < 0) return null;
  let low = 0;
  let high = MAX_BREAK_EVEN_PER_SIDE;
  if (averageNetReturnAtCost(trades, high)! >= 0) return high;
  for (let step = 0; step < 100 && high - low > 1e-12; step++) {
    const middle = (low + high) / 2;
    if (averageNetReturnAtCost(trades, middle)! >= 0) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

export function costCurve(
  trades: readonly CostedTrade[],
  symbols: readonly string[],
): { costCurve: CostCurve; costCurveBreakEvenCostPerSide: BreakEvenCosts } {
  const bySymbol = new Map<string, CostedTrade[]>(symbols.map((symbol) => [symbol, []]));
  for (const trade of trades) bySymbol.get(trade.symbol)?.push(trade);
  const trace = (subset: readonly CostedTrade[]) =>
    COST_CURVE_POINTS_PER_SIDE.map((cost) => averageNetReturnAtCost(subset, cost));
  const perPair: CostCurve['perPair'] = {};
  const perPairBreakEven: BreakEvenCosts['perPair'] = {};
  for (const [symbol, subset] of bySymbol) {
    perPair[symbol] = trace(subset);
    perPairBreakEven[symbol] = breakEvenCostPerSide(subset);
  }
  return {
    costCurve: {
      description: COST_CURVE_DESCRIPTION,
      costsPerSide: [...COST_CURVE_POINTS_PER_SIDE],
      strategy: trace(trades),
      perPair,
    },
    costCurveBreakEvenCostPerSide: { strategy: breakEvenCostPerSide(trades), perPair: perPairBreakEven },
  };
}

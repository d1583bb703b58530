/**
 * Running totals over closed trades, for the dashboard summary: totals, per pair, per exit day, net PnL
 * per exit minute (the cumulative curve), the spread sums and the units. Every sum is exact
 * (`ExactSum`), so the totals are a function of the set of trades: the order trades arrive in, and
 * whether they were added one by one or merged from per-day totals, changes no bit. That is what lets the
 * dashboard start from the compacted days' stored totals (day-summary.ts) and still answer exactly as a
 * pass over every trade would. A year is 100,000 trades and the ledger changes every minute: each change
 * costs its new trades.
 */
import { z } from 'zod';
import { DAY_MS, MINUTE_MS } from '../../time.js';
import type { Position, Quote, Trade } from '../records.js';
import { ExactSum } from './exact-sum.js';

const BPS = 1e4;

export interface PairTotals {
  symbol: string;
  trades: number;
  long: number;
  short: number;
  netPnl: number;
  fees: number;
}

export interface DayTotals {
  dayMs: number;
  trades: number;
  netPnl: number;
  fees: number;
}

/** Fills with a recorded book, and their sums of half-spread paid and slippage assumed, in bps. */
export interface SpreadSums {
  fills: number;
  halfSpreadBps: number;
  slippageBps: number;
}

type ExactPair = {
  symbol: string;
  trades: number;
  long: number;
  short: number;
  netPnl: ExactSum;
  fees: ExactSum;
};
type ExactDay = { dayMs: number; trades: number; netPnl: ExactSum; fees: ExactSum };
type ExactSpread = { fills: number; halfSpreadBps: ExactSum; slippageBps: ExactSum };

const partials = z.array(z.number().refine(Number.isFinite));
const count = z.number().int().nonnegative();
const spreadStateSchema = z.object({ fills: count, halfSpreadBps: partials, slippageBps: partials });

/** TradeTotals as stored (exact sums as their partials); checked on every read. */
export const tradeTotalsStateSchema = z.object({
  count,
  winners: count,
  netPnl: partials,
  fees: partials,
  firstExitMs: z.number().int().nullable(),
  lastExitMs: z.number().int().nullable(),
  pairs: z.array(
    z.object({
      symbol: z.string(),
      trades: count,
      long: count,
      short: count,
      netPnl: partials,
      fees: partials,
    }),
  ),
  days: z.array(z.object({ dayMs: z.number().int(), trades: count, netPnl: partials, fees: partials })),
  /** [exit minute, partials of the net PnL of the trades that exited in it] */
  minutes: z.array(z.tuple([z.number().int(), partials])),
  spreads: z.array(spreadStateSchema.extend({ symbol: z.string() })),
  overallSpread: spreadStateSchema,
  symbols: z.array(z.string()),
  notionals: z.array(z.number()),
});
export type TradeTotalsState = z.infer<typeof tradeTotalsStateSchema>;

export class TradeTotals {
  count = 0;
  winners = 0;
  private readonly netPnlSum = new ExactSum();
  private readonly feesSum = new ExactSum();
  private readonly pairs = new Map<string, ExactPair>();
  private readonly days = new Map<number, ExactDay>();
  /** Net PnL per exit minute: every bucket of the curve is whole minutes. */
  private readonly minutes = new Map<number, ExactSum>();
  private minuteKeys: number[] = [];
  private minutesSorted = true;
  /** The exact first and last exit, which choose the curve's bucket width. */
  firstExitMs = Number.POSITIVE_INFINITY;
  lastExitMs = Number.NEGATIVE_INFINITY;
  private readonly spreads = new Map<string, ExactSpread>();
  private readonly overallSpread: ExactSpread = emptySpread();
  readonly symbols = new Set<string>();
  readonly notionals = new Set<number>();

  get netPnl(): number {
    return this.netPnlSum.value;
  }

  get fees(): number {
    return this.feesSum.value;
  }

  /** Adds one closed trade; the caller adds each trade once. */
  add(trade: Trade): this {
    this.count++;
    if (trade.netPnl > 0) this.winners++;
    this.netPnlSum.add(trade.netPnl);
    this.feesSum.add(trade.fees);
    const pair = this.pairOf(trade.symbol);
    pair.trades++;
    pair[trade.side]++;
    pair.netPnl.add(trade.netPnl);
    pair.fees.add(trade.fees);
    const day = this.dayOf(Math.floor(trade.exitTimeMs / DAY_MS) * DAY_MS);
    day.trades++;
    day.netPnl.add(trade.netPnl);
    day.fees.add(trade.fees);
    this.minuteOf(Math.floor(trade.exitTimeMs / MINUTE_MS) * MINUTE_MS).add(trade.netPnl);
    this.firstExitMs = Math.min(this.firstExitMs, trade.exitTimeMs);
    this.lastExitMs = Math.max(this.lastExitMs, trade.exitTimeMs);
    for (const quote of [trade.entryQuote, trade.exitQuote])
      addFill(this.spreads, this.overallSpread, trade.symbol, quote, trade.slippageRatePerSide);
    this.symbols.add(trade.symbol);
    this.notionals.add(trade.notional);
    return this;
  }

  /** Adds the trades another TradeTotals holds (none of them held here already). */
  merge(other: TradeTotals): this {
    this.count += other.count;
    this.winners += other.winners;
    this.netPnlSum.addSum(other.netPnlSum);
    this.feesSum.addSum(other.feesSum);
    for (const pair of other.pairs.values()) {
      const mine = addTradeSums(this.pairOf(pair.symbol), pair);
      mine.long += pair.long;
      mine.short += pair.short;
    }
    for (const day of other.days.values()) addTradeSums(this.dayOf(day.dayMs), day);
    for (const [minuteMs, sum] of other.minutes) this.minuteOf(minuteMs).addSum(sum);
    this.firstExitMs = Math.min(this.firstExitMs, other.firstExitMs);
    this.lastExitMs = Math.max(this.lastExitMs, other.lastExitMs);
    for (const [symbol, spread] of other.spreads) addSpread(this.spreadOf(symbol), spread);
    addSpread(this.overallSpread, other.overallSpread);
    for (const symbol of other.symbols) this.symbols.add(symbol);
    for (const notional of other.notionals) this.notionals.add(notional);
    return this;
  }

  /** Per pair, rounded, by symbol. */
  pairRows(): PairTotals[] {
    return [...this.pairs.values()]
      .sort((a, b) => a.symbol.localeCompare(b.symbol))
      .map((pair) => ({ ...pair, netPnl: pair.netPnl.value, fees: pair.fees.value }));
  }

  /** Per exit day, rounded, oldest first. */
  dayRows(): DayTotals[] {
    return [...this.days.values()]
      .sort((a, b) => a.dayMs - b.dayMs)
      .map((day) => ({ ...day, netPnl: day.netPnl.value, fees: day.fees.value }));
  }

  /** Cumulative net PnL at the end of each bucket (whole minutes) that closed a trade, oldest first. */
  cumulative(bucketMs: number): { timeMs: number; netPnl: number }[] {
    if (!this.minutesSorted) {
      this.minuteKeys.sort((a, b) => a - b);
      this.minutesSorted = true;
    }
    const running = new ExactSum();
    const points: { timeMs: number; netPnl: number }[] = [];
    for (let index = 0; index < this.minuteKeys.length; index++) {
      const minuteMs = this.minuteKeys[index]!;
      running.addSum(this.minutes.get(minuteMs)!);
      const timeMs = Math.floor(minuteMs / bucketMs) * bucketMs;
      const next = this.minuteKeys[index + 1];
      if (next === undefined || Math.floor(next / bucketMs) * bucketMs !== timeMs)
        points.push({ timeMs, netPnl: running.value });
    }
    return points;
  }

  /** The spread sums with the open positions' entries added, rounded. */
  spreadSums(openPositions: readonly Position[]): { perPair: Map<string, SpreadSums>; overall: SpreadSums } {
    const perPair = new Map([...this.spreads].map(([symbol, spread]) => [symbol, copySpread(spread)]));
    const overall = copySpread(this.overallSpread);
    for (const position of openPositions)
      addFill(perPair, overall, position.symbol, position.entryQuote, position.slippageRatePerSide);
    const rounded = (spread: ExactSpread): SpreadSums => ({
      fills: spread.fills,
      halfSpreadBps: spread.halfSpreadBps.value,
      slippageBps: spread.slippageBps.value,
    });
    return {
      perPair: new Map([...perPair].map(([symbol, spread]) => [symbol, rounded(spread)])),
      overall: rounded(overall),
    };
  }

  toState(): TradeTotalsState {
    return {
      count: this.count,
      winners: this.winners,
      netPnl: this.netPnlSum.toJSON(),
      fees: this.feesSum.toJSON(),
      firstExitMs: this.count > 0 ? this.firstExitMs : null,
      lastExitMs: this.count > 0 ? this.lastExitMs : null,
      pairs: [...this.pairs.values()].map((pair) => ({
        ...pair,
        netPnl: pair.netPnl.toJSON(),
        fees: pair.fees.toJSON(),
      })),
      days: [...this.days.values()].map((day) => ({
        ...day,
        netPnl: day.netPnl.toJSON(),
        fees: day.fees.toJSON(),
      })),
      minutes: [...this.minutes].map(([minuteMs, sum]) => [minuteMs, sum.toJSON()]),
      spreads: [...this.spreads].map(([symbol, spread]) => ({ symbol, ...spreadToState(spread) })),
      overallSpread: spreadToState(this.overallSpread),
      symbols: [...this.symbols],
      notionals: [...this.notionals],
    };
  }

  static fromState(state: TradeTotalsState): TradeTotals {
    const totals = new TradeTotals();
    totals.count = state.count;
    totals.winners = state.winners;
    totals.netPnlSum.addSum(new ExactSum(state.netPnl));
    totals.feesSum.addSum(new ExactSum(state.fees));
    totals.firstExitMs = state.firstExitMs ?? Number.POSITIVE_INFINITY;
    totals.lastExitMs = state.lastExitMs ?? Number.NEGATIVE_INFINITY;
    for (const pair of state.pairs)
      totals.pairs.set(pair.symbol, {
        ...pair,
        netPnl: new ExactSum(pair.netPnl),
        fees: new ExactSum(pair.fees),
      });
    for (const day of state.days)
      totals.days.set(day.dayMs, { ...day, netPnl: new ExactSum(day.netPnl), fees: new ExactSum(day.fees) });
    for (const [minuteMs, sum] of state.minutes) totals.minuteOf(minuteMs).addSum(new ExactSum(sum));
    for (const { symbol, ...spread } of state.spreads)
      addSpread(totals.spreadOf(symbol), exactSpread(spread));
    addSpread(totals.overallSpread, exactSpread(state.overallSpread));
    for (const symbol of state.symbols) totals.symbols.add(symbol);
    for (const notional of state.notionals) totals.notionals.add(notional);
    return totals;
  }

  private pairOf(symbol: string): ExactPair {
    let pair = this.pairs.get(symbol);
    if (!pair) {
      pair = { symbol, trades: 0, long: 0, short: 0, netPnl: new ExactSum(), fees: new ExactSum() };
      this.pairs.set(symbol, pair);
    }
    return pair;
  }

  private dayOf(dayMs: number): ExactDay {
    let day = this.days.get(dayMs);
    if (!day) {
      day = { dayMs, trades: 0, netPnl: new ExactSum(), fees: new ExactSum() };
      this.days.set(dayMs, day);
    }
    return day;
  }

  private minuteOf(minuteMs: number): ExactSum {
    let sum = this.minutes.get(minuteMs);
    if (!sum) {
      sum = new ExactSum();
      this.minutes.set(minuteMs, sum);
      // trades mostly exit after every trade seen: the keys stay sorted without a sort
      if (this.minuteKeys.length > 0 && minuteMs < this.minuteKeys.at(-1)!) this.minutesSorted = false;
      this.minuteKeys.push(minuteMs);
    }
    return sum;
  }

  private spreadOf(symbol: string): ExactSpread {
    let spread = this.spreads.get(symbol);
    if (!spread) this.spreads.set(symbol, (spread = emptySpread()));
    return spread;
  }
}

/** Adds a pair's or a day's trade count, net PnL and fees to another's. */
function addTradeSums<T extends { trades: number; netPnl: ExactSum; fees: ExactSum }>(
  target: T,
  source: T,
): T {
  target.trades += source.trades;
  target.netPnl.addSum(source.netPnl);
  target.fees.addSum(source.fees);
  return target;
}

function emptySpread(): ExactSpread {
  return { fills: 0, halfSpreadBps: new ExactSum(), slippageBps: new ExactSum() };
}

function copySpread(spread: ExactSpread): ExactSpread {
  return addSpread(emptySpread(), spread);
}

function addSpread(target: ExactSpread, source: ExactSpread): ExactSpread {
  target.fills += source.fills;
  target.halfSpreadBps.addSum(source.halfSpreadBps);
  target.slippageBps.addSum(source.slippageBps);
  return target;
}

function spreadToState(spread: ExactSpread): z.infer<typeof spreadStateSchema> {
  return {
    fills: spread.fills,
    halfSpreadBps: spread.halfSpreadBps.toJSON(),
    slippageBps: spread.slippageBps.toJSON(),
  };
}

function exactSpread(state: z.infer<typeof spreadStateSchema>): ExactSpread {
  return {
    fills: state.fills,
    halfSpreadBps: new ExactSum(state.halfSpreadBps),
    slippageBps: new ExactSum(state.slippageBps),
  };
}

/** Adds one fill with a recorded book (a leg without one is skipped) to its pair's sums and the overall. */
function addFill(
  perPair: Map<string, ExactSpread>,
  overall: ExactSpread,
  symbol: string,
  quote: Quote | null,
  slippageRatePerSide: number,
): void {
  if (!quote) return;
  let sums = perPair.get(symbol);
  if (!sums) perPair.set(symbol, (sums = emptySpread()));
  const paidBps = ((quote.askPrice - quote.bidPrice) / (quote.askPrice + quote.bidPrice)) * BPS;
  const assumedBps = slippageRatePerSide * BPS;
  for (const target of [sums, overall]) {
    target.fills++;
    target.halfSpreadBps.add(paidBps);
    target.slippageBps.add(assumedBps);
  }
}

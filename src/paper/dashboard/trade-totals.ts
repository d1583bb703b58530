/**
 * Running totals over the closed trades in exit order, for the dashboard summary: totals, per pair, per
 * day, the cumulative net PnL after each trade, the spread sums and the units. A ledger only gains trades,
 * and almost always at the end of the exit order, so `update` adds just the trades after the last one it
 * saw, in the order a pass from scratch takes: every sum is the same to the last bit. A trade that lands
 * before the end (one closed late) starts the totals over. A year is 100,000 trades, and the ledger
 * changes every minute: each change costs its new trades, not the year.
 */
import { DAY_MS } from '../../time.js';
import type { Position, Quote, Trade } from '../records.js';

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

export class TradeTotals {
  private seen: readonly Trade[] = [];
  netPnl = 0;
  fees = 0;
  winners = 0;
  readonly pairs = new Map<string, PairTotals>();
  readonly days = new Map<number, DayTotals>();
  /** Exit time and cumulative net PnL after each trade, in exit order. */
  readonly exitTimesMs: number[] = [];
  readonly cumulativeNetPnl: number[] = [];
  readonly spreads = new Map<string, SpreadSums>();
  readonly overallSpread: SpreadSums = emptySums();
  readonly symbols = new Set<string>();
  readonly notionals = new Set<number>();

  get count(): number {
    return this.seen.length;
  }

  /** Brings the totals to `trades` (closed trades in exit order, a superset of those seen before). */
  update(trades: readonly Trade[]): this {
    if (trades === this.seen) return this;
    const last = this.seen.length - 1;
    if (trades.length < this.seen.length || (last >= 0 && trades[last] !== this.seen[last])) this.reset();
    for (let index = this.seen.length; index < trades.length; index++) this.add(trades[index]!);
    this.seen = trades;
    return this;
  }

  private add(trade: Trade): void {
    this.netPnl += trade.netPnl;
    this.fees += trade.fees;
    if (trade.netPnl > 0) this.winners++;
    let pair = this.pairs.get(trade.symbol);
    if (!pair) {
      pair = { symbol: trade.symbol, trades: 0, long: 0, short: 0, netPnl: 0, fees: 0 };
      this.pairs.set(trade.symbol, pair);
    }
    pair.trades++;
    pair[trade.side]++;
    pair.netPnl += trade.netPnl;
    pair.fees += trade.fees;
    const dayMs = Math.floor(trade.exitTimeMs / DAY_MS) * DAY_MS;
    let day = this.days.get(dayMs);
    if (!day) {
      day = { dayMs, trades: 0, netPnl: 0, fees: 0 };
      this.days.set(dayMs, day);
    }
    day.trades++;
    day.netPnl += trade.netPnl;
    day.fees += trade.fees;
    this.exitTimesMs.push(trade.exitTimeMs);
    this.cumulativeNetPnl.push((this.cumulativeNetPnl.at(-1) ?? 0) + trade.netPnl);
    addFill(this.spreads, this.overallSpread, trade.symbol, trade.entryQuote, trade.slippageRatePerSide);
    addFill(this.spreads, this.overallSpread, trade.symbol, trade.exitQuote, trade.slippageRatePerSide);
    this.symbols.add(trade.symbol);
    this.notionals.add(trade.notional);
  }

  private reset(): void {
    this.seen = [];
    this.netPnl = 0;
    this.fees = 0;
    this.winners = 0;
    this.pairs.clear();
    this.days.clear();
    this.exitTimesMs.length = 0;
    this.cumulativeNetPnl.length = 0;
    this.spreads.clear();
    Object.assign(this.overallSpread, emptySums());
    this.symbols.clear();
    this.notionals.clear();
  }
}

export function emptySums(): SpreadSums {
  return { fills: 0, halfSpreadBps: 0, slippageBps: 0 };
}

/** Adds one fill with a recorded book (a leg without one is skipped) to its pair's sums and the overall. */
export function addFill(
  perPair: Map<string, SpreadSums>,
  overall: SpreadSums,
  symbol: string,
  quote: Quote | null,
  slippageRatePerSide: number,
): void {
  if (!quote) return;
  let sums = perPair.get(symbol);
  if (!sums) perPair.set(symbol, (sums = emptySums()));
  const paidBps = ((quote.askPrice - quote.bidPrice) / (quote.askPrice + quote.bidPrice)) * BPS;
  const assumedBps = slippageRatePerSide * BPS;
  for (const target of [sums, overall]) {
    target.fills++;
    target.halfSpreadBps += paidBps;
    target.slippageBps += assumedBps;
  }
}

/** The open positions' entries added to copies of the closed trades' spread sums. */
export function withOpenEntries(
  totals: TradeTotals,
  openPositions: readonly Position[],
): { perPair: Map<string, SpreadSums>; overall: SpreadSums } {
  const perPair = new Map([...totals.spreads].map(([symbol, sums]) => [symbol, { ...sums }]));
  const overall = { ...totals.overallSpread };
  for (const position of openPositions)
    addFill(perPair, overall, position.symbol, position.entryQuote, position.slippageRatePerSide);
  return { perPair, overall };
}

/**
 * Performance of a list of closed trades. Every trade commits the same notional, so returns add up:
 * the equity curve is the running sum of net returns in units of one trade's notional, booked at each
 * trade's exit, and the drawdown is measured on that curve.
 */
import { DAY_MS, MINUTE_MS } from '../time.js';

export interface ClosedTradeReturn {
  symbol: string;
  entryTimeMs: number;
  /** When the trade's exit price was known: the open time of the exit candle. */
  exitTimeMs: number;
  netReturn: number;
}

export interface PerformanceMetrics {
  trades: number;
  /** Share of trades with a positive net return; null without trades. */
  hitRate: number | null;
  avgNetReturn: number | null;
  totalNetReturn: number;
  /** Mean over standard deviation of the per-trade net returns (not annualised). */
  sharpe: number | null;
  /**
   * Mean over standard deviation of daily net PnL, every day of the period counted, times √365; null for
   * periods shorter than MIN_DAYS_FOR_DAILY_SHARPE, where it would be noise dressed up as a statistic.
   */
  dailySharpe: number | null;
  /** Largest fall of the equity curve from a previous peak (a positive number; 0 without losses). */
  maxDrawdown: number;
  /** Share of the period's minutes with at least one position open. */
  exposure: number;
}

export const MIN_DAYS_FOR_DAILY_SHARPE = 5;

export interface Period {
  fromMs: number;
  /** Exclusive. */
  toMs: number;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Mean over sample standard deviation; null when undefined (fewer than two values or no spread). */
export function sharpeRatio(values: readonly number[]): number | null {
  const average = mean(values);
  if (average === null || values.length < 2) return null;
  let squares = 0;
  for (const value of values) squares += (value - average) ** 2;
  const std = Math.sqrt(squares / (values.length - 1));
  return std > 0 ? average / std : null;
}

export function byExitTime<T extends ClosedTradeReturn>(trades: readonly T[]): T[] {
  return [...trades].sort((a, b) => a.exitTimeMs - b.exitTimeMs || a.entryTimeMs - b.entryTimeMs);
}

/** The equity curve (running sum of net returns at each exit, starting at 0) and its drawdown below the running peak. */
export function equityCurve(trades: readonly ClosedTradeReturn[]): {
  timesMs: number[];
  equity: number[];
  drawdown: number[];
} {
  const timesMs: number[] = [];
  const equity: number[] = [];
  const drawdown: number[] = [];
  let running = 0;
  let peak = 0;
  for (const trade of byExitTime(trades)) {
    running += trade.netReturn;
    peak = Math.max(peak, running);
    timesMs.push(trade.exitTimeMs);
    equity.push(running);
    drawdown.push(peak - running);
  }
  return { timesMs, equity, drawdown };
}

function dailyPnl(trades: readonly ClosedTradeReturn[], period: Period): number[] {
  const firstDay = Math.floor(period.fromMs / DAY_MS);
  const lastExitMs = trades.reduce((latest, trade) => Math.max(latest, trade.exitTimeMs), period.toMs - 1);
  const days = new Array<number>(Math.floor(lastExitMs / DAY_MS) - firstDay + 1).fill(0);
  for (const trade of trades) days[Math.floor(trade.exitTimeMs / DAY_MS) - firstDay]! += trade.netReturn;
  return days;
}

/** Share of the period's minutes covered by at least one position's [entry, exit) interval. */
function exposure(trades: readonly ClosedTradeReturn[], period: Period): number {
  const minutes = Math.max(0, Math.round((period.toMs - period.fromMs) / MINUTE_MS));
  if (minutes === 0) return 0;
  const covered = new Uint8Array(minutes);
  for (const trade of trades) {
    const first = Math.max(0, Math.round((trade.entryTimeMs - period.fromMs) / MINUTE_MS));
    const end = Math.min(minutes, Math.round((trade.exitTimeMs - period.fromMs) / MINUTE_MS));
    covered.fill(1, first, Math.max(first, end));
  }
  let count = 0;
  for (const flag of covered) count += flag;
  return count / minutes;
}

export function summariseTrades(trades: readonly ClosedTradeReturn[], period: Period): PerformanceMetrics {
  const returns = trades.map((trade) => trade.netReturn);
  const curve = equityCurve(trades);
  const daily = dailyPnl(trades, period);
  const dailyRatio = daily.length >= MIN_DAYS_FOR_DAILY_SHARPE ? sharpeRatio(daily) : null;
  return {
    trades: trades.length,
    hitRate: trades.length > 0 ? returns.filter((value) => value > 0).length / trades.length : null,
    avgNetReturn: mean(returns),
    totalNetReturn: returns.reduce((sum, value) => sum + value, 0),
    sharpe: sharpeRatio(returns),
    dailySharpe: dailyRatio === null ? null : dailyRatio * Math.sqrt(365),
    maxDrawdown: curve.drawdown.reduce((largest, value) => Math.max(largest, value), 0),
    exposure: exposure(trades, period),
  };
}

/** Overall metrics and one set per pair (every pair of `symbols` listed, traded or not). */
export function summariseByPair(
  trades: readonly ClosedTradeReturn[],
  symbols: readonly string[],
  period: Period,
): { overall: PerformanceMetrics; perPair: Record<string, PerformanceMetrics> } {
  const perPair: Record<string, PerformanceMetrics> = {};
  for (const symbol of symbols)
    perPair[symbol] = summariseTrades(
      trades.filter((trade) => trade.symbol === symbol),
      period,
    );
  return { overall: summariseTrades(trades, period), perPair };
}

/**
 * What the local dashboard shows, aggregated on the server so a year of trading stays a small answer:
 * totals, per-day and per-pair totals, cumulative net PnL in at most a few hundred buckets, the latest
 * trades for the scatter, the newest trades (older ones page through `tradesPage`), latest predictions
 * vs thresholds, open positions, recent ticks, and the spread paid against the slippage assumed. No I/O,
 * so it is tested without a browser or a server; the closed trades' totals are the view's running totals
 * (trade-totals.ts), which carry over between ledger versions.
 */
import { DAY_MS, MINUTE_MS } from '../../time.js';
import type { CorruptObject } from '../ledger.js';
import type { Decision, Position, TickOutcome, Trade } from '../records.js';
import { TradeTotals, type SpreadSums } from './trade-totals.js';
import { NEWEST_TRADES, type LedgerSnapshot } from './ledger-view.js';

/** Per pair: the half-spread the recorded books asked of a fill against the slippage per side charged. */
export interface SpreadRow {
  symbol: string;
  /** Fills (entries and exits) with a recorded book. */
  fills: number;
  /** Mean of (ask − bid) / (ask + bid) over those fills, in basis points: what crossing from the mid costs. */
  paidHalfSpreadBps: number | null;
  /** Mean slippage per side the fills were charged, in basis points. */
  assumedSlippageBps: number | null;
}

export interface DashboardSummary {
  generatedAtMs: number;
  /** Changes whenever the ledger does; the page and the server's cache key. */
  version: string;
  /** PnL is in the quote currency of the pairs; null when pairs of several quote currencies traded. */
  units: { currency: string | null; notionalPerTrade: number | null };
  totals: { trades: number; netPnl: number; fees: number; hitRate: number | null; openPositions: number };
  /** First and last ticked minute in the ledger. */
  span: { fromMs: number; toMs: number } | null;
  /** Cumulative net PnL at the end of each bucket that closed a trade. */
  cumulative: { timeMs: number; netPnl: number }[];
  cumulativeBucketMs: number;
  daily: { dayMs: number; trades: number; netPnl: number; fees: number }[];
  byPair: { symbol: string; trades: number; long: number; short: number; netPnl: number; fees: number }[];
  /** The latest SCATTER_TRADES trades' prediction against the realised price move. */
  scatter: { symbol: string; prediction: number; realisedReturn: number }[];
  latest: { minuteMs: number; modelId: string; predictions: Decision['predictions'] } | null;
  openPositions: Position[];
  /** The newest trades first; more through /api/trades?page=. */
  recentTrades: Trade[];
  recentTicks: TickOutcome[];
  /** Corrupt ledger objects left out of every figure above. */
  skipped: CorruptObject[];
  /**
   * What the trader moved under paper/quarantine/ in the recent ticks (bad objects, positions that could
   * not be closed), newest minute first: each is a trade the figures above do not hold.
   */
  quarantined: { minuteMs: number; key: string }[];
  /** Spread paid against spread assumed, per pair and over all (symbol 'all'). */
  spreads: { perPair: SpreadRow[]; overall: SpreadRow };
}

/** Spread paid against slippage assumed: entries of open and closed positions, exits of closed trades. */
export function spreadRows(
  trades: readonly Trade[],
  openPositions: readonly Position[],
): DashboardSummary['spreads'] {
  const totals = new TradeTotals();
  for (const trade of trades) totals.add(trade);
  return spreadRowsOf(totals, openPositions);
}

function spreadRowsOf(totals: TradeTotals, openPositions: readonly Position[]): DashboardSummary['spreads'] {
  const { perPair, overall } = totals.spreadSums(openPositions);
  const row = (symbol: string, sums: SpreadSums): SpreadRow => ({
    symbol,
    fills: sums.fills,
    paidHalfSpreadBps: sums.fills === 0 ? null : sums.halfSpreadBps / sums.fills,
    assumedSlippageBps: sums.fills === 0 ? null : sums.slippageBps / sums.fills,
  });
  return {
    perPair: [...perPair.keys()].sort().map((symbol) => row(symbol, perPair.get(symbol)!)),
    overall: row('all', overall),
  };
}

export const RECENT_TRADES = 50;
export const SCATTER_TRADES = NEWEST_TRADES;
const MAX_CUMULATIVE_POINTS = 500;
/** Bucket widths for the cumulative curve, finest first. */
const BUCKETS_MS = [MINUTE_MS, 5 * MINUTE_MS, 15 * MINUTE_MS, 60 * MINUTE_MS, 4 * 60 * MINUTE_MS, DAY_MS];
/** Quote currencies recognised at the end of a symbol, longest first so FDUSD wins over USD. */
const QUOTE_CURRENCIES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY'];

/**
 * The summary of a snapshot, taken before the view's next look (the snapshot's totals are the view's
 * running totals). `snapshot.trades` holds at least the newest SCATTER_TRADES trades; the totals hold
 * every trade.
 */
export function dashboardSummary(snapshot: LedgerSnapshot, nowMs: number): DashboardSummary {
  const { trades, totals } = snapshot;
  const { points, bucketMs } = cumulativeCurve(totals);
  return {
    generatedAtMs: nowMs,
    version: snapshot.version,
    units: unitsOf(totals, snapshot.openPositions),
    totals: {
      trades: totals.count,
      netPnl: totals.netPnl,
      fees: totals.fees,
      hitRate: totals.count > 0 ? totals.winners / totals.count : null,
      openPositions: snapshot.openPositions.length,
    },
    span: snapshot.span ?? null,
    cumulative: points,
    cumulativeBucketMs: bucketMs,
    daily: totals.dayRows(),
    byPair: totals.pairRows(),
    // the realised price move, comparable with the prediction whatever the side
    scatter: trades.slice(-SCATTER_TRADES).map((trade) => ({
      symbol: trade.symbol,
      prediction: trade.calibratedPrediction,
      realisedReturn: trade.exitPrice / trade.entryPrice - 1,
    })),
    latest: snapshot.latestDecision
      ? {
          minuteMs: snapshot.latestDecision.minuteMs,
          modelId: snapshot.latestDecision.modelId,
          predictions: snapshot.latestDecision.predictions,
        }
      : null,
    openPositions: [...snapshot.openPositions].sort((a, b) => a.exitTimeMs - b.exitTimeMs),
    recentTrades: tradesPage(trades, 0, RECENT_TRADES).trades,
    recentTicks: [...snapshot.ticks].sort((a, b) => b.minuteMs - a.minuteMs).slice(0, RECENT_TRADES),
    skipped: snapshot.skipped,
    quarantined: [...snapshot.ticks]
      .sort((a, b) => b.minuteMs - a.minuteMs)
      .flatMap((outcome) => outcome.quarantined.map((key) => ({ minuteMs: outcome.minuteMs, key }))),
    spreads: spreadRowsOf(totals, snapshot.openPositions),
  };
}

export interface TradesPage {
  /** Page 0 holds the newest trades. */
  page: number;
  pageSize: number;
  total: number;
  trades: Trade[];
}

/** One page of trades, newest first, from trades ordered oldest first. */
export function tradesPage(trades: readonly Trade[], page: number, pageSize: number): TradesPage {
  const end = Math.max(0, trades.length - page * pageSize);
  return {
    page,
    pageSize,
    total: trades.length,
    trades: trades.slice(Math.max(0, end - pageSize), end).reverse(),
  };
}

/** Cumulative net PnL at the end of each bucket, in the finest bucket that keeps the curve short. */
function cumulativeCurve(totals: TradeTotals): {
  points: DashboardSummary['cumulative'];
  bucketMs: number;
} {
  const spanMs = totals.count > 0 ? totals.lastExitMs - totals.firstExitMs : 0;
  const bucketMs = BUCKETS_MS.find((width) => spanMs / width <= MAX_CUMULATIVE_POINTS) ?? BUCKETS_MS.at(-1)!;
  return { points: totals.cumulative(bucketMs), bucketMs };
}

/** The one quote currency and notional per trade of the book, when there is one. */
function unitsOf(totals: TradeTotals, open: readonly Position[]): DashboardSummary['units'] {
  const symbols = new Set([...totals.symbols, ...open.map((position) => position.symbol)]);
  const notionals = new Set([...totals.notionals, ...open.map((position) => position.notional)]);
  const currencies = new Set(
    [...symbols].map((symbol) => QUOTE_CURRENCIES.find((quote) => symbol.endsWith(quote)) ?? null),
  );
  return {
    currency: currencies.size === 1 ? [...currencies][0]! : null,
    notionalPerTrade: notionals.size === 1 ? [...notionals][0]! : null,
  };
}

/**
 * What the local dashboard shows, computed from ledger records: the same panels as the OpenSearch
 * dashboard (cumulative net PnL, PnL and trades per pair, prediction vs realised return, latest
 * predictions vs thresholds) plus open positions, recent ticks, and the spread paid against the
 * slippage assumed. Pure, so it is tested without a browser.
 */
import type { Decision, Position, Quote, TickOutcome, Trade } from '../records.js';

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
  totals: { trades: number; netPnl: number; fees: number; hitRate: number | null; openPositions: number };
  /** First and last ticked minute in the ledger. */
  span: { fromMs: number; toMs: number } | null;
  cumulative: { timeMs: number; netPnl: number }[];
  byPair: { symbol: string; trades: number; long: number; short: number; netPnl: number }[];
  scatter: { symbol: string; prediction: number; realisedReturn: number }[];
  latest: { minuteMs: number; modelId: string; predictions: Decision['predictions'] } | null;
  openPositions: Position[];
  recentTrades: Trade[];
  recentTicks: TickOutcome[];
  /** Spread paid against spread assumed, per pair and over all (symbol 'all'). */
  spreads: { perPair: SpreadRow[]; overall: SpreadRow };
}

const BPS = 1e4;

function halfSpreadBps(quote: Quote): number {
  return ((quote.askPrice - quote.bidPrice) / (quote.askPrice + quote.bidPrice)) * BPS;
}

/** Every leg with a recorded book: entries of open and closed positions, exits of closed trades. */
export function spreadRows(
  trades: readonly Trade[],
  openPositions: readonly Position[],
): DashboardSummary['spreads'] {
  const legs: { symbol: string; quote: Quote; slippageRatePerSide: number }[] = [];
  for (const position of [...trades, ...openPositions])
    if (position.entryQuote) legs.push({ ...position, quote: position.entryQuote });
  for (const trade of trades) if (trade.exitQuote) legs.push({ ...trade, quote: trade.exitQuote });
  const row = (symbol: string, subset: typeof legs): SpreadRow => ({
    symbol,
    fills: subset.length,
    paidHalfSpreadBps:
      subset.length === 0
        ? null
        : subset.reduce((sum, leg) => sum + halfSpreadBps(leg.quote), 0) / subset.length,
    assumedSlippageBps:
      subset.length === 0
        ? null
        : subset.reduce((sum, leg) => sum + leg.slippageRatePerSide * BPS, 0) / subset.length,
  });
  const symbols = [...new Set(legs.map((leg) => leg.symbol))].sort();
  return {
    perPair: symbols.map((symbol) =>
      row(
        symbol,
        legs.filter((leg) => leg.symbol === symbol),
      ),
    ),
    overall: row('all', legs),
  };
}

export function summarise(input: {
  trades: Trade[];
  openPositions: Position[];
  latestDecision: Decision | undefined;
  ticks: TickOutcome[];
  span: { fromMs: number; toMs: number } | undefined;
  nowMs: number;
  recent?: number;
}): DashboardSummary {
  const recent = input.recent ?? 50;
  const trades = [...input.trades].sort(
    (a, b) => a.exitTimeMs - b.exitTimeMs || a.symbol.localeCompare(b.symbol),
  );
  let running = 0;
  const cumulative = trades.map((trade) => ({ timeMs: trade.exitTimeMs, netPnl: (running += trade.netPnl) }));
  const pairs = new Map<string, DashboardSummary['byPair'][number]>();
  for (const trade of trades) {
    const pair = pairs.get(trade.symbol) ?? { symbol: trade.symbol, trades: 0, long: 0, short: 0, netPnl: 0 };
    pair.trades++;
    pair[trade.side]++;
    pair.netPnl += trade.netPnl;
    pairs.set(trade.symbol, pair);
  }
  const winners = trades.filter((trade) => trade.netPnl > 0).length;
  const ticks = [...input.ticks].sort((a, b) => a.minuteMs - b.minuteMs);
  return {
    generatedAtMs: input.nowMs,
    totals: {
      trades: trades.length,
      netPnl: running,
      fees: trades.reduce((sum, trade) => sum + trade.fees, 0),
      hitRate: trades.length > 0 ? winners / trades.length : null,
      openPositions: input.openPositions.length,
    },
    span: input.span ?? null,
    cumulative,
    byPair: [...pairs.values()].sort((a, b) => a.symbol.localeCompare(b.symbol)),
    // the realised price move, comparable with the prediction whatever the side
    scatter: trades.map((trade) => ({
      symbol: trade.symbol,
      prediction: trade.calibratedPrediction,
      realisedReturn: trade.exitPrice / trade.entryPrice - 1,
    })),
    latest: input.latestDecision
      ? {
          minuteMs: input.latestDecision.minuteMs,
          modelId: input.latestDecision.modelId,
          predictions: input.latestDecision.predictions,
        }
      : null,
    openPositions: [...input.openPositions].sort((a, b) => a.exitTimeMs - b.exitTimeMs),
    recentTrades: trades.slice(-recent).reverse(),
    recentTicks: ticks.slice(-recent).reverse(),
    spreads: spreadRows(trades, input.openPositions),
  };
}

/** The columns of each table on the page, typed by the rows the server sends (view.ts). */
import { day, fixed, minute, pct, tone } from './format.js';
import type { Column } from './table.js';
import type { DayRow, LatestPrediction, OpenPosition, SpreadRow, TickRow, Trade } from './view.js';

export const LATEST_COLUMNS: readonly Column<LatestPrediction>[] = [
  ['pair', (p) => p.symbol],
  ['prediction', (p) => [pct(p.calibratedPrediction), tone(p.calibratedPrediction)]],
  ['long ≥', (p) => pct(p.longThreshold)],
  ['short ≤', (p) => pct(p.shortThreshold)],
  ['close', (p) => fixed(p.close, 6)],
  ['action', (p) => [p.action, p.action === 'long' ? 'pos' : p.action === 'short' ? 'neg' : '']],
];

export const OPEN_POSITION_COLUMNS: readonly Column<OpenPosition>[] = [
  ['pair', (p) => p.symbol],
  ['side', (p) => p.side],
  ['entry', (p) => minute(p.entryTimeMs)],
  ['exit due', (p) => minute(p.exitTimeMs)],
  ['entry price', (p) => fixed(p.entryPrice, 6)],
  ['notional', (p) => fixed(p.notional, 0)],
  ['prediction', (p) => pct(p.calibratedPrediction)],
];

export const SPREAD_COLUMNS: readonly Column<SpreadRow>[] = [
  ['pair', (r) => r.symbol],
  ['fills with a book', (r) => String(r.fills)],
  ['half-spread paid', (r) => fixed(r.paidHalfSpreadBps, 2)],
  ['slippage assumed', (r) => fixed(r.assumedSlippageBps, 2)],
];

export const DAY_COLUMNS: readonly Column<DayRow>[] = [
  ['day (UTC)', (d) => day(d.dayMs)],
  ['trades', (d) => String(d.trades)],
  ['fees', (d) => fixed(d.fees, 2)],
  ['net PnL', (d) => [fixed(d.netPnl, 2), tone(d.netPnl)]],
];

export const TRADE_COLUMNS: readonly Column<Trade>[] = [
  ['pair', (t) => t.symbol],
  ['side', (t) => t.side],
  ['entry', (t) => minute(t.entryTimeMs)],
  // a trade closed on a later candle because its exit minute had none
  ['exit', (t) => minute(t.exitTimeMs) + (t.exitCandleMissing ? ' *' : '')],
  ['entry price', (t) => fixed(t.entryPrice, 6)],
  ['exit price', (t) => fixed(t.exitPrice, 6)],
  ['notional', (t) => fixed(t.notional, 0)],
  ['prediction', (t) => pct(t.calibratedPrediction)],
  ['net return', (t) => [pct(t.netReturn), tone(t.netReturn)]],
  ['fees', (t) => fixed(t.fees, 2)],
  ['net PnL', (t) => [fixed(t.netPnl, 2), tone(t.netPnl)]],
];

export const TICK_COLUMNS: readonly Column<TickRow>[] = [
  ['minute', (t) => minute(t.minuteMs)],
  ['status', (t) => t.status],
  ['model', (t) => t.modelId],
  ['predicted', (t) => String(t.predicted)],
  ['opened', (t) => String(t.opened)],
  ['closed', (t) => String(t.closed)],
  ['stale', (t) => t.staleSymbols.join(' ')],
  ['late', (t) => t.lateSymbols.join(' ')],
  ['quarantined', (t) => String(t.quarantined.length)],
  ['ms', (t) => fixed(t.durationMs, 0)],
];

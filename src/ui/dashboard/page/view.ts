/**
 * What the page reads from the server: the server's own types (one contract, never a copy), imported as
 * types only so no server code reaches the browser bundle.
 */
import type { DashboardSummary, TradesPage } from '../../../paper/dashboard/summary.js';
import type { SummaryAnswer } from '../server.js';

export type { SummaryAnswer, TradesPage };
export type Trade = TradesPage['trades'][number];
export type OpenPosition = DashboardSummary['openPositions'][number];
export type LatestPrediction = NonNullable<DashboardSummary['latest']>['predictions'][number];
export type SpreadRow = DashboardSummary['spreads']['overall'];
export type DayRow = DashboardSummary['daily'][number];
export type TickRow = DashboardSummary['recentTicks'][number];
export type PairRow = DashboardSummary['byPair'][number];
export type CumulativePoint = DashboardSummary['cumulative'][number];
export type ScatterPoint = DashboardSummary['scatter'][number];

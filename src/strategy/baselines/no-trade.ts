/**
 * The no-trade baseline: keeping the money in the quote currency earns nothing and pays no fees. A
 * strategy whose total net return is not above zero would have done better by not trading at all.
 */
import { summariseTrades, type Period, type PerformanceMetrics } from '../performance.js';

export function noTradeBaseline(period: Period): PerformanceMetrics {
  return summariseTrades([], period);
}

/**
 * Rebuilds the telemetry copy from the ledger: every decision's predictions, every trade (closed, or
 * still open) and every tick outcome in a time range, sent again with the same ids, so a cluster that
 * was down, lost or wrongly mapped ends up holding exactly what the ledger holds.
 */
import type { TelemetryRecord, TelemetrySink } from '../telemetry/sink.js';
import type { Ledger } from './ledger.js';
import { closedTradeRecord, openedTradeRecord, predictionRecords, tickRecord } from './telemetry-records.js';

/** Records per bulk flush: bounded memory and request size over long ranges. */
const BATCH_RECORDS = 2000;

export interface ReindexResult {
  predictions: number;
  trades: number;
  ticks: number;
  delivered: number;
  failed: number;
  errors: string[];
}

export async function reindex(options: {
  ledger: Ledger;
  sink: TelemetrySink;
  fromMs: number;
  toMs: number;
}): Promise<ReindexResult> {
  const { ledger, sink, fromMs, toMs } = options;
  const [decisions, trades, open, ticks] = await Promise.all([
    ledger.listDecisions(fromMs, toMs),
    ledger.listTrades(fromMs, toMs),
    ledger.openPositions(),
    ledger.listTicks(fromMs, toMs),
  ]);
  const openInRange = open.filter(
    (position) => position.entryTimeMs >= fromMs && position.entryTimeMs < toMs,
  );
  const records: TelemetryRecord[] = [
    ...decisions.flatMap(predictionRecords),
    ...trades.map(closedTradeRecord),
    ...openInRange.map(openedTradeRecord),
    ...ticks.map(tickRecord),
  ];
  const result: ReindexResult = {
    predictions: records.filter((record) => record.stream === 'predictions').length,
    trades: trades.length + openInRange.length,
    ticks: ticks.length,
    delivered: 0,
    failed: 0,
    errors: [],
  };
  for (let start = 0; start < records.length; start += BATCH_RECORDS) {
    sink.write(records.slice(start, start + BATCH_RECORDS));
    const report = await sink.flush();
    result.delivered += report.delivered;
    result.failed += report.failed;
    result.errors.push(...report.errors.slice(0, Math.max(0, 10 - result.errors.length)));
  }
  return result;
}

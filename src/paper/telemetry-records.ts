/** Ledger records as telemetry documents, with ids that make re-sending (and reindexing) idempotent. */
import type { TelemetryRecord } from '../telemetry/sink.js';
import { minuteKey } from './ledger.js';
import type { Decision, Position, TickOutcome, Trade } from './records.js';

const iso = (timeMs: number) => new Date(timeMs).toISOString();

export function predictionRecords(decision: Decision): TelemetryRecord[] {
  return decision.predictions.map(
    ({ calibratedPrediction, longThreshold, shortThreshold, ...prediction }) => ({
      stream: 'predictions',
      id: `${minuteKey(decision.minuteMs)}-${prediction.symbol}`,
      doc: {
        '@timestamp': iso(decision.minuteMs),
        modelId: decision.modelId,
        ...prediction,
        // the dashboards compare thresholds with what was compared against them
        rawPrediction: prediction.prediction,
        prediction: calibratedPrediction,
        buyThreshold: longThreshold,
        sellThreshold: shortThreshold,
      },
    }),
  );
}

function tradeDoc(position: Position) {
  const { entryTimeMs, exitTimeMs, calibratedPrediction, prediction, ...rest } = position;
  return {
    ...rest,
    entryTime: iso(entryTimeMs),
    exitTime: iso(exitTimeMs),
    prediction: calibratedPrediction,
    rawPrediction: prediction,
  };
}

export function openedTradeRecord(position: Position): TelemetryRecord {
  return {
    stream: 'trades',
    id: position.tradeId,
    doc: { '@timestamp': iso(position.entryTimeMs), status: 'open', ...tradeDoc(position) },
  };
}

export function closedTradeRecord(trade: Trade): TelemetryRecord {
  const { exitCandleTimeMs, closedAtMs, ...position } = trade;
  return {
    stream: 'trades',
    id: trade.tradeId,
    doc: {
      '@timestamp': iso(trade.exitTimeMs),
      status: 'closed',
      ...tradeDoc(position),
      exitCandleTime: iso(exitCandleTimeMs),
      closedAt: iso(closedAtMs),
    },
  };
}

export function tickRecord(outcome: TickOutcome): TelemetryRecord {
  const { minuteMs, finishedAtMs, reconciledMinutesMs, ...rest } = outcome;
  return {
    stream: 'ticks',
    id: minuteKey(minuteMs),
    doc: {
      '@timestamp': iso(minuteMs),
      ...rest,
      reconciled: reconciledMinutesMs.length,
      finishedAt: iso(finishedAtMs),
    },
  };
}

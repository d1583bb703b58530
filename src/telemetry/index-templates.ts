/**
 * OpenSearch index templates, installed before the first document is written. Every price,
 * prediction, threshold, return and PnL is mapped as `double` explicitly: the system this project
 * continues let dynamic mapping see a first `prediction` of 0 and type the field as an integer, so every
 * dashboard showed 0 afterwards. A dynamic template maps any other number as double too.
 */
import { TELEMETRY_STREAMS, type TelemetryStream } from './sink.js';

type FieldType = 'date' | 'keyword' | 'double' | 'long' | 'boolean';

export const STREAM_FIELDS: Record<TelemetryStream, Record<string, FieldType>> = {
  predictions: {
    '@timestamp': 'date',
    symbol: 'keyword',
    modelId: 'keyword',
    action: 'keyword',
    prediction: 'double',
    rawPrediction: 'double',
    buyThreshold: 'double',
    sellThreshold: 'double',
    close: 'double',
  },
  trades: {
    '@timestamp': 'date',
    tradeId: 'keyword',
    symbol: 'keyword',
    side: 'keyword',
    status: 'keyword',
    modelId: 'keyword',
    entryTime: 'date',
    exitTime: 'date',
    entryPrice: 'double',
    exitPrice: 'double',
    exitCandleTime: 'date',
    exitCandleMissing: 'boolean',
    closedAt: 'date',
    prediction: 'double',
    rawPrediction: 'double',
    threshold: 'double',
    notional: 'double',
    feeRatePerSide: 'double',
    fees: 'double',
    grossReturn: 'double',
    netReturn: 'double',
    grossPnl: 'double',
    netPnl: 'double',
  },
  ticks: {
    '@timestamp': 'date',
    status: 'keyword',
    modelId: 'keyword',
    staleSymbols: 'keyword',
    lateSymbols: 'keyword',
    quarantined: 'keyword',
    untradableReason: 'keyword',
    exitsPending: 'keyword',
    predicted: 'long',
    opened: 'long',
    closed: 'long',
    reconciled: 'long',
    telemetryFailed: 'long',
    durationMs: 'double',
    finishedAt: 'date',
  },
  // the runs index (src/runs/): one document per train, tune trial, simulation and backtest
  runs: {
    '@timestamp': 'date',
    runId: 'keyword',
    kind: 'keyword',
    study: 'keyword',
    status: 'keyword',
    modelId: 'keyword',
    configHash: 'keyword',
    gitRevision: 'keyword',
    backend: 'keyword',
    adapterVendor: 'keyword',
    adapterDevice: 'keyword',
    durationMs: 'double',
    epochs: 'long',
    valIc: 'double',
    valRankIc: 'double',
    foldMeanIc: 'double',
    testIc: 'double',
    sharpe: 'double',
    totalNetReturn: 'double',
  },
};

export function indexName(prefix: string, stream: TelemetryStream): string {
  return `${prefix}-${stream}`;
}

/**
 * Replicas as the node count allows: none on a single-node cluster (one replica there could never be
 * assigned, and the cluster would stay yellow for good), one as soon as a second data node exists.
 */
export const INDEX_REPLICAS = { auto_expand_replicas: '0-1' } as const;

export interface IndexTemplate {
  name: string;
  body: {
    index_patterns: string[];
    priority: number;
    template: {
      settings: { number_of_shards: number } & typeof INDEX_REPLICAS;
      mappings: {
        dynamic_templates: Record<string, { match_mapping_type: string; mapping: { type: FieldType } }>[];
        properties: Record<string, { type: FieldType }>;
      };
    };
  };
}

export function indexTemplates(prefix: string): IndexTemplate[] {
  return TELEMETRY_STREAMS.map((stream) => ({
    name: indexName(prefix, stream),
    body: {
      index_patterns: [`${indexName(prefix, stream)}*`],
      priority: 100,
      template: {
        settings: { number_of_shards: 1, ...INDEX_REPLICAS },
        mappings: {
          dynamic_templates: [
            { numbers_as_double: { match_mapping_type: 'long', mapping: { type: 'double' } } },
          ],
          properties: Object.fromEntries(
            Object.entries(STREAM_FIELDS[stream]).map(([field, type]) => [field, { type }]),
          ),
        },
      },
    },
  }));
}

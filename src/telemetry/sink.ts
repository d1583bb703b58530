/**
 * The telemetry port. The tick hands every record it wrote to the ledger to a sink; adapters
 * (JSONL files, OpenSearch) implement it and the composition point picks one from config. A sink is a
 * copy for dashboards, never the source of truth: `flush()` reports what it could not deliver instead
 * of throwing, and `alpha15 reindex` rebuilds the copy from the ledger.
 */

/** One index family per kind of record; the OpenSearch index is `<prefix>-<stream>`. */
export const TELEMETRY_STREAMS = ['predictions', 'trades', 'ticks', 'runs'] as const;
export type TelemetryStream = (typeof TELEMETRY_STREAMS)[number];

export interface TelemetryRecord {
  stream: TelemetryStream;
  /** Deterministic id (e.g. the trade id), so sending a record twice overwrites instead of duplicating. */
  id: string;
  doc: { '@timestamp': string } & Record<string, unknown>;
}

export interface FlushReport {
  delivered: number;
  /** Records the sink gave up on after its retries; the ledger still holds them. */
  failed: number;
  errors: string[];
}

export interface TelemetrySink {
  /** Queues records; cheap, never throws. */
  write(records: readonly TelemetryRecord[]): void;
  /** Delivers everything queued; never throws, reports what failed. */
  flush(): Promise<FlushReport>;
}

/** A sink that drops everything, for runs that want only the ledger. */
export function nullSink(): TelemetrySink {
  let queued = 0;
  return {
    write: (records) => void (queued += records.length),
    flush: async () => {
      const delivered = queued;
      queued = 0;
      return { delivered, failed: 0, errors: [] };
    },
  };
}

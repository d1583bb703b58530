/**
 * Run records as telemetry documents (the `runs` stream, `<prefix>-runs` in OpenSearch), so the studies
 * dashboard can chart trials and their validation IC. The document id is the run id: sending a record
 * twice overwrites it.
 */
import type { TelemetryRecord, TelemetrySink } from '../telemetry/sink.js';
import type { RunRecord } from './run-record.js';
import { listRuns, type RunFilter } from './runs-index.js';
import type { ObjectStore } from '../store/object-store.js';
import type { FlushReport } from '../telemetry/sink.js';

export function runTelemetry(run: RunRecord): TelemetryRecord {
  // final metrics become top-level numbers (undefined ones are left out: JSON has no NaN)
  const finals = Object.fromEntries(Object.entries(run.final).filter(([, value]) => Number.isFinite(value)));
  const params = Object.fromEntries(
    Object.entries(run.params ?? {}).map(([name, value]) => [name.replaceAll('.', '_'), value]),
  );
  return {
    stream: 'runs',
    id: run.id,
    doc: {
      '@timestamp': new Date(run.startedAtMs).toISOString(),
      runId: run.id,
      kind: run.kind,
      study: run.study,
      status: run.status,
      modelId: run.modelId,
      configHash: run.configHash,
      gitRevision: run.gitRevision,
      backend: run.backend,
      adapterVendor: run.adapter?.vendor ?? null,
      adapterDevice: run.adapter?.device ?? null,
      durationMs: run.durationMs,
      epochs: run.epochs.length,
      ...finals,
      params,
    },
  };
}

/** Runs into the sink as their documents, delivered: what the flush could not deliver is reported. */
export async function sendRuns(sink: TelemetrySink, runs: readonly RunRecord[]): Promise<FlushReport> {
  sink.write(runs.map(runTelemetry));
  return sink.flush();
}

/** Every recorded run (of the filter) into the sink: rebuilds the runs index in OpenSearch. */
export async function indexRuns(
  store: ObjectStore,
  sink: TelemetrySink,
  filter: RunFilter = {},
): Promise<FlushReport & { runs: number }> {
  const runs = await listRuns(store, filter);
  return { runs: runs.length, ...(await sendRuns(sink, runs)) };
}

/**
 * One run record into the telemetry copy as soon as it is written: the use case behind the
 * runs-indexer Lambda (an S3 "Object Created" under `runs/`), so the training jobs' and tuning trials'
 * records reach the "alpha15 studies" dashboard without anyone running `alpha15 runs reindex`.
 *
 * The record is read back from the store and validated as `runs list` reads it (the object's key must be
 * the one its id names), then sent through the same sink and document as `runs reindex` (`sendRuns`,
 * document id = run id), so a redelivered event overwrites the document instead of adding a second one.
 * A sink reports rather than throws; here an undelivered record fails the call, so the event is retried
 * and at last kept in the failure queue, never acknowledged with nothing indexed.
 */
import { Alpha15Error } from '../errors.js';
import { runIdOfKey, RUNS_PREFIX, type RunKind } from '../runs/run-record.js';
import { InvalidRunRecordError, readRun, RunNotFoundError } from '../runs/runs-index.js';
import { sendRuns } from '../runs/runs-telemetry.js';
import type { ObjectStore } from '../store/object-store.js';
import type { TelemetrySink } from '../telemetry/sink.js';

export class RunIndexingError extends Alpha15Error {
  readonly code = 'RUN_INDEXING_FAILED';
}

export interface IndexedRun {
  runId: string;
  kind: RunKind;
  study: string | null;
}

export async function indexRunRecord(options: {
  store: ObjectStore;
  sink: TelemetrySink;
  /** The object key the event names. */
  key: string;
}): Promise<IndexedRun> {
  const { store, sink, key } = options;
  const runId = runIdOfKey(key);
  if (runId === undefined) {
    throw new InvalidRunRecordError(
      `${key} in ${store.url} is not a run record key (${RUNS_PREFIX}<run id>.json)`,
      `only run records belong under ${RUNS_PREFIX}; move the object elsewhere`,
      { data: { reason: 'not-a-run-key', key } },
    );
  }
  const run = await readRun(store, key);
  if (run === undefined) {
    throw new RunNotFoundError(
      `run record ${key} is not in ${store.url}`,
      'it was deleted after it was written; nothing to index',
      { data: { reason: 'deleted', runId, key } },
    );
  }
  if (run.id !== runId) {
    throw new InvalidRunRecordError(
      `${key} in ${store.url} holds run ${run.id}, not ${runId}`,
      'a run record is stored under its own id; restore the object',
      { data: { reason: 'id-mismatch', key, runId: run.id } },
    );
  }
  const report = await sendRuns(sink, [run]);
  if (report.failed > 0) {
    throw new RunIndexingError(
      `run ${run.id} was not indexed: ${report.errors.join('; ')}`,
      'the telemetry cluster refused or did not answer; the event is retried',
      { data: { runId: run.id, errors: report.errors } },
    );
  }
  return { runId: run.id, kind: run.kind, study: run.study };
}

/**
 * The runs index on the ObjectStore: `recordRun` appends one record per run, `listRuns` and `getRuns`
 * read them back. Records are validated before they are written (nothing half-formed is stored) and
 * when they are read (a corrupt object names its key).
 */
import { Alpha15Error } from '../errors.js';
import { redactCredentialsDeep } from '../url-credentials.js';
import type { ObjectStore } from '../store/object-store.js';
import {
  configHash,
  newRunId,
  runKey,
  runRecordSchema,
  RUNS_PREFIX,
  type RunKind,
  type RunRecord,
} from './run-record.js';

/** What a caller supplies; the index adds the id, the format version and the config hash. */
export type NewRun = Omit<RunRecord, 'formatVersion' | 'id' | 'configHash'>;

export class InvalidRunRecordError extends Alpha15Error {
  readonly code = 'INVALID_RUN_RECORD';
}
export class RunNotFoundError extends Alpha15Error {
  readonly code = 'RUN_NOT_FOUND';
}

export async function recordRun(store: ObjectStore, run: NewRun): Promise<RunRecord> {
  // the record is indexed into OpenSearch from here: no URL password may reach either
  const config = redactCredentialsDeep(run.config);
  const parsed = runRecordSchema.safeParse({
    formatVersion: 1,
    id: newRunId(run.kind, run.startedAtMs),
    configHash: configHash(config),
    ...run,
    config,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidRunRecordError(
      `a ${run.kind} run record is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const record = parsed.data;
  // putIfAbsent: a record is never overwritten, so concurrent runs cannot clobber each other
  if (!(await store.putIfAbsent(runKey(record.id), JSON.stringify(record, null, 2)))) {
    throw new InvalidRunRecordError(`run ${record.id} is already recorded in ${store.url}`);
  }
  return record;
}

export interface RunFilter {
  kind?: RunKind;
  study?: string;
  /** Only the newest this many (after the other filters). */
  limit?: number;
}

/** Runs in the order they started, oldest first. */
export async function listRuns(store: ObjectStore, filter: RunFilter = {}): Promise<RunRecord[]> {
  const keys = (await store.list(RUNS_PREFIX)).filter((key) => key.endsWith('.json'));
  const runs: RunRecord[] = [];
  for (const key of keys) {
    // the kind is part of the id, so other kinds are skipped without reading them
    if (filter.kind !== undefined && !key.includes(`Z-${filter.kind}-`)) continue;
    const run = await readRun(store, key);
    if (run !== undefined && (filter.study === undefined || run.study === filter.study)) runs.push(run);
  }
  return filter.limit === undefined ? runs : runs.slice(Math.max(0, runs.length - filter.limit));
}

/** The runs with these ids, in the order asked. */
export async function getRuns(store: ObjectStore, ids: readonly string[]): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (const id of ids) {
    const run = await readRun(store, runKey(id));
    if (run === undefined) {
      throw new RunNotFoundError(`no run ${id} in ${store.url}`, 'list the recorded runs to find its id', {
        data: { reason: 'unknown-id', runId: id },
      });
    }
    runs.push(run);
  }
  return runs;
}

/** The run record stored at `key`, validated; undefined when nothing is stored there. */
export async function readRun(store: ObjectStore, key: string): Promise<RunRecord | undefined> {
  const bytes = await store.get(key);
  if (bytes === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new InvalidRunRecordError(`${key} in ${store.url} is not JSON`, 'delete or restore the object');
  }
  const parsed = runRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidRunRecordError(
      `${key} in ${store.url} is not a run record: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      'delete or restore the object',
    );
  }
  return parsed.data;
}

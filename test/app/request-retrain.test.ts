/**
 * The retrain rule (src/app/retrain-policy.ts) through its use case, against a real file store and a
 * job runner that keeps its jobs in memory the way SageMaker lists them: at most one retrain per cause
 * burst, requests during a job coalesced into the next run, a missing quota reported once per attempt
 * without failing, and too little data refused with the days the lake holds.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  actOnRetrainCause,
  requestRetrainForNewData,
  type RetrainSettings,
  type StartJobResult,
  type TrainingJobs,
} from '../../src/app/request-retrain.js';
import type { JobDataRange, RetrainTrigger, TrainingJobSummary } from '../../src/app/retrain-policy.js';
import { RETRAIN_PENDING_KEY } from '../../src/contracts/keys.js';
import { watermarkKey } from '../../src/lake/layout.js';
import { openStore } from '../../src/store/open-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';

const HOUR_MS = 60 * MINUTE_MS;
const NOW_MS = Date.UTC(2026, 10, 24, 18, 30);
const settings: RetrainSettings = {
  minIntervalMs: 24 * HOUR_MS,
  symbols: ['BTCUSDT', 'ETHUSDT'],
  lookbackDays: 90,
  minDays: 30,
};

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alpha15-retrain-'));
});
after(() => rm(dir, { recursive: true, force: true }));

let stores = 0;
async function lakeWithDays(days: number): Promise<ObjectStore> {
  const store = openStore(`file://${dir}/lake-${++stores}`);
  const firstOpenTimeMs = NOW_MS - days * DAY_MS;
  await store.put(
    watermarkKey('BTCUSDT'),
    JSON.stringify({
      symbol: 'BTCUSDT',
      firstOpenTimeMs,
      lastOpenTimeMs: NOW_MS - MINUTE_MS,
      partitions: {},
    }),
  );
  return store;
}

/** Jobs as SageMaker keeps them; `start` creates one named by its minute, or answers as scripted. */
class JobRunner implements TrainingJobs {
  readonly jobs: TrainingJobSummary[] = [];
  readonly started: { trigger: RetrainTrigger; data: JobDataRange; nowMs: number }[] = [];
  quotaMissing = false;
  async recent() {
    return [...this.jobs];
  }
  async start(
    { trigger, data }: { trigger: RetrainTrigger; data: JobDataRange },
    nowMs: number,
  ): Promise<StartJobResult> {
    const jobName = `alpha15-${new Date(nowMs).toISOString().slice(0, 16)}`;
    if (this.quotaMissing)
      return { status: 'quota-exceeded', jobName, quota: '"ml.g4dn.xlarge for spot training job usage"' };
    if (this.jobs.some((job) => job.name === jobName)) return { status: 'exists', jobName };
    this.jobs.push({ name: jobName, status: 'InProgress', createdMs: nowMs });
    this.started.push({ trigger, data, nowMs });
    return { status: 'started', jobName };
  }
  finish(status = 'Completed') {
    for (const job of this.jobs) if (job.status === 'InProgress') job.status = status;
  }
}

const newData = { kind: 'new-data', key: 'requests/new-data/ingest.json' } as const;
const request = { kind: 'request', key: 'requests/training/now.json' } as const;

test('new data retrains once per interval; an explicit request retrains at once', async () => {
  const store = await lakeWithDays(90);
  const jobs = new JobRunner();
  const deps = { store, jobs, settings };
  assert.deepEqual(await actOnRetrainCause(newData, NOW_MS, deps), {
    started: true,
    jobName: 'alpha15-2026-11-24T18:30',
    trigger: 'new-data',
  });
  jobs.finish();
  // the next ingestion runs, every 5 minutes for the rest of the day: no job
  for (let run = 1; run <= 12; run++) {
    const outcome = await actOnRetrainCause(newData, NOW_MS + run * 5 * MINUTE_MS, deps);
    assert.equal(outcome.started ? 'started' : outcome.reason, 'too-soon');
  }
  assert.equal((await actOnRetrainCause(request, NOW_MS + HOUR_MS, deps)).started, true);
  assert.deepEqual(
    jobs.started.map((job) => job.trigger),
    ['new-data', 'request'],
  );
  // each job trains on the lookback ending at the minute it starts
  assert.deepEqual(
    jobs.started.map((job) => [job.data.fromMs, job.data.toMs]),
    [
      [NOW_MS - 90 * DAY_MS, NOW_MS],
      [NOW_MS + HOUR_MS - 90 * DAY_MS, NOW_MS + HOUR_MS],
    ],
  );
});

test('a request arriving while a job runs is coalesced into the next run when that job ends, never dropped, and starts one job only', async () => {
  const store = await lakeWithDays(90);
  const jobs = new JobRunner();
  const deps = { store, jobs, settings };
  await actOnRetrainCause(request, NOW_MS, deps);
  // three requests during the job: all coalesced into one pending retrain
  for (const minutes of [10, 20, 30]) {
    const outcome = await actOnRetrainCause(request, NOW_MS + minutes * MINUTE_MS, deps);
    assert.deepEqual(outcome, {
      started: false,
      reason: 'coalesced',
      detail: 'alpha15-2026-11-24T18:30 is running: the retrain starts when it ends',
    });
  }
  assert.ok(await store.get(RETRAIN_PENDING_KEY));
  jobs.finish('Failed');
  const ended = { kind: 'job-ended', jobName: 'alpha15-2026-11-24T18:30' } as const;
  assert.deepEqual(await actOnRetrainCause(ended, NOW_MS + 2 * HOUR_MS, deps), {
    started: true,
    jobName: 'alpha15-2026-11-24T20:30',
    trigger: 'request',
  });
  jobs.finish();
  // the pending retrain was consumed by that job: the next job end starts nothing
  const again = await actOnRetrainCause(
    { kind: 'job-ended', jobName: 'alpha15-2026-11-24T20:30' },
    NOW_MS + 4 * HOUR_MS,
    deps,
  );
  assert.equal(again.started ? 'started' : again.reason, 'nothing-pending');
  assert.equal(jobs.started.length, 2);
});

test('a missing instance quota is an outcome naming the quota, not a failure to retry; the request stays and the next one tries again', async () => {
  const store = await lakeWithDays(90);
  const jobs = new JobRunner();
  jobs.quotaMissing = true;
  const outcome = await actOnRetrainCause(newData, NOW_MS, { store, jobs, settings });
  assert.deepEqual(outcome, {
    started: false,
    reason: 'quota-exceeded',
    detail: '"ml.g4dn.xlarge for spot training job usage"',
  });
  jobs.quotaMissing = false;
  // no job was created, so the interval does not hold the next run back
  assert.equal(
    (await actOnRetrainCause(newData, NOW_MS + 5 * MINUTE_MS, { store, jobs, settings })).started,
    true,
  );
});

test('too little data is refused, naming how many days the lake holds of the minimum', async () => {
  const jobs = new JobRunner();
  const outcome = await actOnRetrainCause(request, NOW_MS, {
    store: await lakeWithDays(2.5),
    jobs,
    settings,
  });
  assert.deepEqual(outcome, {
    started: false,
    reason: 'not-enough-data',
    detail:
      'the lake holds 2.5 days of the 30 a retrain needs within the last 90 (1 of 2 symbols have any data): backfill first',
  });
  assert.equal(jobs.started.length, 0);
  const empty = openStore(`file://${dir}/empty`);
  const none = await actOnRetrainCause(request, NOW_MS, { store: empty, jobs, settings });
  assert.match(none.started ? '' : none.detail, /holds 0\.0 days of the 30 .* \(0 of 2 symbols/);
  assert.equal(
    (await actOnRetrainCause(request, NOW_MS, { store: await lakeWithDays(31), jobs, settings })).started,
    true,
  );
});

test('one retrain request per source and run: a later run overwrites it', async () => {
  const store = openStore(`file://${dir}/requests`);
  await requestRetrainForNewData(store, 'ingest', NOW_MS);
  await requestRetrainForNewData(store, 'ingest', NOW_MS + 5 * MINUTE_MS);
  await requestRetrainForNewData(store, 'backfill', NOW_MS + 6 * MINUTE_MS);
  assert.deepEqual(await store.list('requests/'), [
    'requests/new-data/backfill.json',
    'requests/new-data/ingest.json',
  ]);
});

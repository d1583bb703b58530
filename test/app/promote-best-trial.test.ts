/**
 * A finished tuning job's promotion (src/app/promote-finished-job.ts, `promoteBestTrial`): only a
 * completed tuning job with a best trial hands one on, and that trial meets the very rule a finished
 * training job meets (its record, evidence and the champion rule: test/lambdas/promotion).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CandidateRecordMissingError,
  promoteBestTrial,
  type TuningJobResults,
} from '../../src/app/promote-finished-job.js';
import { promotionRecordKey, trainingJobRecordKey } from '../../src/app/evaluate-and-promote.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalStore } from '../../src/store/local-store.js';

const TUNING_JOB = 'a15tune-20261124-1830';
const BEST = 'a15tune-20261124-1830-007-1a2b3c4d';
const NOW_MS = Date.parse('2026-11-25T02:00:00Z');

let dir: string;
let store: LocalStore;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alpha15-best-trial-'));
  store = new LocalStore(dir);
});
after(() => rm(dir, { recursive: true, force: true }));

/** SageMaker's answer per tuning job, and which jobs were asked about. */
function results(best: Record<string, string>): TuningJobResults & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async bestTrainingJob(name) {
      asked.push(name);
      return best[name];
    },
  };
}

test('a tuning job that did not complete yields no candidate, and SageMaker is not asked', async () => {
  const trials = results({ [TUNING_JOB]: BEST });
  for (const status of ['Stopped', 'Failed', 'InProgress']) {
    assert.deepEqual(
      await promoteBestTrial(
        { tuningJobName: TUNING_JOB, status },
        { store, nowMs: NOW_MS, results: trials },
      ),
      {
        tuningJobName: TUNING_JOB,
        promoted: false,
        reason: 'no-candidate',
        detail: `tuning job ${TUNING_JOB} is ${status}`,
      },
    );
  }
  assert.deepEqual(trials.asked, []);
});

test('a completed tuning job without a best trial yields no candidate and records nothing', async () => {
  const outcome = await promoteBestTrial(
    { tuningJobName: TUNING_JOB, status: 'Completed' },
    { store, nowMs: NOW_MS, results: results({}) },
  );
  assert.equal(outcome.promoted ? 'promoted' : outcome.reason, 'no-candidate');
  assert.match((outcome as { detail: string }).detail, /has no best training job/);
  assert.deepEqual(await store.list(''), []);
});

test("a completed tuning job's best trial goes through the finished-job promotion: a missing record is that job's error", async () => {
  await assert.rejects(
    promoteBestTrial(
      { tuningJobName: TUNING_JOB, status: 'Completed' },
      { store, nowMs: NOW_MS, results: results({ [TUNING_JOB]: BEST }) },
    ),
    (error: unknown) =>
      error instanceof CandidateRecordMissingError && error.message.includes(trainingJobRecordKey(BEST)),
  );
  assert.equal(await store.get(promotionRecordKey(BEST)), undefined, 'no decision recorded on a failure');
});

/**
 * The tuning use case (src/app/start-tuning.ts): which job a tuning request asks for. The job runner
 * records the plans it is handed, in place of SageMaker (whose adapter test/aws/sagemaker-tuning-jobs tests).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  startTuning,
  type TuningJobPlan,
  type TuningJobs,
  type TuningSettings,
} from '../../src/app/start-tuning.js';
import { configSchema } from '../../src/config/schema.js';
import { DAY_MS } from '../../src/time.js';
import { defaultSearchSpace, InvalidSearchSpaceError } from '../../src/tune/search-space.js';

const NOW_MS = Date.parse('2026-11-24T18:30:20Z');
const settings: TuningSettings = {
  symbols: ['BTCUSDT', 'ETHUSDT'],
  lookbackDays: 90,
  holdoutDays: 14,
  maxJobs: 20,
  maxParallelJobs: 2,
  walkForwardFolds: 3,
};

/** Jobs named by their minute; a second start in the same minute finds its job. */
class RecordingJobs implements TuningJobs {
  readonly plans: TuningJobPlan[] = [];
  private readonly names = new Set<string>();
  async start(plan: TuningJobPlan, nowMs: number) {
    const name = `a15tune-${new Date(nowMs).toISOString().slice(0, 16)}`;
    if (this.names.has(name)) return { created: false, name };
    this.names.add(name);
    this.plans.push(plan);
    return { created: true, name };
  }
}

test('an empty request: the built-in space, the deployed budget, and the newest holdout days never seen', async () => {
  const jobs = new RecordingJobs();
  assert.deepEqual(await startTuning({}, NOW_MS, { jobs, settings }), {
    started: true,
    tuningJobName: 'a15tune-2026-11-24T18:30',
  });
  const [plan] = jobs.plans;
  assert.deepEqual(plan!.space, defaultSearchSpace(configSchema.parse({ symbols: settings.symbols })));
  assert.equal(plan!.maxJobs, 20);
  assert.equal(plan!.maxParallelJobs, 2);
  assert.equal(plan!.epochs, undefined, "the container's config decides");
  assert.equal(plan!.walkForwardFolds, 3);
  const minuteMs = Date.parse('2026-11-24T18:30:00Z');
  assert.deepEqual(plan!.data, { fromMs: minuteMs - 90 * DAY_MS, toMs: minuteMs - 14 * DAY_MS });
});

test('a request narrows the space and the budget', async () => {
  const jobs = new RecordingJobs();
  const space = { 'model.filters': { type: 'int', low: 16, high: 64, step: 16 } };
  await startTuning({ maxJobs: 6, maxParallelJobs: 3, epochs: 4, space }, NOW_MS, { jobs, settings });
  const [plan] = jobs.plans;
  assert.deepEqual(plan!.space, space);
  assert.deepEqual([plan!.maxJobs, plan!.maxParallelJobs, plan!.epochs], [6, 3, 4]);
});

test('a space the search cannot run is refused before any job starts; a second request in the same minute starts nothing', async () => {
  const jobs = new RecordingJobs();
  await assert.rejects(
    startTuning({ space: { 'model.blocks': { type: 'float', low: 1, high: 3 } } }, NOW_MS, {
      jobs,
      settings,
    }),
    InvalidSearchSpaceError,
  );
  assert.equal(jobs.plans.length, 0);
  await startTuning({}, NOW_MS, { jobs, settings });
  assert.deepEqual(await startTuning({}, NOW_MS + 30_000, { jobs, settings }), {
    started: false,
    reason: 'already-started',
    detail: 'a15tune-2026-11-24T18:30',
  });
  assert.equal(jobs.plans.length, 1);
});

/** tune's progress lines: trials counted as people count them, and a pruned trial's value labelled. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeTrial } from '../../src/cli/commands/tune.js';
import type { TrialRecord } from '../../src/tune/study.js';

const trial = (overrides: Partial<TrialRecord>): TrialRecord => ({
  number: 2,
  baseline: false,
  params: { 'model.filters': 32 },
  status: 'completed',
  value: 0.021,
  ic: 0.021,
  rankIc: 0.02,
  intermediate: [
    { fold: 0, epoch: 1, value: 0.03 },
    { fold: 2, epoch: 3, value: 0.021 },
  ],
  epochs: 9,
  durationMs: 1000,
  runId: 'run',
  ...overrides,
});

test('the third trial is "trial 3 (id 2)": the 1-based count and the id --json and the best line use', () => {
  assert.match(
    describeTrial(trial({}), 8),
    /^trial 3 \(id 2\) of 8: completed, val 0\.0210 \(mean over the folds\)/,
  );
});

test("a pruned trial's value is labelled as its rung's, not comparable with finished trials", () => {
  const line = describeTrial(
    trial({ status: 'pruned', value: 0.05, intermediate: [{ fold: 0, epoch: 1, value: 0.05 }], epochs: 1 }),
    8,
  );
  assert.match(
    line,
    /pruned, val 0\.0500 at the rung it was pruned \(fold 1, not comparable with finished trials\)/,
  );
});

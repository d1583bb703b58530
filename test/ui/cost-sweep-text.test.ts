import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CostSweep, SweepBreakEven } from '../../src/strategy/cost-sweep.js';
import { sweepBreakEvenLine, sweepBreakEvenText } from '../../src/ui/report/cost-sweep-text.js';

const SWEEP = {
  configurations: { pairs: 7, thresholdCandidatesPerSide: 50, costs: 27, venues: 1 },
  venue: 'spot-margin',
  entry: 'nextOpen',
} as CostSweep;
const CONFIGURATIONS =
  '7 pairs × 50 thresholds per side × 27 costs × 1 venue (spot-margin, nextOpen entries)';
const FORMS = { report: sweepBreakEvenText, summary: sweepBreakEvenLine };

test('both forms give the same fee, its test and the configurations behind it', () => {
  const found: SweepBreakEven = {
    costPerSide: 0.0005,
    largestProfitableCostPerSide: 0.0007,
    atTopOfSweep: false,
  };
  for (const [form, text] of Object.entries(FORMS)) {
    const line = text(SWEEP, found);
    assert.match(line, /^break-even fee per side 0\.050% /, form);
    assert.match(line, /p < 0\.05/, form);
    assert.ok(line.includes(CONFIGURATIONS), form);
    assert.doesNotMatch(line, /at least/, form);
  }
});

test('a break-even at the top of the sweep is a lower bound in both forms', () => {
  const atTop: SweepBreakEven = {
    costPerSide: 0.002,
    largestProfitableCostPerSide: 0.002,
    atTopOfSweep: true,
  };
  for (const [form, text] of Object.entries(FORMS))
    assert.match(text(SWEEP, atTop), /^break-even fee per side at least 0\.200%/, form);
  assert.match(sweepBreakEvenText(SWEEP, atTop), /the highest fee swept, /);
});

test('no fee at p < 0.05: the largest profitable fee is named, or none at all', () => {
  const anyP: SweepBreakEven = {
    costPerSide: null,
    largestProfitableCostPerSide: 0.0003,
    atTopOfSweep: false,
  };
  const none: SweepBreakEven = { costPerSide: null, largestProfitableCostPerSide: null, atTopOfSweep: false };
  for (const [form, text] of Object.entries(FORMS)) {
    assert.match(text(SWEEP, anyP), /^break-even fee per side none at p < 0\.05 \(.*0\.030%\)/, form);
    assert.match(text(SWEEP, none), /^break-even fee per side none\b/, form);
    assert.doesNotMatch(text(SWEEP, none), /0\.0/, form);
  }
});

test('a sweep that was not computed says so in both forms', () => {
  for (const text of Object.values(FORMS)) {
    assert.equal(text(null, null), 'cost sweep: not computed');
    assert.equal(text(SWEEP, null), 'cost sweep: not computed');
  }
});

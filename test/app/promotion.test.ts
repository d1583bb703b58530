import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decidePromotion, evaluationSchema, type Evaluation } from '../../src/app/evaluate-and-promote.js';

const CHAMPION = '20261101T000000Z-aaaaaa';
const CANDIDATE = '20261124T190000Z-bbbbbb';
const OTHER = '20261110T000000Z-cccccc';

function evaluation(candidateIc: number, championIc: number | null, championId = CHAMPION): Evaluation {
  return {
    candidateId: CANDIDATE,
    window: { fromMs: 0, toMs: 60_000 },
    samples: 100,
    candidate: { ic: candidateIc, rankIc: candidateIc, hitRate: 0.5 },
    champion:
      championIc === null
        ? null
        : { modelId: championId, score: { ic: championIc, rankIc: championIc, hitRate: 0.5 } },
  };
}

test('a higher IC on the same window wins; an equal or lower one does not', () => {
  assert.equal(decidePromotion(evaluation(0.06, 0.05), CHAMPION).promote, true);
  assert.equal(decidePromotion(evaluation(0.05, 0.05), CHAMPION).promote, false);
  assert.equal(decidePromotion(evaluation(0.04, 0.05), CHAMPION).reason, 'not-better');
});

test('a required margin is honoured', () => {
  assert.equal(decidePromotion(evaluation(0.055, 0.05), CHAMPION, { minIcImprovement: 0.01 }).promote, false);
  assert.equal(decidePromotion(evaluation(0.065, 0.05), CHAMPION, { minIcImprovement: 0.01 }).promote, true);
});

test('the first model is promoted; the champion itself is not promoted again', () => {
  assert.deepEqual(decidePromotion(evaluation(0.01, null), undefined).reason, 'no-champion');
  assert.deepEqual(decidePromotion(evaluation(0.01, null), CANDIDATE).reason, 'already-champion');
});

test('evidence against another champion than the current one is not a like-for-like comparison', () => {
  const decision = decidePromotion(evaluation(0.9, 0.01, OTHER), CHAMPION);
  assert.deepEqual([decision.promote, decision.reason], [false, 'champion-changed']);
});

test('an undefined candidate score never wins; an undefined champion score loses to a defined one', () => {
  assert.equal(decidePromotion(evaluation(Number.NaN, 0.05), CHAMPION).reason, 'undefined-score');
  assert.equal(decidePromotion(evaluation(0.01, Number.NaN), CHAMPION).promote, true);
});

test('undefined scores round-trip through JSON as null', () => {
  const parsed = evaluationSchema.parse(JSON.parse(JSON.stringify(evaluation(Number.NaN, 0.05))));
  assert.ok(Number.isNaN(parsed.candidate.ic));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRung, shouldPrune } from '../../src/tune/asha.js';

const asha = { minEpochs: 1, reductionFactor: 3 };

test('rungs sit at minEpochs × reductionFactor^k', () => {
  assert.deepEqual(
    Array.from({ length: 30 }, (_, index) => index + 1).filter((epoch) => isRung(epoch, asha)),
    [1, 3, 9, 27],
  );
  assert.deepEqual(
    [1, 2, 4, 8, 16].filter((epoch) => isRung(epoch, { minEpochs: 2, reductionFactor: 2 })),
    [2, 4, 8, 16],
  );
});

test('a trial continues only in the top third of the values at its rung, and nobody is pruned before three report', () => {
  assert.equal(shouldPrune(-0.5, [], asha), false, 'the first trial has no competition');
  assert.equal(shouldPrune(-0.5, [0.2], asha), false, 'two values say nothing about a top third');
  assert.equal(shouldPrune(0.1, [0.2, 0.05], asha), true, 'with three, only the best continues');
  assert.equal(shouldPrune(0.2, [0.1, 0.05], asha), false);
  // six values: the top two continue
  assert.equal(shouldPrune(0.15, [0.2, 0.1, 0.05, 0, -0.1], asha), false);
  assert.equal(shouldPrune(0.09, [0.2, 0.15, 0.05, 0, -0.1], asha), true);
  assert.equal(shouldPrune(Number.NaN, [0.1, -0.3], asha), true, 'an undefined IC ranks last');
});

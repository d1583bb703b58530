import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../src/random.js';
import { sampleUniform, suggest, type Observation } from '../../src/tune/samplers.js';
import type { SearchSpace } from '../../src/tune/search-space.js';

const space: SearchSpace = {
  'model.filters': { type: 'int', low: 8, high: 64, step: 8 },
  'training.learningRate': { type: 'log-float', low: 1e-5, high: 1e-1 },
  'model.kernelSize': { type: 'choice', values: [3, 5, 7] },
};

test('random draws stay on their ranges: int on its steps, log-float inside, choice from its values', () => {
  const uniform = mulberry32(1);
  const rates: number[] = [];
  for (let draw = 0; draw < 500; draw++) {
    const params = suggest('random', space, [], uniform);
    const filters = params['model.filters'] as number;
    assert.ok(filters >= 8 && filters <= 64 && filters % 8 === 0, `filters ${filters}`);
    rates.push(params['training.learningRate'] as number);
    assert.ok([3, 5, 7].includes(params['model.kernelSize'] as number));
  }
  assert.ok(rates.every((rate) => rate >= 1e-5 && rate <= 1e-1));
  // log-uniform: about a quarter of the draws in each decade
  const belowMilli = rates.filter((rate) => rate < 1e-3).length / rates.length;
  assert.ok(belowMilli > 0.4 && belowMilli < 0.6, `${belowMilli} below 1e-3`);
  assert.deepEqual(suggest('random', space, [], mulberry32(7)), suggest('random', space, [], mulberry32(7)));
  assert.equal(
    sampleUniform({ type: 'int', low: 3, high: 3, step: 1 }, () => 0.999),
    3,
  );
});

/** A sequential search maximising -(log10(lr) + 3)² - small penalty away from kernel 5: best at lr 1e-3, kernel 5. */
function search(sampler: 'tpe' | 'random', seed: number): Observation[] {
  const history: Observation[] = [];
  for (let trial = 0; trial < 40; trial++) {
    const params = suggest(sampler, space, history, mulberry32(seed * 1000 + trial));
    const rate = params['training.learningRate'] as number;
    const value = -((Math.log10(rate) + 3) ** 2) - (params['model.kernelSize'] === 5 ? 0 : 0.5);
    history.push({ params, value, pruned: false });
  }
  return history;
}

test('TPE concentrates its later trials near the optimum where random search does not', () => {
  const late = (history: Observation[]) => history.slice(20);
  for (const seed of [1, 2, 3]) {
    const tpe = late(search('tpe', seed));
    const random = late(search('random', seed));
    const meanValue = (trials: Observation[]) =>
      trials.reduce((sum, trial) => sum + trial.value, 0) / trials.length;
    assert.ok(
      meanValue(tpe) > meanValue(random) + 0.5,
      `seed ${seed}: TPE ${meanValue(tpe)} vs random ${meanValue(random)}`,
    );
    const kernelFive = tpe.filter((trial) => trial.params['model.kernelSize'] === 5).length;
    assert.ok(
      kernelFive > tpe.length / 2,
      `seed ${seed}: kernel 5 in ${kernelFive} of ${tpe.length} late TPE trials`,
    );
  }
});

test('TPE treats pruned trials as bad and samples at random until the startup trials have run', () => {
  const history: Observation[] = [
    {
      params: { 'model.filters': 8, 'training.learningRate': 1e-3, 'model.kernelSize': 3 },
      value: 0.1,
      pruned: false,
    },
  ];
  assert.deepEqual(
    suggest('tpe', space, history, mulberry32(4)),
    suggest('random', space, history, mulberry32(4)),
  );
  const pruned = Array.from({ length: 6 }, (_, index) => ({
    params: { 'model.filters': 64, 'training.learningRate': 1e-1, 'model.kernelSize': 7 },
    value: 0.5 + index,
    pruned: true,
  }));
  const next = suggest('tpe', space, [...history, ...pruned], mulberry32(4));
  assert.notEqual(
    next['model.kernelSize'],
    7,
    "the pruned trials' kernel is avoided despite their high values",
  );
});

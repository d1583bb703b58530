/**
 * `tune` end to end on a small synthetic market with a strong planted lead-lag: pruning stops a trial
 * that cannot learn, an interrupted study continues to the same result, and the held-out test period
 * never influences the search.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { holdOutTest, tune, type TuneOptions } from '../../src/app/tune.js';
import { loadConfig } from '../../src/config/load.js';
import type { MarketFrame } from '../../src/lake/frame.js';
import type { SyntheticMarketOptions } from '../../src/market/synthetic.js';
import { listRuns } from '../../src/runs/runs-index.js';
import { MINUTE_MS } from '../../src/time.js';
import type { SearchSpace } from '../../src/tune/search-space.js';
import { syntheticFrame, tempStore, tinyConfig } from '../support/model-fixtures.js';

const SYMBOLS = ['LEADUSDT', 'LAGAUSDT', 'LAGBUSDT'];
const MARKET: SyntheticMarketOptions = {
  symbols: SYMBOLS,
  startTimeMs: Date.UTC(2026, 0, 5),
  minutes: 9_000,
  seed: 5,
  plantedAlpha: { leader: 'LEADUSDT', lagMinutes: 10, strength: 0.9, laggards: ['LAGAUSDT', 'LAGBUSDT'] },
  gapRate: 0.001,
};
const config = tinyConfig({
  symbols: SYMBOLS,
  training: {
    epochs: 2,
    learningRate: 3e-3,
    sampleStrideMinutes: 4,
    validationFraction: 0.2,
    testFraction: 0.15,
  },
});
const frame = syntheticFrame(MARKET);

const cleanups: Array<() => Promise<void>> = [];
after(() => Promise.all(cleanups.map((cleanup) => cleanup())));
async function freshStore() {
  const { store, cleanup } = await tempStore();
  cleanups.push(cleanup);
  return store;
}

test('a trial that cannot learn is pruned after its first epoch while the baseline trains to the end', async () => {
  const store = await freshStore();
  // trial 0 is the base config (learning rate 3e-3); trial 1 can only draw a learning rate of 1e-9
  const space: SearchSpace = { 'training.learningRate': { type: 'choice', values: [1e-9] } };
  const report = await tune({
    config,
    store,
    frame,
    space,
    trials: 2,
    folds: 2,
    backend: 'wasm',
    pruner: { minEpochs: 1, reductionFactor: 2 },
  });
  const [baseline, frozen] = report.trials;
  assert.equal(baseline!.pruned, false);
  assert.equal(baseline!.epochs, 2 * config.training.epochs, 'both folds, every epoch');
  assert.equal(frozen!.params['training.learningRate'], 1e-9);
  assert.equal(frozen!.pruned, true);
  assert.equal(frozen!.epochs, 1, 'stopped at the first rung');
  assert.equal(report.best!.id, 0);
  const runs = await listRuns(store, { study: report.study });
  assert.deepEqual(
    runs.map((run) => [run.kind, run.status, run.epochs.length]),
    [
      ['tune-trial', 'completed', 4],
      ['tune-trial', 'pruned', 1],
    ],
  );
});

test('a study stopped after 3 trials continues to 8 with the same best as an uninterrupted run, and never reads the test period', async () => {
  const options = (store: TuneOptions['store'], market: MarketFrame): TuneOptions => ({
    config,
    store,
    frame: market,
    trials: 8,
    folds: 2,
    seed: 11,
    backend: 'wasm',
    study: 'resume-check',
  });
  const interruptedStore = await freshStore();
  const stop = new AbortController();
  const first = await tune({
    ...options(interruptedStore, frame),
    signal: stop.signal,
    onTrial: (trial) => {
      if (trial.number === 2) stop.abort();
    },
  });
  assert.equal(first.interrupted, true);
  assert.equal(first.trials.length, 3);
  assert.equal(first.best, null);
  const resumed = await tune(options(interruptedStore, frame));
  assert.equal(resumed.resumedTrials, 3);
  assert.equal(resumed.trials.length, 8);

  // the reference run sees another market in the test period only: the search must not notice
  const { test: testPeriod } = holdOutTest(frame, config, {
    windowMinutes: { type: 'choice', values: [16] },
  });
  const testFromRow = (testPeriod.fromMs - frame.startTimeMs) / MINUTE_MS;
  const other = syntheticFrame({ ...MARKET, seed: 99 });
  const spliced: MarketFrame = {
    ...frame,
    columns: Object.fromEntries(
      SYMBOLS.map((symbol) => [
        symbol,
        Object.fromEntries(
          Object.entries(frame.columns[symbol]!).map(([field, values]) => {
            const copy = values.slice();
            copy.set(
              (other.columns[symbol]! as Record<string, typeof values>)[field]!.subarray(testFromRow),
              testFromRow,
            );
            return [field, copy];
          }),
        ) as MarketFrame['columns'][string],
      ]),
    ),
  };
  const reference = await tune(options(await freshStore(), spliced));
  assert.equal(reference.resumedTrials, 0);
  assert.deepEqual(
    resumed.trials.map(({ params, valIc, pruned, epochs }) => ({ params, valIc, pruned, epochs })),
    reference.trials.map(({ params, valIc, pruned, epochs }) => ({ params, valIc, pruned, epochs })),
  );
  assert.deepEqual(resumed.best!.params, reference.best!.params);
  assert.equal(resumed.best!.valIc, reference.best!.valIc);
  assert.notEqual(resumed.best!.testIc, reference.best!.testIc, 'only the test score sees the test period');
  assert.ok(resumed.tuning.toMs < resumed.test.fromMs);

  // the best config is a config file `train --config` accepts, holding the best params
  const saved = loadConfig({ file: resumed.best!.config });
  for (const [name, value] of Object.entries(resumed.best!.params)) {
    const [group, key] = name.split('.');
    const actual = key === undefined ? saved[group as 'windowMinutes'] : (saved as never)[group!][key];
    assert.equal(actual, value, name);
  }
  assert.equal(JSON.parse(await readFile(resumed.best!.config, 'utf8')).training.walkForwardFolds, 0);
  assert.equal((await listRuns(interruptedStore, { kind: 'tune-trial' })).length, 8);
});

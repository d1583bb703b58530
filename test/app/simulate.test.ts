/**
 * `simulate` on a synthetic market whose planted lead-lag starts only in its second half: the deployed
 * retrain loop must find no edge before the lead-lag exists and before a retrain has seen it, and an
 * edge after the first retrain that has. A simulation stopped after its first period and run again
 * must end exactly where an uninterrupted one does.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { simulate, SimulationInterruptedError, type SimulationResult } from '../../src/app/simulate.js';
import {
  SimulationIdError,
  SimulationSpecMismatchError,
  type PeriodRecord,
} from '../../src/app/simulation-records.js';
import { writeKlines } from '../../src/lake/writer.js';
import { generateSyntheticMarket, type SyntheticMarketOptions } from '../../src/market/synthetic.js';
import { getChampion, readModelMeta } from '../../src/model/registry.js';
import { listRuns } from '../../src/runs/runs-index.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { SandboxStore } from '../../src/store/sandbox-store.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { tempStore, tinyConfig } from '../support/model-fixtures.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { renderSimulationHtml } from '../../src/ui/report/simulation-html.js';

const SYMBOLS = ['LEADUSDT', 'LAGAUSDT', 'LAGBUSDT'];
const START_MS = Date.UTC(2026, 0, 5);
const DAYS = 16;
const ALPHA_FROM_MS = START_MS + 8 * DAY_MS;
const MARKET: SyntheticMarketOptions = {
  symbols: SYMBOLS,
  startTimeMs: START_MS,
  minutes: DAYS * 1440,
  seed: 21,
  plantedAlpha: { leader: 'LEADUSDT', lagMinutes: 15, strength: 0.9, fromMs: ALPHA_FROM_MS },
  gapRate: 0.001,
};
const config = tinyConfig({
  symbols: SYMBOLS,
  training: { epochs: 4, sampleStrideMinutes: 2, validationFraction: 0.2, testFraction: 0.1 },
});
// Retrains at days 4, 8 and 12, each on the 4 days before it: the day-8 model has never seen the lead-lag.
const SCHEDULE = {
  config,
  initialTrainingMs: 4 * DAY_MS,
  retrainEveryMs: 4 * DAY_MS,
  lookbackMs: 4 * DAY_MS,
  backend: 'wasm' as const,
  randomSimulations: 200,
  renderReport: renderSimulationHtml,
};

const cleanups: Array<() => Promise<void>> = [];
after(() => Promise.all(cleanups.map((cleanup) => cleanup())));

async function lake(): Promise<LocalStore> {
  const { store, cleanup } = await tempStore();
  cleanups.push(cleanup);
  for (const columns of generateSyntheticMarket(MARKET)) await writeKlines(store, columns);
  return store;
}

let uninterrupted: SimulationResult;
let store: LocalStore;
const finishedPeriods: PeriodRecord[] = [];
before(async () => {
  store = await lake();
  uninterrupted = await simulate({
    ...SCHEDULE,
    store,
    onProgress: (event) => {
      if (event.kind === 'period-finished') finishedPeriods.push(event.record);
    },
  });
});

test('no edge before the planted lead-lag starts or before a retrain has seen it; an edge after the first retrain that has', (t) => {
  const [beforeAlpha, unseen, seen] = uninterrupted.evaluation.periods;
  t.diagnostic(JSON.stringify(uninterrupted.evaluation.periods));
  assert.equal(uninterrupted.evaluation.periods.length, 3);
  assert.equal(unseen!.fromMs, ALPHA_FROM_MS, 'the day-8 retrain sees only minutes before the lead-lag');
  for (const period of [beforeAlpha!, unseen!]) {
    // a 4-day period holds about 380 independent 15-minute returns per coin: noise stays well inside 0.1
    assert.ok(
      Math.abs(period.realisedIc!) < 0.1,
      `no realised IC before it is learnable: ${period.realisedIc}`,
    );
    assert.ok(
      period.netReturn <= 0,
      `and no profit after fees: ${period.netReturn} over ${period.trades} trades`,
    );
  }
  assert.ok(seen!.valIc! > 0.2, `the day-12 candidate sees it on validation: ${seen!.valIc}`);
  assert.ok(seen!.realisedIc! > 0.2, `and predicts it out of sample: ${seen!.realisedIc}`);
  assert.notEqual(seen!.championId, unseen!.championId, 'the gate promotes it');
  // the record keeps both sides of that gate: the candidate's IC (now the champion's) and the one it beat
  const seenRecord = finishedPeriods[2]!;
  assert.equal(seenRecord.gate?.candidateIc, seenRecord.valIc);
  assert.ok(
    seenRecord.gate!.previousChampionIc! < seenRecord.gate!.candidateIc!,
    JSON.stringify(seenRecord.gate),
  );
  assert.ok(seen!.trades > 0 && seen!.netReturn > 0, `${seen!.trades} trades, net ${seen!.netReturn}`);
  const html = readFileSync(uninterrupted.report, 'utf8');
  assert.equal(html.match(/<tr><td>\d+<\/td>/g)?.length, 3, 'the report lists every period');
  const champions = [...new Set(uninterrupted.evaluation.periods.map((period) => period.championId))];
  champions.forEach((id, index) =>
    assert.ok(html.includes(`#${index + 1} ${id.slice(-6)}`), `the equity curve has a series for ${id}`),
  );
});

test('the simulation is one run in the runs index; its trainings and models stay in its sandbox', async () => {
  const runs = await listRuns(store);
  assert.deepEqual(
    runs.map((run) => [run.kind, run.id]),
    [['simulate', uninterrupted.summary.runId]],
  );
  assert.equal(runs[0]!.final.periods, 3);
  assert.equal(await getChampion(store), undefined, 'the real registry has no champion');
  const sandboxed = await store.list(`simulations/${uninterrupted.simulationId}/runs/`);
  assert.equal(sandboxed.length, 3, 'one training run per retrain, inside the simulation');
});

test('an id that names a simulation of other settings is refused before anything is trained or written', async () => {
  const keys = await store.list('');
  await assert.rejects(
    simulate({ ...SCHEDULE, store, simulationId: uninterrupted.simulationId, retrainEveryMs: 2 * DAY_MS }),
    SimulationSpecMismatchError,
  );
  await assert.rejects(simulate({ ...SCHEDULE, store, simulationId: '../escape' }), SimulationIdError);
  assert.deepEqual(await store.list(''), keys);
});

test('a simulation stopped after its first period and run again matches an uninterrupted one', async () => {
  const resumedStore = await lake();
  const stop = new AbortController();
  await assert.rejects(
    simulate({
      ...SCHEDULE,
      store: resumedStore,
      signal: stop.signal,
      onProgress: (event) => {
        if (event.kind === 'period-finished') stop.abort();
      },
    }),
    SimulationInterruptedError,
  );
  const resumed = await simulate({ ...SCHEDULE, store: resumedStore });
  assert.equal(resumed.resumedPeriods, 1);
  assert.equal(
    resumed.simulationId,
    uninterrupted.simulationId,
    'the same settings name the same simulation',
  );
  // model ids carry a random suffix; the stamp is the simulated retrain moment
  const comparable = (result: SimulationResult) =>
    result.evaluation.periods.map((period) => ({ ...period, championId: period.championId.slice(0, 16) }));
  assert.deepEqual(comparable(resumed), comparable(uninterrupted));
  assert.deepEqual(resumed.evaluation.strategy.overall, uninterrupted.evaluation.strategy.overall);
  assert.deepEqual(
    resumed.evaluation.baselines.random.pValue,
    uninterrupted.evaluation.baselines.random.pValue,
  );
  assert.deepEqual(
    resumed.evaluation.baselines.ridge.overall,
    uninterrupted.evaluation.baselines.ridge.overall,
  );
  assert.equal(
    await getChampion(resumedStore),
    undefined,
    'the real registry has no champion: models stay in the sandbox',
  );
});

test('--fine-tune trains each later candidate from the champion, on the minutes since its data ended', async () => {
  const result = await simulate({
    ...SCHEDULE,
    store,
    retrainEveryMs: 6 * DAY_MS,
    lookbackMs: DAYS * DAY_MS,
    fineTune: true,
  });
  const [first, second] = result.records;
  assert.equal(result.records.length, 2);
  const registry = new SandboxStore(store, `simulations/${result.simulationId}/`, ['models/']);
  const parent = await readModelMeta(registry, first!.championId);
  const child = await readModelMeta(registry, second!.candidateId);
  assert.equal(parent.parentModelId, null, 'the first model trains from scratch');
  assert.equal(child.parentModelId, first!.championId);
  // its first window may look back into the parent's minutes; its data ends at the retrain moment
  assert.equal(child.data.fromMs, parent.data.toMs - config.windowMinutes * MINUTE_MS);
  assert.equal(child.data.toMs, second!.fromMs);
});

const run = promisify(execFile);

test('alpha15 simulate --json with the same settings continues the finished simulation and prints the documented JSON', async () => {
  const configFile = path.join(store.rootDir, 'simulate-config.json');
  // the store comes from --store, as a user would pass it
  await writeFile(configFile, JSON.stringify({ ...config, store: undefined }));
  const cli = (...flags: string[]) =>
    run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'simulate',
        '--config',
        configFile,
        '--store',
        store.url,
        '--json',
        ...flags,
      ],
      { cwd: REPO_ROOT, env: { ...process.env, ALPHA15_WASM_THREADS: '1' } },
    );
  const { stdout } = await cli(
    '--initial-training',
    '4',
    '--retrain-every',
    '96',
    '--lookback-days',
    '4',
    '--backend',
    'wasm',
    '--simulations',
    '200',
  );
  const printed = JSON.parse(stdout);
  assert.deepEqual(Object.keys(printed).sort(), [
    'baselines',
    'breakEvenCostPerSide',
    'costCurve',
    'costCurveBreakEvenCostPerSide',
    'costSweep',
    'droppedShorts',
    'execution',
    'makerFills',
    'pairsClearingFees',
    'periods',
    'report',
    'reportKey',
    'resumedPeriods',
    'runId',
    'secondsPerPeriod',
    'simulationId',
    'strategy',
    'verdict',
  ]);
  assert.equal(printed.simulationId, uninterrupted.simulationId);
  assert.equal(printed.resumedPeriods, 3, 'every period was found finished: nothing retrained');
  assert.equal(printed.runId, null, 'and no second run is recorded');
  assert.deepEqual(printed.periods, uninterrupted.summary.periods);
  for (const period of printed.periods)
    assert.deepEqual(Object.keys(period), [
      'from',
      'to',
      'championId',
      'promoted',
      'valIc',
      'realisedIc',
      'trades',
      'netReturn',
    ]);
  assert.deepEqual(Object.keys(printed.baselines), ['noTrade', 'ridge', 'random']);
  assert.equal(printed.baselines.random.pValue, uninterrupted.summary.baselines.random.pValue);
  assert.equal(typeof printed.strategy.totalNetReturn, 'number');
  assert.equal(printed.execution.entry, 'nextOpen', 'the simulation trades under the configured fill model');
  assert.equal(typeof printed.costCurveBreakEvenCostPerSide.strategy, 'number');
  // each champion refitted on its own validation data at every fee of the sweep, the test traded at it
  assert.equal(printed.costSweep.points.length, printed.costSweep.configurations.costs);
  assert.ok(printed.costSweep.points.some((point: { trades: number }) => point.trades > 0));
  assert.ok(
    'costPerSide' in printed.breakEvenCostPerSide &&
      'largestProfitableCostPerSide' in printed.breakEvenCostPerSide,
  );
  assert.ok(printed.secondsPerPeriod > 0);
  assert.ok(existsSync(printed.report));

  // an initial window past the end of the lake trades nothing: a clear error, and nothing stored
  const before = await store.list('simulations/');
  const failed = await cli('--initial-training', '40').then(
    () => assert.fail('a simulation with nothing to trade must fail'),
    (error: { code: number; stdout: string }) => error,
  );
  assert.equal(failed.code, 1);
  assert.equal(JSON.parse(failed.stdout).error.name, 'SimulationRangeError');
  assert.deepEqual(await store.list('simulations/'), before);
});

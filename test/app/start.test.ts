/**
 * The local pipeline (src/app/start.ts) as the use case, on a temporary file store: the stages run in
 * order, each announced before its work and reported when done, and the model it trains is the
 * champion the backtest and the paper replay trade. The CLI's presentation of the same run is
 * test/cli/start.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runStart, type StartProgress, type StartResult } from '../../src/app/start.js';
import { parseConfig } from '../../src/config/load.js';
import { LocalStore } from '../../src/store/local-store.js';
import { renderReportHtml } from '../../src/ui/report/html.js';
import { renderSimulationHtml } from '../../src/ui/report/simulation-html.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const REPLAY_MINUTES = 10;

let dir: string;
let result: StartResult;
const events: StartProgress[] = [];
const interrupted: string[] = [];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alpha15-start-use-case-'));
  const store = `file://${dir}`;
  result = await runStart(
    {
      offlineReason: 'no network in this test',
      days: 7,
      probeTimeoutMs: 1_000,
      backend: 'wasm',
      simulationDays: 0,
      replayMinutes: REPLAY_MINUTES,
    },
    {
      config: parseConfig({ store, symbols: SYMBOLS }),
      store: new LocalStore(dir),
      modelConfig: parseConfig({
        store,
        symbols: SYMBOLS,
        windowMinutes: 16,
        model: { filters: 4, blocks: 1 },
        training: { epochs: 1, sampleStrideMinutes: 10 },
      }),
      renderBacktestReport: renderReportHtml,
      renderSimulationReport: renderSimulationHtml,
      onProgress: (event) => events.push(event),
      interruptible: (stage, run) => {
        interrupted.push(stage);
        return run();
      },
    },
  );
});
after(() => rm(dir, { recursive: true, force: true }));

test('offline: the synthetic market, every stage announced in order, the simulation skipped at 0 days', () => {
  assert.equal(result.market.name, 'synthetic');
  assert.match(
    result.market.reason,
    /^no network in this test: using the seeded synthetic market \(2 symbols/,
  );
  const stages = events.flatMap((event) => (event.kind === 'stage' ? [event.stage] : []));
  assert.deepEqual(
    stages.map((stage) => `${stage.index} ${stage.stage}`),
    ['1 ingest', '2 data', '3 train', '4 backtest', '5 simulate-skipped', '6 paper'],
  );
  const train = stages.find((stage) => stage.stage === 'train');
  assert.deepEqual(train, { index: 3, stage: 'train', windowMinutes: 16, filters: 4, blocks: 1 });
  assert.equal(result.simulation, null);
  assert.deepEqual(interrupted, ['train'], 'only the stages that run may be interrupted');
});

test("each stage's report follows its announcement and precedes the next stage", () => {
  const order = events
    .filter((event) => ['stage', 'ingested', 'data', 'trained', 'backtested'].includes(event.kind))
    .map((event) => (event.kind === 'stage' ? `stage ${event.stage.index}` : event.kind));
  assert.deepEqual(order, [
    'stage 1',
    'ingested',
    'stage 2',
    'data',
    'stage 3',
    'trained',
    'stage 4',
    'backtested',
    'stage 5',
    'stage 6',
  ]);
  assert.equal(events.filter((event) => event.kind === 'paper-tick').length, REPLAY_MINUTES);
  assert.ok(
    events.some((event) => event.kind === 'ingest'),
    'ingest progress goes out',
  );
  assert.ok(
    events.some((event) => event.kind === 'backtest'),
    'backtest progress goes out',
  );
});

test('the trained model is the champion that the backtest and the paper replay trade, over the test period end', async () => {
  const champion = JSON.parse(await readFile(path.join(dir, 'models', 'champion.json'), 'utf8'));
  assert.equal(champion.modelId, result.train.modelId);
  assert.equal(result.train.champion, true);
  assert.equal(result.backtest.modelId, result.train.modelId);
  assert.deepEqual(Object.keys(result.data.symbols).sort(), SYMBOLS);
  assert.equal(result.paper.ticks, REPLAY_MINUTES);
  assert.equal(result.paper.replayToMs, result.backtest.period.toMs);
});

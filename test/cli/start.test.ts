import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { humanReport, type StartReport } from '../../src/cli/commands/start.js';
import { DEFAULT_SYMBOLS } from '../../src/config/defaults.js';
import { SYNTHETIC_DAYS } from '../../src/market/source.js';
import { closedPort } from '../support/ports.js';
import { runCli } from '../support/cli.js';
import { ARCHIVE_MONTH_DIR } from '../support/shared-data.js';

/** The smallest pipeline that still has every stage: a tiny model, a short replay. */
const TINY = ['--epochs', '1', '--window', '16', '--filters', '4', '--blocks', '1', '--sample-stride', '10'];
const REPLAY_MINUTES = 30;

async function start(args: string[], env: Record<string, string>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-start-'));
  const store = `file://${dir}`;
  const { code, stdout, stderr } = await runCli(
    ['start', '--store', store, ...TINY, '--replay-minutes', String(REPLAY_MINUTES), ...args, '--json'],
    { env, timeoutMs: 600_000 },
  );
  assert.equal(code, 0, stderr);
  return { dir, report: JSON.parse(stdout) as StartReport, stderr };
}

/** What every complete run leaves behind, whatever the market. */
async function assertPipelineRan(dir: string, report: StartReport) {
  const champion = JSON.parse(await readFile(path.join(dir, 'models', 'champion.json'), 'utf8'));
  assert.equal(champion.modelId, report.train.modelId, 'the model start trained is the champion');
  assert.equal(report.backtest.modelId, report.train.modelId);
  await access(report.backtest.report);
  assert.match(await readFile(report.backtest.report, 'utf8'), /<svg/, 'the report has charts');
  assert.equal(report.paper.ticks, REPLAY_MINUTES, 'every replayed minute is ticked once');
  assert.equal(
    report.paper.replayToMs,
    report.backtest.period.toMs,
    'paper trading ends where the test period ends',
  );
  assert.match(report.dashboard.command, /alpha15 dashboard --store file:\/\//);
  assert.equal(report.backtest.costCurve.costsPerSide.length, 21, 'the backtest traces the cost curve');
  assert.ok('strategy' in report.backtest.costCurveBreakEvenCostPerSide);
  const simulation = report.simulation!;
  assert.equal(simulation.periods.length, 2, 'the simulation stage retrains twice');
  assert.equal(simulation.periods.at(-1)!.to, new Date(report.market.toMs).toISOString().slice(0, 16) + 'Z');
  await access(simulation.report);
}

describe('alpha15 start', () => {
  it('offline: says Binance is unreachable, falls back to the synthetic market and runs every stage', async () => {
    const port = await closedPort();
    const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
    const { dir, report, stderr } = await start(['--symbols', symbols.join(',')], {
      BINANCE_BASE_URL: `http://127.0.0.1:${port}`,
    });
    try {
      assert.match(stderr, new RegExp(`Binance is not reachable at http://127.0.0.1:${port}`));
      assert.equal(report.market.name, 'synthetic');
      assert.deepEqual(Object.keys(report.data.symbols).sort(), [...symbols].sort());
      for (const symbol of symbols) {
        const { rows, missing } = report.data.symbols[symbol]!;
        assert.equal(
          rows + missing,
          SYNTHETIC_DAYS * 1440,
          `${symbol}: every minute of the synthetic range is a candle or a gap`,
        );
      }
      await assertPipelineRan(dir, report);
      // one short line per stage even when every pair clears fees and the verdict is long: the detail
      // belongs to the tables printed above the summary
      const crowded = humanReport({
        ...report,
        backtest: { ...report.backtest, pairsClearingFees: [...DEFAULT_SYMBOLS], verdict: 'v'.repeat(900) },
      });
      for (const line of crowded.split('\n'))
        assert.ok(line.length <= 200, `${line.length} characters: ${line}`);
      assert.match(crowded, /20 pairs clear fees/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('online (the replay server standing in for Binance, real 2026-02 candles)', () => {
    let server: ReplayServer;
    const serverTimeMs = Date.UTC(2026, 1, 12, 0, 0, 30);
    before(async () => {
      server = await startReplayServer({
        source: { kind: 'archives', dir: ARCHIVE_MONTH_DIR },
        symbols: ['LINKUSDT', 'LTCUSDT'],
        fromMs: serverTimeMs,
        manualClock: true,
      });
    });
    after(async () => {
      await server?.close();
    });

    it('ingests the last --days by the exchange clock and runs every stage on them', async () => {
      const { dir, report } = await start(['--symbols', 'LINKUSDT,LTCUSDT', '--days', '2'], {
        BINANCE_BASE_URL: server.url,
      });
      try {
        assert.equal(report.market.name, 'binance');
        assert.equal(report.market.toMs, Date.UTC(2026, 1, 12), 'the range ends at the exchange minute');
        for (const symbol of ['LINKUSDT', 'LTCUSDT']) {
          assert.equal(
            report.ingest.symbols[symbol]!.rowsAdded,
            2 * 1440,
            `${symbol}: two days of real candles`,
          );
        }
        await assertPipelineRan(dir, report);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});

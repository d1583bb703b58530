/**
 * The real month (../shared/data/binance-archive/2026-02, 7 symbols): candles into a lake, a tiny model
 * trained on it, and `alpha15 backtest --json` run as a user would. The report must exist and say in
 * plain words whether any pair clears fees; what it says is the finding, not the test's business.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { writeKlines } from '../../src/lake/writer.js';
import { trainModel } from '../../src/app/train.js';
import { realMonthColumns } from '../support/lake.js';
import { tempStore, tinyConfig } from '../support/model-fixtures.js';
import { runCli } from '../support/cli.js';
import { ARCHIVE_MONTH_SYMBOLS } from '../support/shared-data.js';

test('on the real February 2026 month the backtest report is produced and states whether any pair clears fees', async (t) => {
  const { store, cleanup } = await tempStore();
  try {
    for (const symbol of ARCHIVE_MONTH_SYMBOLS) await writeKlines(store, realMonthColumns(symbol));
    const config = tinyConfig({
      symbols: ARCHIVE_MONTH_SYMBOLS,
      training: { epochs: 2, sampleStrideMinutes: 5, validationFraction: 0.2, testFraction: 0.2 },
    });
    await trainModel({ config, store, backend: 'wasm' });

    const reportPath = path.join(store.rootDir, 'local-copy', 'backtest.html');
    const { code, stdout, stderr } = await runCli(
      [
        'backtest',
        '--store',
        store.url,
        '--model',
        'champion',
        '--report',
        reportPath,
        '--simulations',
        '200',
        '--json',
      ],
      // cpu: the CLI only runs inference of this tiny model (seconds), and this test is about the backtest,
      // not the backend. A CLI that printed its result but never exits is a bug too: fail instead of hanging.
      { env: { ALPHA15_BACKEND: 'cpu' }, timeoutMs: 180_000 },
    );
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout);
    t.diagnostic(`real month: ${summary.verdict}`);
    for (const key of ['trades', 'hitRate', 'avgNetReturn', 'totalNetReturn', 'sharpe', 'maxDrawdown'])
      assert.ok(key in summary.strategy, key);
    for (const baseline of ['noTrade', 'ridge', 'random']) assert.ok(baseline in summary.baselines, baseline);
    assert.equal(typeof summary.baselines.random.pValue, 'number');
    assert.equal(summary.report, reportPath);
    assert.ok(existsSync(reportPath));
    assert.ok((await store.get(summary.reportKey)) !== undefined);

    const html = readFileSync(reportPath, 'utf8');
    const statement =
      summary.pairsClearingFees.length > 0 ? 'Some pairs clear fees.' : 'No pair clears fees.';
    assert.ok(html.includes(statement), `the report says "${statement}"`);
    for (const symbol of summary.pairsClearingFees) assert.ok(ARCHIVE_MONTH_SYMBOLS.includes(symbol));
  } finally {
    await cleanup();
  }
});

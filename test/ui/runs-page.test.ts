import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { CURVE_METRICS, renderRunsPage } from '../../src/ui/runs-page.js';
import { listRuns, recordRun, type NewRun } from '../../src/runs/runs-index.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { launchChromiumOrSkip } from '../support/browser.js';
import { tempStore } from '../support/model-fixtures.js';

let store: LocalStore;
let cleanup: () => Promise<void>;
before(async () => ({ store, cleanup } = await tempStore()));
after(() => cleanup());

const T0 = Date.parse('2026-03-01T00:00:00Z');

/** A two-fold learning curve whose IC rises by `slope` per epoch. */
function trainRun(index: number, slope: number): NewRun {
  const learningRate = 1e-3 * (index + 1);
  return {
    kind: 'tune-trial',
    study: 'study-page',
    status: 'completed',
    config: configSchema.parse({ training: { learningRate } }),
    params: { 'training.learningRate': learningRate },
    data: { fromMs: T0, toMs: T0 + 86_400_000 },
    gitRevision: 'a'.repeat(40),
    backend: 'wasm',
    modelId: null,
    startedAtMs: T0 + index * 1000,
    durationMs: 2000,
    epochs: [0, 1].flatMap((fold) =>
      [1, 2, 3].map((epoch) => ({
        fold,
        epoch,
        trainLoss: 1 - 0.1 * epoch,
        valLoss: 1.1 - 0.05 * epoch,
        ic: slope * epoch,
        rankIc: slope * epoch * 0.9,
        hitRate: 0.5 + slope * epoch,
        learningRate,
      })),
    ),
    final: { valIc: slope * 3 },
  };
}

test('the runs page renders in chromium: the runs side by side and one chart per learning-curve metric with a line per trained run', async (t) => {
  await recordRun(store, trainRun(0, 0.01));
  await recordRun(store, trainRun(1, 0.03));
  await recordRun(store, {
    ...trainRun(2, 0),
    kind: 'backtest',
    study: null,
    epochs: [],
    final: { sharpe: 1.2, trades: 40 },
  });
  const runs = await listRuns(store);
  const html = renderRunsPage({ runs, generatedAtMs: T0 });
  assert.ok(
    !/<script|https?:\/\//.test(html.replaceAll('http://www.w3.org/2000/svg', '')),
    'self-contained, no script',
  );
  const file = path.join(store.rootDir, 'runs.html');
  await writeFile(file, html);

  const browser = await launchChromiumOrSkip(t, 'the runs page');
  if (!browser) return;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(pathToFileURL(file).href);
    assert.equal(await page.locator('#runs tr:first-child th').count(), 1 + runs.length);
    assert.deepEqual(
      await page
        .locator('div.curve')
        .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-metric'))),
      CURVE_METRICS.map((metric) => metric.key),
    );
    for (const metric of CURVE_METRICS) {
      const chart = page.locator(`div.curve[data-metric="${metric.key}"] svg.chart`);
      assert.equal(await chart.count(), 1, metric.key);
      assert.equal(
        await chart.locator('path.series').count(),
        2,
        `${metric.key}: the two trained runs, not the backtest`,
      );
      assert.equal(
        await chart.locator('circle').count(),
        12,
        `${metric.key}: six epochs over two folds per run`,
      );
      const box = await chart.boundingBox();
      assert.ok(box !== null && box.width > 300 && box.height > 200, `${metric.key} is drawn`);
    }
    const rowText = async (label: string) =>
      page.locator('#runs tr', { has: page.locator(`th:text-is("${label}")`) }).innerText();
    assert.match(await rowText('valIc'), /0\.03000\s+0\.09000\s+–/);
    assert.match(await rowText('sharpe'), /–\s+–\s+1\.200/);
    assert.match(await rowText('training.learningRate'), /0\.001\s+0\.002\s+0\.003/);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

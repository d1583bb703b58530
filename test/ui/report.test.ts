import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderReportHtml } from '../../src/ui/report/html.js';
import { renderSummaryText } from '../../src/ui/report/text.js';
import { launchChromiumOrSkip, watchPageProblems } from '../support/browser.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { backtestPredictions, knownSignal, plantedFrame } from '../strategy/planted-signal.js';

const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output', 'strategy');

const frame = plantedFrame();
const result = backtestPredictions(frame, knownSignal(frame), {
  randomSimulations: 200,
  compareCalibration: true,
});
const html = renderReportHtml({ result, modelId: 'planted-signal', generatedAtMs: Date.UTC(2026, 1, 1) });

test('the report is one self-contained file: no script, stylesheet or image fetched from anywhere', () => {
  assert.doesNotMatch(html, /<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  assert.match(html, /Some pairs clear fees\./);
  assert.match(html, /strategy, raw predictions \(comparison\)/);
});

test('the report shows the cost curve of the strategy and each traded pair, and the break-even cost', () => {
  assert.match(html, /aria-label="Average net return per trade against cost per side/);
  const breakEven = result.costCurveBreakEvenCostPerSide.strategy!;
  assert.ok(breakEven > 0, 'the planted signal survives some cost');
  assert.ok(html.includes(`Re-priced break-even cost per side: ${(breakEven * 100).toFixed(3)}%`));
  for (const symbol of result.symbols) assert.match(html, new RegExp(`<tr><th>${symbol}</th>`));
  assert.match(html, /entries fill at the open of the minute after the decision/);
});

test('the report charts the cost sweep with its break-even fee and the configurations behind it', () => {
  assert.match(html, /aria-label="Cost sweep: test avg net return per trade, thresholds refitted/);
  const breakEven = result.breakEvenCostPerSide.costPerSide!;
  const atLeast = result.breakEvenCostPerSide.atTopOfSweep ? 'at least ' : '';
  assert.ok(html.includes(`break-even fee per side ${atLeast}${(breakEven * 100).toFixed(3)}%`));
  assert.match(
    html,
    /4 pairs × 50 thresholds per side × \d+ costs × 1 venue \(spot-margin, nextOpen entries\)/,
  );
  assert.equal(html.match(/<table id="cost-sweep">/g)?.length, 1);
});

test('with the IC decay the report shows where the signal lives, by horizon, against the named target', () => {
  const icDecay = [1, 5, 15, 30, 60].map((horizonMinutes, i) => ({
    horizonMinutes,
    ic: 0.3 - 0.05 * i,
    rankIc: 0.28 - 0.05 * i,
    weightedCorrelation: 0.25 - 0.05 * i,
    samples: 1000,
  }));
  const withSignal = renderReportHtml({
    result,
    modelId: 'planted-signal',
    generatedAtMs: Date.UTC(2026, 1, 1),
    signal: { target: 'residual', icDecay },
  });
  assert.match(withSignal, /aria-label="IC decay: test-period predictions against the residual return/);
  assert.match(withSignal, /<tr><th>60 min<\/th><td>0\.1000<\/td><td>0\.0800<\/td><td>0\.0500<\/td>/);
  assert.match(withSignal, /residual returns \(each coin minus the weighted universe average/);
  assert.doesNotMatch(html, /Where the signal lives/, 'without it, no empty section');
});

test('the terminal summary lists the strategy, the three baselines, every pair and the verdict', () => {
  const text = renderSummaryText(result);
  for (const name of ['strategy', 'raw instead', 'no trade', 'ridge', 'random (p=', ...result.symbols])
    assert.ok(text.includes(name), name);
  assert.ok(text.endsWith(result.verdict.summary));
});

test('the report renders in chromium with every chart drawn and no console error; a screenshot is written', async (t) => {
  const browser = await launchChromiumOrSkip(t, 'the backtest report');
  if (browser === undefined) return;
  try {
    await mkdir(OUTPUT_DIR, { recursive: true });
    const reportFile = path.join(OUTPUT_DIR, 'backtest.html');
    await writeFile(reportFile, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchPageProblems(page, 'file:');
    await page.goto(pathToFileURL(reportFile).href, { waitUntil: 'load' });

    assert.match((await page.textContent('#verdict')) ?? '', /clear fees/);
    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((svg) => ({
        title: svg.getAttribute('aria-label'),
        width: svg.getBoundingClientRect().width,
        // points drawn: path vertices (M/L commands), bar shapes and dots
        points:
          Array.from(svg.querySelectorAll('path.series')).reduce(
            (sum, p) => sum + (p.getAttribute('d')?.match(/[ML]/g)?.length ?? 0),
            0,
          ) + svg.querySelectorAll('path.bar, circle').length,
      })),
    );
    // equity, drawdown, cost sweep, cost curve, a threshold chart per pair with a signal (the leader has
    // none), IC, calibration, random CDF
    const expectedCharts = 4 + (result.symbols.length - 1) + 3;
    assert.equal(charts.length, expectedCharts, JSON.stringify(charts.map((chart) => chart.title)));
    for (const chart of charts) {
      assert.ok(chart.width > 100, `${chart.title} is laid out`);
      assert.ok(chart.points >= 2, `${chart.title} draws ${chart.points} points`);
    }
    assert.equal(await page.locator('table.trades tr').count(), result.strategy.trades.length + 1);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'backtest-report.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

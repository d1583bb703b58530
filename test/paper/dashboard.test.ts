import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeTrade } from '../../src/paper/close-trade.js';
import { loadSummary, startDashboardServer } from '../../src/ui/dashboard/server.js';
import { Ledger } from '../../src/paper/ledger.js';
import { LocalStore } from '../../src/store/local-store.js';
import { MINUTE_MS } from '../../src/time.js';
import { launchChromiumOrSkip } from '../support/browser.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { handNetPnl, rawCloses } from './support/harness.js';
import {
  FIXTURE_FIRST_MINUTE_MS,
  FIXTURE_MINUTES,
  fixturePosition,
  writeLedgerFixture,
} from './support/ledger-fixture.js';

async function withFixture(run: (ledger: Ledger, trades: number) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-dashboard-'));
  try {
    const store = new LocalStore(dir);
    await run(new Ledger(store), await writeLedgerFixture(store));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the dashboard summary adds up the ledger: cumulative PnL ends at the sum of the hand-computed trades', async () => {
  await withFixture(async (ledger, tradeCount) => {
    const summary = await loadSummary(ledger, 0);
    assert.equal(summary.totals.trades, tradeCount);
    const trades = await ledger.listTrades(0, Infinity);
    const handTotal = trades.reduce((sum, trade) => {
      const closes = rawCloses(trade.symbol);
      return sum + handNetPnl(trade.side, closes.get(trade.entryTimeMs)!, closes.get(trade.exitTimeMs)!);
    }, 0);
    assert.ok(Math.abs(summary.totals.netPnl - handTotal) < 1e-9);
    assert.ok(Math.abs(summary.cumulative.at(-1)!.netPnl - handTotal) < 1e-9);
    assert.equal(
      summary.byPair.reduce((sum, pair) => sum + pair.trades, 0),
      tradeCount,
    );
    assert.equal(summary.totals.openPositions, 1);
    assert.equal(summary.latest?.minuteMs, FIXTURE_FIRST_MINUTE_MS + (FIXTURE_MINUTES - 1) * MINUTE_MS);
    assert.deepEqual(summary.span, {
      fromMs: FIXTURE_FIRST_MINUTE_MS,
      toMs: FIXTURE_FIRST_MINUTE_MS + FIXTURE_MINUTES * MINUTE_MS,
    });
  });
});

test("the local dashboard loads in chromium, shows the ledger fixture's trades, refreshes live and logs no console error", async (t) => {
  await withFixture(async (ledger, tradeCount) => {
    const browser = await launchChromiumOrSkip(t, 'the paper dashboard');
    if (!browser) return;
    const dashboard = await startDashboardServer({ store: ledger.store, refreshMs: 250 });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      const externalRequests: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(dashboard.url) && !request.url().startsWith('data:'))
          externalRequests.push(request.url());
      });
      await page.goto(dashboard.url);
      await page.waitForFunction(
        (count) => document.querySelectorAll('#recent-trades tbody tr.row').length === count,
        tradeCount,
      );
      assert.equal(await page.locator('#total-trades').textContent(), String(tradeCount));
      assert.equal(await page.locator('#cumulative svg path.series').count(), 1);
      assert.equal(await page.locator('#scatter svg circle.point').count(), tradeCount);
      assert.ok((await page.locator('#pnl-by-pair svg rect.bar').count()) >= 1);
      assert.equal(await page.locator('#latest tbody tr.row').count(), 5);
      assert.equal(await page.locator('#open-positions tbody tr.row').count(), 1);
      const firstRow = await page.locator('#recent-trades tbody tr.row').first().textContent();
      assert.match(firstRow ?? '', /USDT/);

      // a trade closed after the page loaded appears without a reload
      const position = fixturePosition('XLMUSDT', FIXTURE_FIRST_MINUTE_MS + 3 * MINUTE_MS, 0);
      await ledger.closePosition(
        closeTrade(
          position,
          {
            fillTimeMs: position.exitTimeMs,
            referencePrice: rawCloses('XLMUSDT').get(position.exitTimeMs)!,
            quote: null,
          },
          position.exitTimeMs,
        ),
      );
      await page.waitForFunction(
        (count) => document.getElementById('total-trades')?.textContent === String(count),
        tradeCount + 1,
      );

      await mkdir(path.join(REPO_ROOT, 'test-output'), { recursive: true });
      await page.screenshot({
        path: path.join(REPO_ROOT, 'test-output', 'paper-dashboard.png'),
        fullPage: true,
      });
      assert.deepEqual(problems, []);
      assert.deepEqual(externalRequests, []);
    } finally {
      await browser.close();
      await dashboard.close();
    }
  });
});

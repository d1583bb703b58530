import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeTrade } from '../../src/paper/close-trade.js';
import { LedgerView } from '../../src/paper/dashboard/ledger-view.js';
import { DashboardPortInUseError, startDashboardServer } from '../../src/ui/dashboard/server.js';
import {
  dashboardSummary,
  type DashboardSummary,
  type TradesPage,
} from '../../src/paper/dashboard/summary.js';
import { Ledger, minuteKey } from '../../src/paper/ledger.js';
import { LocalStore } from '../../src/store/local-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { MINUTE_MS } from '../../src/time.js';
import { launchChromiumOrSkip } from '../support/browser.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { handNetPnl, rawCloses } from '../paper/support/harness.js';
import {
  FIXTURE_FIRST_MINUTE_MS,
  FIXTURE_MINUTES,
  writeLedgerFixture,
} from '../paper/support/ledger-fixture.js';

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
    const summary = dashboardSummary(await new LedgerView(ledger.store).snapshot(), 0);
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
    // per-day totals add up to the same, and every figure says its unit
    assert.equal(summary.daily.length, 1);
    assert.equal(summary.daily[0]!.trades, tradeCount);
    assert.ok(Math.abs(summary.daily[0]!.netPnl - handTotal) < 1e-9);
    assert.deepEqual(summary.units, { currency: 'USDT', notionalPerTrade: 1000 });
    assert.deepEqual(summary.skipped, []);
  });
});

/** GET on the dashboard with a chosen Host header (fetch cannot set one). */
function get(url: string, pathName: string, host?: string) {
  const { port } = new URL(url);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: pathName, headers: { host: host ?? `127.0.0.1:${port}` } },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () =>
            resolve({ status: response.statusCode!, headers: response.headers, body }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

test('the dashboard answers loopback host names only, with CSP, nosniff and referrer policy on every answer', async () => {
  await withFixture(async (ledger) => {
    const dashboard = await startDashboardServer({ store: ledger.store });
    try {
      for (const host of ['evil.example', 'evil.example:8015', '192.168.1.5']) {
        const refused = await get(dashboard.url, '/api/summary', host);
        assert.equal(refused.status, 403, host);
        assert.doesNotMatch(refused.body, /USDT/);
      }
      for (const host of [undefined, 'localhost:8015', '[::1]:8015']) {
        for (const pathName of ['/', '/api/summary']) {
          const answer = await get(dashboard.url, pathName, host);
          assert.equal(answer.status, 200, `${host} ${pathName}`);
          assert.match(
            String(answer.headers['content-security-policy']),
            /default-src 'none'; script-src 'sha256-/,
          );
          assert.equal(answer.headers['x-content-type-options'], 'nosniff');
          assert.equal(answer.headers['referrer-policy'], 'no-referrer');
        }
      }
    } finally {
      await dashboard.close();
    }
  });
});

test('a corrupt decision is skipped and reported, and a failed ledger read is never cached', async () => {
  await withFixture(async (ledger) => {
    const span = (await ledger.tickSpan())!;
    const decisionKey = `paper/decisions/${minuteKey(span.toMs - MINUTE_MS)}.json`;
    await writeFile(
      path.join((ledger.store as LocalStore).rootDir, decisionKey),
      '{"version": 1, "minuteMs": "x"',
    );
    let failNextList = false;
    const flaky: ObjectStore = {
      url: ledger.store.url,
      get: (key) => ledger.store.get(key),
      put: (key, body) => ledger.store.put(key, body),
      putIfAbsent: (key, body) => ledger.store.putIfAbsent(key, body),
      delete: (key) => ledger.store.delete(key),
      list: async (prefix) => {
        if (failNextList) {
          failNextList = false;
          throw new Error('the store is unreachable');
        }
        return ledger.store.list(prefix);
      },
    };
    const dashboard = await startDashboardServer({ store: flaky, minRefreshMs: 0 });
    try {
      failNextList = true;
      const failed = await fetch(`${dashboard.url}api/summary`);
      assert.equal(failed.status, 503);
      assert.match(((await failed.json()) as { error: string }).error, /unreachable/);
      const answer = await fetch(`${dashboard.url}api/summary`);
      assert.equal(answer.status, 200);
      const summary = (await answer.json()) as DashboardSummary;
      assert.equal(summary.latest, null);
      assert.deepEqual(
        summary.skipped.map((skipped) => skipped.key),
        [decisionKey],
      );
      assert.match(summary.skipped[0]!.reason, /not JSON/);
      assert.ok(summary.totals.trades > 0);
    } finally {
      await dashboard.close();
    }
  });
});

test('trades page newest first through /api/trades, and bad paging is a 400', async () => {
  await withFixture(async (ledger, tradeCount) => {
    const dashboard = await startDashboardServer({ store: ledger.store });
    try {
      const first = (await (
        await fetch(`${dashboard.url}api/trades?page=0&pageSize=4`)
      ).json()) as TradesPage;
      const second = (await (
        await fetch(`${dashboard.url}api/trades?page=1&pageSize=4`)
      ).json()) as TradesPage;
      assert.equal(first.total, tradeCount);
      const all = (await ledger.listTrades(0, Infinity)).sort((a, b) => b.exitTimeMs - a.exitTimeMs);
      assert.deepEqual(
        [...first.trades, ...second.trades].map((trade) => trade.tradeId),
        all.slice(0, 8).map((trade) => trade.tradeId),
      );
      assert.equal((await fetch(`${dashboard.url}api/trades?pageSize=100000`)).status, 400);
    } finally {
      await dashboard.close();
    }
  });
});

test('a dashboard on a port in use fails with a message naming the port, not EADDRINUSE', async () => {
  await withFixture(async (ledger) => {
    const first = await startDashboardServer({ store: ledger.store });
    try {
      const port = Number(new URL(first.url).port);
      await assert.rejects(
        startDashboardServer({ store: ledger.store, port }),
        (error: unknown) =>
          error instanceof DashboardPortInUseError && error.message.includes(`port ${port}`),
      );
    } finally {
      await first.close();
    }
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
      // counts on integer axes, tick labels on both scatter axes, PnL in its currency with the notional
      const countTicks = await page.locator('#trades-per-pair svg text.y-tick').allTextContents();
      assert.ok(countTicks.length >= 2);
      assert.equal(new Set(countTicks).size, countTicks.length, countTicks.join(','));
      assert.ok(
        countTicks.every((label) => /^\d+$/.test(label)),
        countTicks.join(','),
      );
      assert.ok((await page.locator('#scatter svg text.x-tick').count()) >= 3);
      assert.ok((await page.locator('#scatter svg text.y-tick').count()) >= 3);
      assert.match((await page.locator('#cumulative h2').textContent()) ?? '', /USDT/);
      assert.equal(await page.locator('#notional').textContent(), '1000 USDT');
      const firstRow = await page.locator('#recent-trades tbody tr.row').first().textContent();
      assert.match(firstRow ?? '', /USDT/);

      // the open position closes after the page loaded, as a tick closes it: its trade appears without a reload
      const [open] = await ledger.openPositions();
      await ledger.closePosition(
        closeTrade(
          open!,
          {
            fillTimeMs: open!.exitTimeMs,
            referencePrice: rawCloses(open!.symbol).get(open!.exitTimeMs)!,
            quote: null,
          },
          open!.exitTimeMs,
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

/**
 * The paper tick under the default fill model, against the replay server quoting a book from the
 * snapshot-c candles: entries and exits fill at the book's mid in the minute after the decision (the open
 * of that minute, on the replay), slipped by the configured bps, and every fill records the book.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { spreadRows } from '../../src/paper/dashboard/summary.js';
import { tick, type TickDeps } from '../../src/paper/tick.js';
import { MINUTE_MS } from '../../src/time.js';
import {
  FEE_RATE_PER_SIDE,
  HORIZON_MINUTES,
  NOTIONAL,
  openBench,
  rawPrices,
  SNAPSHOT_C_START_MS,
  SYMBOLS,
  testConfig,
  type Bench,
} from './support/harness.js';

const FIRST_MINUTE_MS = SNAPSHOT_C_START_MS + 40 * MINUTE_MS;
const HALF_SPREAD_BPS = 2;
const SLIPPAGE_BPS = 3;
const nextOpenConfig = configSchema.parse({
  ...testConfig,
  execution: { entry: 'nextOpen', slippageBpsPerSide: { other: SLIPPAGE_BPS } },
});

async function runMinutes(bench: Bench, deps: TickDeps, count: number): Promise<void> {
  for (let minuteMs = FIRST_MINUTE_MS; minuteMs < FIRST_MINUTE_MS + count * MINUTE_MS; minuteMs += MINUTE_MS)
    await tick(bench.nowAfter(minuteMs), deps);
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual / expected - 1) < 1e-9, `${what}: ${actual} vs ${expected}`);

test('nextOpen: entry and exit fill at the open of the minute after, slipped against the trade, with the book recorded', async (t) => {
  const bench = await openBench({ config: nextOpenConfig, halfSpreadBps: HALF_SPREAD_BPS });
  t.after(() => bench.close());
  const deps = bench.deps();
  await runMinutes(bench, deps, 45);
  const trades = await deps.ledger.listTrades(0, FIRST_MINUTE_MS + 45 * MINUTE_MS);
  assert.ok(trades.length >= 3, `closed trades: ${trades.length}`);
  const slippage = SLIPPAGE_BPS * 1e-4;
  for (const trade of trades) {
    const opens = rawPrices(trade.symbol, 'open');
    const entryOpen = opens.get(trade.entryTimeMs + MINUTE_MS)!;
    const exitOpen = opens.get(trade.exitTimeMs + MINUTE_MS)!;
    assert.equal(trade.fill, 'nextOpen');
    assert.equal(trade.exitTimeMs - trade.entryTimeMs, HORIZON_MINUTES * MINUTE_MS);
    close(trade.entryReferencePrice!, entryOpen, `${trade.tradeId} entry mid = next open`);
    close(trade.exitReferencePrice!, exitOpen, `${trade.tradeId} exit mid = open after the exit minute`);
    assert.equal(trade.exitCandleTimeMs, trade.exitTimeMs + MINUTE_MS);
    assert.equal(trade.exitCandleMissing, false);
    // by hand: a long buys 3 bps above and sells 3 bps below the mid, a short the reverse
    const up = 1 + slippage;
    const down = 1 - slippage;
    const [entryFill, exitFill] =
      trade.side === 'long' ? [entryOpen * up, exitOpen * down] : [entryOpen * down, exitOpen * up];
    close(trade.entryPrice, entryFill, `${trade.tradeId} entry fill`);
    close(trade.exitPrice, exitFill, `${trade.tradeId} exit fill`);
    const f = FEE_RATE_PER_SIDE;
    const net =
      trade.side === 'long'
        ? (exitFill * (1 - f)) / (entryFill * (1 + f)) - 1
        : (entryFill * (1 - f) - exitFill * (1 + f)) / entryFill;
    assert.ok(Math.abs(trade.netPnl - NOTIONAL * net) < 1e-6, `${trade.tradeId} net PnL`);
    assert.ok(Math.abs(trade.grossPnl - trade.slippage - trade.fees - trade.netPnl) < 1e-9);
    assert.ok(trade.slippage > 0, 'slippage costs');
    for (const quote of [trade.entryQuote!, trade.exitQuote!]) {
      const halfSpreadBps = ((quote.askPrice - quote.bidPrice) / (quote.askPrice + quote.bidPrice)) * 1e4;
      assert.ok(Math.abs(halfSpreadBps - HALF_SPREAD_BPS) < 1e-3, `${trade.tradeId} recorded book`);
    }
  }
  const { overall } = spreadRows(trades, await deps.ledger.openPositions());
  assert.equal(overall.fills >= 2 * trades.length, true);
  assert.ok(Math.abs(overall.paidHalfSpreadBps! - HALF_SPREAD_BPS) < 1e-3, 'the dashboard: spread paid');
  assert.ok(Math.abs(overall.assumedSlippageBps! - SLIPPAGE_BPS) < 1e-9, 'against slippage assumed');
});

test('nextOpen: without a readable book nothing enters, and the same minutes with a book do trade', async (t) => {
  const bench = await openBench({ config: nextOpenConfig });
  t.after(() => bench.close());
  const deps = bench.deps();
  const failing = {
    ...deps,
    binance: {
      latestClosedKlinesForSymbols: deps.binance.latestClosedKlinesForSymbols.bind(deps.binance),
      klines: deps.binance.klines.bind(deps.binance),
      bookTicker: async () => {
        throw new Error('book unavailable');
      },
    },
  };
  await runMinutes(bench, failing, 10);
  assert.deepEqual(await deps.ledger.openPositions(), []);
  const decision = (await deps.ledger.getDecision(FIRST_MINUTE_MS + 2 * MINUTE_MS))!;
  assert.ok(decision.entries.length === 0);

  const withBook = await openBench({ config: nextOpenConfig });
  t.after(() => withBook.close());
  const working = withBook.deps();
  await runMinutes(withBook, working, 10);
  const opened = (await working.ledger.listDecisions(0, FIRST_MINUTE_MS + 10 * MINUTE_MS)).flatMap(
    (made) => made.entries,
  );
  assert.ok(opened.length > 0, 'the tiny model does want to trade these minutes');
  const unpricedMinute = await deps.ledger.getDecision(opened[0]!.entryTimeMs);
  assert.ok(
    unpricedMinute!.predictions.some((row) => row.symbol === opened[0]!.symbol && row.action === 'stale'),
    'the pair it could not price is marked stale in that minute',
  );
  assert.ok(SYMBOLS.includes(opened[0]!.symbol));
});

test('maker entries: the paper trader trades at the book and records whether a limit at the touch of that book would have filled', async (t) => {
  const makerConfig = configSchema.parse({
    ...testConfig,
    execution: { entry: 'maker', slippageBpsPerSide: { other: SLIPPAGE_BPS } },
  });
  const bench = await openBench({ config: makerConfig, halfSpreadBps: HALF_SPREAD_BPS });
  t.after(() => bench.close());
  const deps = bench.deps();
  await runMinutes(bench, deps, 45);
  const trades = await deps.ledger.listTrades(0, FIRST_MINUTE_MS + 45 * MINUTE_MS);
  assert.ok(trades.length >= 3, `closed trades: ${trades.length}`);
  for (const trade of trades) {
    assert.equal(trade.fill, 'nextOpen', 'the paper trader itself still fills as a taker');
    const fillMinuteMs = trade.entryTimeMs + MINUTE_MS;
    const low = rawPrices(trade.symbol, 'low').get(fillMinuteMs)!;
    const high = rawPrices(trade.symbol, 'high').get(fillMinuteMs)!;
    const limit = trade.side === 'long' ? trade.entryQuote!.bidPrice : trade.entryQuote!.askPrice;
    assert.equal(trade.makerWouldFill, trade.side === 'long' ? low < limit : high > limit, trade.tradeId);
  }
});

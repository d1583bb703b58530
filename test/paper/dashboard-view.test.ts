/**
 * The dashboard's ledger view follows the ledger incrementally (new minutes by key, trades by id); these
 * tests hold it to the answer of a view that reads the same ledger from scratch, through the ways a
 * ledger grows: ticks that open and close positions, a position opened and closed between two looks, a
 * crashed tick repaired by the next, an outage (a gap in the ticks), a corrupt trade.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeTrade } from '../../src/paper/close-trade.js';
import { LedgerView } from '../../src/paper/dashboard/ledger-view.js';
import { dashboardSummary } from '../../src/paper/dashboard/summary.js';
import { Ledger } from '../../src/paper/ledger.js';
import type { TickOutcome } from '../../src/paper/records.js';
import { LocalStore } from '../../src/store/local-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { compactLedger } from '../../src/app/compact-ledger.js';
import { compactedDayKey } from '../../src/paper/ledger.js';
import { daySummaryBytes, daySummaryKey, readDaySummary } from '../../src/paper/dashboard/day-summary.js';
import { tickOutcome } from '../../fixtures/tick-outcome.js';
import { rawCloses, SYMBOLS } from './support/harness.js';
import {
  FIXTURE_FIRST_MINUTE_MS,
  FIXTURE_MINUTES,
  fixturePosition,
  writeLedgerFixture,
} from './support/ledger-fixture.js';

const FIRST_NEW_MINUTE_MS = FIXTURE_FIRST_MINUTE_MS + FIXTURE_MINUTES * MINUTE_MS;

/** Counts the listings per ledger folder, passing everything through. */
class ListingCounter implements ObjectStore {
  readonly listings = new Map<string, number>();
  constructor(private readonly inner: ObjectStore) {}
  get url() {
    return this.inner.url;
  }
  get(key: string) {
    return this.inner.get(key);
  }
  put(key: string, body: string | Uint8Array) {
    return this.inner.put(key, body);
  }
  putIfAbsent(key: string, body: string | Uint8Array) {
    return this.inner.putIfAbsent(key, body);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  list(prefix: string) {
    const folder = prefix.split('/').slice(0, 2).join('/');
    this.listings.set(folder, (this.listings.get(folder) ?? 0) + 1);
    return this.inner.list(prefix);
  }
}

async function withLedger(run: (ledger: Ledger, store: LocalStore) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-dashboard-view-'));
  try {
    const store = new LocalStore(dir);
    await writeLedgerFixture(store);
    await run(new Ledger(store), store);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function outcome(minuteMs: number, fields: Partial<TickOutcome> = {}): TickOutcome {
  return tickOutcome(minuteMs, { modelId: '20211222T000000Z-f1x7re', predicted: SYMBOLS.length, ...fields });
}

/**
 * One minute as the tick writes it: due positions closed, the decision with its entries, the entries
 * opened, the outcome last (left out for a tick that crashed before it).
 */
async function tickMinute(
  ledger: Ledger,
  minuteMs: number,
  entrySymbols: readonly string[],
  options: { crashBeforeOutcome?: boolean; repairs?: number[]; exitsPending?: string[] } = {},
): Promise<void> {
  for (const position of await ledger.openPositions()) {
    if (position.exitTimeMs > minuteMs || options.exitsPending?.includes(position.symbol)) continue;
    const exitPrice = rawCloses(position.symbol).get(position.exitTimeMs)!;
    await ledger.closePosition(
      closeTrade(
        position,
        { fillTimeMs: position.exitTimeMs, referencePrice: exitPrice, quote: null },
        minuteMs,
      ),
    );
  }
  for (const repairedMs of options.repairs ?? []) {
    for (const entry of (await ledger.getDecision(repairedMs))!.entries) await ledger.openPosition(entry);
    await ledger.recordTick(outcome(repairedMs, { status: 'repaired' }));
  }
  const entries = entrySymbols.map((symbol, index) => fixturePosition(symbol, minuteMs, index));
  await ledger.createDecision({
    version: 1,
    minuteMs,
    createdAtMs: minuteMs + 61_000,
    modelId: '20211222T000000Z-f1x7re',
    predictions: [],
    staleSymbols: [],
    entries,
  });
  for (const entry of entries) await ledger.openPosition(entry);
  if (!options.crashBeforeOutcome)
    await ledger.recordTick(outcome(minuteMs, { reconciledMinutesMs: options.repairs ?? [] }));
}

async function assertSameAsFromScratch(view: LedgerView, store: ObjectStore, when: string) {
  const followed = dashboardSummary(await view.snapshot(), 0);
  const fromScratch = dashboardSummary(await new LedgerView(store).snapshot(), 0);
  assert.deepEqual(followed, fromScratch, when);
  return followed;
}

test('a view that follows the ledger minute by minute answers what a view reading it from scratch answers', async () => {
  await withLedger(async (ledger, store) => {
    const view = new LedgerView(store, { reconcileMs: 0 });
    const first = dashboardSummary(await view.snapshot(), 0);
    let minuteMs = FIRST_NEW_MINUTE_MS;
    const next = () => (minuteMs += MINUTE_MS) - MINUTE_MS;

    // live minutes, looked at after each: entries every third minute, the fixture's open position closes
    for (let i = 0; i < 20; i++) {
      await tickMinute(ledger, next(), i % 3 === 0 ? [SYMBOLS[i % SYMBOLS.length]!] : []);
      await view.snapshot();
    }
    const live = await assertSameAsFromScratch(view, store, 'after 20 live minutes');
    assert.ok(live.totals.trades > first.totals.trades);

    // positions opened and closed while nobody looked (more than a horizon between two looks)
    for (let i = 0; i < 20; i++) await tickMinute(ledger, next(), i % 2 === 0 ? ['ADAUSDT', 'DOGEUSDT'] : []);
    await assertSameAsFromScratch(view, store, 'after 20 minutes unseen');

    // a tick crashes after opening its entry; the next one repairs it, and both close later unseen
    const crashedMs = next();
    await tickMinute(ledger, crashedMs, ['AVAXUSDT'], { crashBeforeOutcome: true });
    await tickMinute(ledger, next(), ['XLMUSDT'], { repairs: [crashedMs] });
    for (let i = 0; i < 17; i++) await tickMinute(ledger, next(), []);
    await assertSameAsFromScratch(view, store, 'after a repaired tick');

    // an exit with no candle yet closes after later trades: its trade lands before the end of the exit order
    const lateMs = next();
    await tickMinute(ledger, lateMs, ['DOGEUSDT']);
    await tickMinute(ledger, next(), ['ADAUSDT']);
    for (let i = 0; i < 18; i++) {
      await tickMinute(ledger, next(), [], { exitsPending: i < 16 ? ['DOGEUSDT'] : [] });
      if (i === 15) dashboardSummary(await view.snapshot(), 0); // ADAUSDT's trade counted, DOGEUSDT's not yet
    }
    const late = await assertSameAsFromScratch(view, store, 'after a late exit');
    assert.equal(late.recentTrades[0]!.tradeId, fixturePosition('ADAUSDT', lateMs + MINUTE_MS, 0).tradeId);

    // an outage longer than a probe: ticks resume half an hour later
    minuteMs += 30 * MINUTE_MS;
    for (let i = 0; i < 18; i++) await tickMinute(ledger, next(), i === 0 ? ['SOLUSDT'] : []);
    const resumed = await assertSameAsFromScratch(view, store, 'after an outage');
    assert.equal(resumed.span?.toMs, minuteMs);

    // a corrupt trade is left out and reported by both
    const corruptKey = `paper/trades/${fixturePosition('ADAUSDT', minuteMs, 0).tradeId}.json`;
    await writeFile(path.join(store.rootDir, corruptKey), '{"tradeId": ');
    for (let i = 0; i < 2; i++) await tickMinute(ledger, next(), []);
    const withCorrupt = await assertSameAsFromScratch(view, store, 'with a corrupt trade');
    assert.deepEqual(
      withCorrupt.skipped.map((object) => object.key),
      [corruptKey],
    );
  });
});

test('while ticks keep coming, a look lists neither the trades nor the tick outcomes', async () => {
  await withLedger(async (ledger, store) => {
    const counter = new ListingCounter(store);
    const view = new LedgerView(counter, { reconcileMs: 60_000, clock: () => 0 });
    await view.snapshot();
    counter.listings.clear();
    let minuteMs = FIRST_NEW_MINUTE_MS;
    for (let i = 0; i < 40; i++, minuteMs += MINUTE_MS) {
      await tickMinute(ledger, minuteMs, i % 4 === 0 ? [SYMBOLS[i % SYMBOLS.length]!] : []);
      await view.snapshot();
    }
    assert.deepEqual(Object.fromEntries(counter.listings), { 'paper/positions': 40 });
    await assertSameAsFromScratch(view, store, 'after 40 minutes followed by key');
  });
});

/** Counts the reads per ledger folder; `hideCompacted` makes the compacted day files invisible. */
class ReadCounter extends ListingCounter {
  readonly reads = new Map<string, number>();
  constructor(
    inner: ObjectStore,
    private readonly hideCompacted = false,
  ) {
    super(inner);
  }
  override get(key: string) {
    const folder = key.split('/').slice(0, 2).join('/');
    this.reads.set(folder, (this.reads.get(folder) ?? 0) + 1);
    return super.get(key);
  }
  override list(prefix: string) {
    return this.hideCompacted && prefix.startsWith('paper/curated/')
      ? Promise.resolve([])
      : super.list(prefix);
  }
}

/** Compacts the fixture's day (its summary included) as the daily Lambda does. */
async function compactFixtureDay(ledger: Ledger, store: LocalStore): Promise<void> {
  // the fixture's one open position would hold its day back from compaction: set it aside meanwhile
  const [open] = await ledger.openPositions();
  const openKey = `paper/positions/${open!.tradeId}.json`;
  const openBytes = (await store.get(openKey))!;
  await store.delete(openKey);
  const compacted = await compactLedger({
    store,
    horizonMinutes: 15,
    nowMs: () => FIRST_NEW_MINUTE_MS + DAY_MS,
  });
  assert.ok(compacted.days.some((day) => day.kind === 'trades' && day.status === 'written' && day.rows > 3));
  await store.put(openKey, openBytes);
}

const FIXTURE_DAY_MS = Math.floor(FIXTURE_FIRST_MINUTE_MS / DAY_MS) * DAY_MS;

/** The summary the view gives from nothing but the JSON ledger (the compacted files hidden). */
async function fromRawLedger(store: ObjectStore) {
  const view = new LedgerView(new ReadCounter(store, true));
  const summary = dashboardSummary(await view.snapshot(), 0);
  return { summary, trades: await view.allTrades() };
}

test('after a restart, the first look reads compacted days from their day files, not trade by trade, and answers the same', async () => {
  await withLedger(async (ledger, store) => {
    await compactFixtureDay(ledger, store);
    const dayFile = (await store.get(compactedDayKey('trades', FIXTURE_DAY_MS)))!;
    assert.ok(
      'summary' in readDaySummary(await store.get(daySummaryKey(FIXTURE_DAY_MS)), dayFile, FIXTURE_DAY_MS),
      'the compaction wrote the day summary',
    );
    // a trade that reached the compacted day after its compaction is in the JSON only
    const late = fixturePosition(SYMBOLS[1]!, FIXTURE_FIRST_MINUTE_MS + 3 * MINUTE_MS, 1);
    await ledger.closePosition(
      closeTrade(
        late,
        {
          fillTimeMs: late.exitTimeMs,
          referencePrice: rawCloses(late.symbol).get(late.exitTimeMs)!,
          quote: null,
        },
        late.exitTimeMs,
      ),
    );

    const counter = new ReadCounter(store);
    const fromDayFiles = dashboardSummary(await new LedgerView(counter).snapshot(), 0);
    assert.equal(
      counter.reads.get('paper/trades'),
      1,
      'only the trade the day file does not hold is read as JSON',
    );
    assert.equal(counter.reads.get('paper/curated'), 2, 'the one trades day file and its summary');
    const fromJson = dashboardSummary(await new LedgerView(new ReadCounter(store, true)).snapshot(), 0);
    assert.ok(fromJson.totals.trades > 3);
    assert.deepEqual(fromDayFiles, fromJson);
  });
});

test('a day summary that is stale or damaged is not trusted: the day file is decoded and the summary written again', async () => {
  await withLedger(async (ledger, store) => {
    await compactFixtureDay(ledger, store);
    const summaryKey = daySummaryKey(FIXTURE_DAY_MS);
    const dayFile = (await store.get(compactedDayKey('trades', FIXTURE_DAY_MS)))!;
    const good = (await store.get(summaryKey))!;
    const { summary: raw, trades: rawTrades } = await fromRawLedger(store);
    const [, ...allButOne] = rawTrades;
    const text = new TextDecoder().decode(good);
    const variants: Record<string, Uint8Array | string> = {
      // of other bytes than the day file (a day compacted again), one trade short
      stale: daySummaryBytes(new TextEncoder().encode('another day file'), allButOne),
      'cut short': good.subarray(0, good.byteLength - 40),
      // a count changed, the digest line left as it was
      edited: text.replace('"count":', '"count":1'),
      'not a summary': '{}',
      // digests right, but one trade claims another day (which that day's summary would count too)
      "another day's trade": daySummaryBytes(
        dayFile,
        rawTrades.map((trade, index) =>
          index === 0 ? { ...trade, tradeId: '2000-01-01T0000Z-BTCUSDT' } : trade,
        ),
      ),
    };
    for (const [name, bytes] of Object.entries(variants)) {
      await store.put(summaryKey, bytes);
      assert.ok('problem' in readDaySummary(await store.get(summaryKey), dayFile, FIXTURE_DAY_MS), name);
      const view = new LedgerView(store);
      assert.deepEqual(dashboardSummary(await view.snapshot(), 0), raw, name);
      assert.deepEqual(await view.allTrades(), rawTrades, name);
      assert.deepEqual(await store.get(summaryKey), good, `${name}: written again`);
    }
  });
});

test('after a restart from day summaries, new trades appear, and every page of trades is the raw ledger', async () => {
  await withLedger(async (ledger, store) => {
    await compactFixtureDay(ledger, store);
    const view = new LedgerView(store, { reconcileMs: 0 });
    assert.deepEqual(dashboardSummary(await view.snapshot(), 0), (await fromRawLedger(store)).summary);
    let minuteMs = FIRST_NEW_MINUTE_MS;
    for (let i = 0; i < 40; i++, minuteMs += MINUTE_MS) {
      await tickMinute(ledger, minuteMs, i % 3 === 0 ? [SYMBOLS[i % SYMBOLS.length]!] : []);
      if (i % 10 === 9) await view.snapshot();
    }
    const followed = dashboardSummary(await view.snapshot(), 0);
    const raw = await fromRawLedger(store);
    assert.deepEqual(followed, raw.summary);
    assert.ok(followed.totals.trades > 20, `${followed.totals.trades} trades`);
    assert.deepEqual(await view.allTrades(), raw.trades);
  });
});

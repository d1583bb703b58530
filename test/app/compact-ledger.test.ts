/**
 * `alpha15 ledger compact` over a small ledger written through the Ledger (trades closed by closeTrade,
 * decisions with a stale symbol, an open position): DuckDB reads each finished day's Parquet back as the
 * ledger's JSON records, its schema is the Glue tables' columns, a second run rewrites nothing, and a
 * day with a position still open waits.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { compactLedger } from '../../src/app/compact-ledger.js';
import type { CatalogTable } from '../../src/lake/catalog.js';
import { DECISIONS_TABLE, TRADES_TABLE } from '../../src/paper/catalog.js';
import { closeTrade } from '../../src/paper/close-trade.js';
import { compactedDayKey, Ledger, tradeIdOf } from '../../src/paper/ledger.js';
import type { Decision, Position, Trade } from '../../src/paper/records.js';
import { LocalStore } from '../../src/store/local-store.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { runCli } from '../support/cli.js';
import { tickOutcome } from '../../fixtures/tick-outcome.js';

const DAY_1 = Date.UTC(2026, 1, 3);
const DAY_2 = DAY_1 + DAY_MS;
const DAY_3 = DAY_2 + DAY_MS;
const HORIZON_MS = 15 * MINUTE_MS;
const MODEL_ID = '20260201T000000Z-abc123';

function position(symbol: string, entryTimeMs: number, side: 'long' | 'short', entryPrice: number): Position {
  return {
    tradeId: tradeIdOf(symbol, entryTimeMs),
    symbol,
    side,
    entryTimeMs,
    exitTimeMs: entryTimeMs + HORIZON_MS,
    entryPrice: entryPrice * (side === 'long' ? 1.0003 : 0.9997),
    entryReferencePrice: entryPrice,
    fill: 'nextOpen',
    slippageRatePerSide: 0.0003,
    // the book when the entry filled, or none when bookTicker could not be fetched
    entryQuote:
      side === 'long'
        ? { bidPrice: entryPrice * 0.9999, askPrice: entryPrice * 1.0001, timeMs: entryTimeMs + 61_500 }
        : null,
    prediction: side === 'long' ? 0.0021 : -0.0019,
    calibratedPrediction: side === 'long' ? 0.0018 : -0.0017,
    threshold: side === 'long' ? 0.0015 : -0.0015,
    modelId: MODEL_ID,
    notional: 1000,
    feeRatePerSide: 0.001,
  };
}

/** Closes at `exitOpen`, the open of the minute after the exit minute (nextOpen fills), quoted. */
function close(open: Position, exitOpen: number): Trade {
  const fillTimeMs = open.exitTimeMs + MINUTE_MS;
  const quote = { bidPrice: exitOpen * 0.9999, askPrice: exitOpen * 1.0001, timeMs: fillTimeMs + 1_200 };
  return closeTrade(open, { fillTimeMs, referencePrice: exitOpen, quote }, fillTimeMs + 2_000);
}

function decision(minuteMs: number, entries: Position[]): Decision {
  return {
    version: 1,
    minuteMs,
    createdAtMs: minuteMs + 62_000,
    modelId: MODEL_ID,
    predictions: [
      {
        symbol: 'LINKUSDT',
        prediction: 0.0021,
        calibratedPrediction: 0.0018,
        longThreshold: 0.0015,
        shortThreshold: -0.0015,
        close: 8.912,
        action: entries.length > 0 ? 'long' : 'none',
      },
      {
        symbol: 'NEARUSDT',
        prediction: null,
        calibratedPrediction: null,
        longThreshold: null,
        shortThreshold: null,
        close: null,
        action: 'stale',
      },
    ],
    staleSymbols: ['NEARUSDT'],
    entries,
  };
}

let dir: string;
let store: LocalStore;
let ledger: Ledger;
let duck: Awaited<ReturnType<typeof DuckDBInstance.create>>;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alpha15-compact-'));
  store = new LocalStore(dir);
  ledger = new Ledger(store);
  // day 1: two trades closed the same day, one entered at 23:50 and closed on day 2, decisions every few minutes
  const exits: [Position, number][] = [
    [position('LINKUSDT', DAY_1 + 9 * 60 * MINUTE_MS, 'long', 8.91), 8.95],
    [position('ALGOUSDT', DAY_1 + 14 * 60 * MINUTE_MS, 'short', 0.1932), 0.1921],
    [position('LINKUSDT', DAY_1 + (23 * 60 + 50) * MINUTE_MS, 'long', 9.02), 8.99],
  ];
  for (const [open, exitOpen] of exits) {
    await ledger.createDecision(decision(open.entryTimeMs, [open]));
    await ledger.closePosition(close(open, exitOpen));
  }
  await ledger.createDecision(decision(DAY_1 + 12 * 60 * MINUTE_MS, []));
  await ledger.createDecision(decision(DAY_2 + 60 * MINUTE_MS, []));
  // day 3: a position still open (its exit candle has not come) holds day 3 back
  const open = position('ALGOUSDT', DAY_3 + 30 * MINUTE_MS, 'long', 0.19);
  await ledger.createDecision(decision(open.entryTimeMs, [open]));
  await ledger.openPosition(open);
  for (const minuteMs of [DAY_1 + 9 * 60 * MINUTE_MS, DAY_3 + 30 * MINUTE_MS]) {
    await ledger.recordTick(
      tickOutcome(minuteMs, {
        modelId: MODEL_ID,
        predicted: 2,
        opened: 1,
        staleSymbols: ['NEARUSDT'],
        durationMs: 40,
        finishedAtMs: minuteMs + 63_000,
      }),
    );
  }
  duck = await DuckDBInstance.create(':memory:');
});
after(() => rm(dir, { recursive: true, force: true }));

const compactRun = (...args: string[]) =>
  runCli(['ledger', 'compact', '--store', `file://${dir}`, '--json', ...args]);

async function compactCli(...args: string[]) {
  const { code, stdout, stderr } = await compactRun(...args);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as {
    fromDay: string;
    toDay: string;
    lastFinishedDay: string;
    written: number;
    unchanged: number;
  };
}

async function query(sql: string) {
  const connection = await duck.connect();
  return (await connection.runAndReadAll(sql)).getRowObjectsJS();
}

const fileOf = (kind: 'trades' | 'decisions', dayMs: number) => path.join(dir, compactedDayKey(kind, dayMs));
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** A trade's JSON fields in snake case, with the two book quotes flattened as the table has them. */
function expectedRow({ entryQuote, exitQuote, ...fields }: Trade): Record<string, unknown> {
  return {
    ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [snakeCase(name), value])),
    entry_bid_price: entryQuote?.bidPrice ?? null,
    entry_ask_price: entryQuote?.askPrice ?? null,
    entry_quote_time_ms: entryQuote?.timeMs ?? null,
    exit_bid_price: exitQuote?.bidPrice ?? null,
    exit_ask_price: exitQuote?.askPrice ?? null,
    exit_quote_time_ms: exitQuote?.timeMs ?? null,
  };
}
const plain = (value: unknown) => (typeof value === 'bigint' ? Number(value) : value);

/** DuckDB's names for the catalog's Hive types. */
const DUCKDB_TYPES = { bigint: 'BIGINT', double: 'DOUBLE', string: 'VARCHAR', boolean: 'BOOLEAN' };

async function assertSchemaIsCatalog(file: string, table: CatalogTable) {
  const described = await query(`describe select * from read_parquet('${file}', hive_partitioning = false)`);
  assert.deepEqual(
    described.map((row) => [row.column_name, row.column_type]),
    table.columns.map((column) => [column.name, DUCKDB_TYPES[column.type]]),
  );
}

describe('alpha15 ledger compact', () => {
  it('rolls every finished day into Parquet that DuckDB reads back as the ledger JSON, and waits for a day with an open position', async () => {
    const result = await compactCli();
    assert.equal(result.fromDay, '2026-02-03');
    assert.equal(result.toDay, '2026-02-04');
    assert.equal(result.lastFinishedDay, '2026-02-04');
    assert.equal(result.written, 3); // day 1 trades and decisions, day 2 decisions (no trade entered on day 2)

    const trades = await ledger.listTrades(DAY_1, DAY_2);
    assert.equal(trades.length, 3);
    const rows = await query(
      `select * from read_parquet('${fileOf('trades', DAY_1)}', hive_partitioning = false) order by entry_time_ms`,
    );
    assert.deepEqual(
      rows.map((row) => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, plain(value)]))),
      trades.sort((a, b) => a.entryTimeMs - b.entryTimeMs).map(expectedRow),
    );

    const decisions = await query(
      `select minute_ms, symbol, action, prediction, close, stale, entered from read_parquet('${fileOf('decisions', DAY_1)}', hive_partitioning = false) order by minute_ms, symbol`,
    );
    assert.equal(decisions.length, 4 * 2);
    assert.deepEqual(
      decisions
        .filter((row) => row.symbol === 'NEARUSDT')
        .map((row) => [row.prediction, row.close, row.stale, row.action]),
      Array(4).fill([null, null, true, 'stale']),
    );
    assert.deepEqual(
      decisions.filter((row) => row.entered).map((row) => plain(row.minute_ms)),
      trades.filter((trade) => trade.symbol === 'LINKUSDT').map((trade) => trade.entryTimeMs),
    );
    await assert.rejects(stat(fileOf('decisions', DAY_3)), /ENOENT/);
  });

  it('writes files whose schema is exactly the columns of the Glue tables', async () => {
    await assertSchemaIsCatalog(fileOf('trades', DAY_1), TRADES_TABLE);
    await assertSchemaIsCatalog(fileOf('decisions', DAY_1), DECISIONS_TABLE);
  });

  it('a second run rewrites nothing, by default or over the same days again', async () => {
    const modified = async () =>
      Promise.all(
        [fileOf('trades', DAY_1), fileOf('decisions', DAY_1), fileOf('decisions', DAY_2)].map(
          async (file) => (await stat(file)).mtimeMs,
        ),
      );
    const before = await modified();
    const again = await compactCli();
    assert.equal(again.written, 0);
    assert.equal(again.fromDay, null); // nothing finished is left uncompacted
    const recheck = await compactCli('--from', '2026-02-03', '--to', '2026-02-04');
    assert.deepEqual([recheck.written, recheck.unchanged], [0, 3]);
    assert.deepEqual(await modified(), before);
  });

  it('a record that reaches a compacted day later rebuilds that day only, once the day is checked again', async () => {
    const late = position('ALGOUSDT', DAY_1 + 20 * 60 * MINUTE_MS, 'long', 0.1925);
    await ledger.closePosition(close(late, 0.1931));
    const result = await compactLedger({ store, fromDayMs: DAY_1, horizonMinutes: 15 });
    assert.deepEqual(
      result.days
        .filter((day) => day.status === 'written')
        .map((day) => `${day.day} ${day.kind} ${day.rows}`),
      ['2026-02-03 trades 4'],
    );
  });

  it('a source corrupted after compaction is reported as damage and the day file is kept (exit 1)', async () => {
    const [tradeKey] = await ledger.keysInRange('trades', DAY_1, DAY_2);
    const original = (await store.get(tradeKey!))!;
    const fileBefore = await store.get(compactedDayKey('trades', DAY_1));
    await store.put(tradeKey!, original.subarray(0, original.length - 7));
    try {
      const result = await compactLedger({ store, fromDayMs: DAY_1, toDayMs: DAY_1, horizonMinutes: 15 });
      const trades = result.days.find((day) => day.kind === 'trades')!;
      assert.equal(trades.status, 'damaged');
      assert.equal(result.damaged, 1);
      assert.deepEqual(
        trades.damage!.map((damage) => damage.key),
        [tradeKey],
      );
      assert.match(trades.damage![0]!.problem, /not a valid trade/);
      assert.deepEqual(
        await store.get(compactedDayKey('trades', DAY_1)),
        fileBefore,
        'the good copy is kept',
      );
      const damaged = await compactRun('--from', '2026-02-03', '--to', '2026-02-03');
      assert.equal(damaged.code, 1);
      assert.equal((JSON.parse(damaged.stdout) as { damaged: number }).damaged, 1);
    } finally {
      await store.put(tradeKey!, original);
    }
  });

  it('a truncated compacted file whose sources have expired is reported as damage and stays in place', async () => {
    const decisionKeys = await ledger.keysInRange('decisions', DAY_2, DAY_3);
    assert.ok(decisionKeys.length > 0);
    const kept = await Promise.all(decisionKeys.map(async (key) => [key, (await store.get(key))!] as const));
    const fileKey = compactedDayKey('decisions', DAY_2);
    const truncated = (await store.get(fileKey))!.subarray(0, 200);
    // the JSON of the day expired (a lifecycle rule), then the only copy was damaged
    for (const key of decisionKeys) await store.delete(key);
    await store.put(fileKey, truncated);
    try {
      const result = await compactLedger({ store, fromDayMs: DAY_2, toDayMs: DAY_2, horizonMinutes: 15 });
      const decisions = result.days.find((day) => day.kind === 'decisions')!;
      assert.equal(decisions.status, 'damaged');
      assert.equal(decisions.damage![0]!.key, fileKey);
      assert.match(decisions.damage![0]!.problem, /cannot be rebuilt/);
      assert.deepEqual(await store.get(fileKey), truncated, 'left for a person to look at');
      // with its sources back, the day is rebuilt from them
      for (const [key, bytes] of kept) await store.put(key, bytes);
      const repaired = await compactLedger({ store, fromDayMs: DAY_2, toDayMs: DAY_2, horizonMinutes: 15 });
      assert.equal(repaired.days.find((day) => day.kind === 'decisions')!.status, 'written');
    } finally {
      for (const [key, bytes] of kept) await store.put(key, bytes);
    }
  });

  it('by default stops at the last ticked day: a replay of February compacted in December lists no empty days after it', async () => {
    const replayDir = await mkdtemp(path.join(tmpdir(), 'alpha15-compact-replay-'));
    try {
      const replayStore = new LocalStore(replayDir);
      const replayLedger = new Ledger(replayStore);
      const open = position('LINKUSDT', DAY_1 + 9 * 60 * MINUTE_MS, 'long', 8.91);
      await replayLedger.createDecision(decision(open.entryTimeMs, [open]));
      await replayLedger.closePosition(close(open, 8.95));
      await replayLedger.recordTick(
        tickOutcome(open.entryTimeMs, {
          modelId: MODEL_ID,
          predicted: 2,
          opened: 1,
          durationMs: 40,
          finishedAtMs: open.entryTimeMs + 63_000,
        }),
      );
      const result = await compactLedger({
        store: replayStore,
        horizonMinutes: 15,
        nowMs: () => Date.UTC(2026, 11, 4),
      });
      assert.equal(result.fromDay, '2026-02-03');
      assert.equal(result.toDay, '2026-02-03');
      assert.equal(result.days.filter((day) => day.status === 'empty').length, 0);
    } finally {
      await rm(replayDir, { recursive: true, force: true });
    }
  });
});

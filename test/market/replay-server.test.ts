import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readKlineArchive } from '../../src/market/archive.js';
import { BinanceClient } from '../../src/market/binance-client.js';
import { UnknownSymbolError } from '../../src/market/errors.js';
import { KLINE_COLUMN_FIELDS, lowerBound, sliceColumns } from '../../src/market/kline-columns.js';
import { detectReplaySource } from '../../src/market/replay-data.js';
import { selectKlineRows } from '../../src/market/replay-endpoints.js';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { ARCHIVE_MONTH_DIR, REST_SNAPSHOTS_DIR } from '../support/shared-data.js';

const MINUTE_MS = 60_000;
const FEB_2026_START_MS = Date.UTC(2026, 1, 1);

describe('replay server over the 2026-02 archives', () => {
  let server: ReplayServer;
  let client: BinanceClient;
  const clockMs = Date.UTC(2026, 1, 10, 12, 34, 56);
  const linkReference = readKlineArchive(
    'LINKUSDT',
    readFileSync(path.join(ARCHIVE_MONTH_DIR, 'LINKUSDT-1m-2026-02.zip')),
  );

  before(async () => {
    server = await startReplayServer({
      source: await detectReplaySource(ARCHIVE_MONTH_DIR),
      symbols: ['LINKUSDT', 'NEARUSDT', 'ALGOUSDT'],
      fromMs: clockMs,
      manualClock: true,
    });
    client = new BinanceClient({ baseUrl: server.url, backoffBaseMs: 1 });
  });
  after(() => server.close());

  it('serves its simulated clock as /api/v3/time and moves it with POST /_replay/time', async () => {
    assert.equal(await client.serverTimeMs(), clockMs);
    const moved = await fetch(`${server.url}/_replay/time?timeMs=${clockMs + MINUTE_MS}`, { method: 'POST' });
    assert.equal(moved.status, 200);
    assert.equal(await client.serverTimeMs(), clockMs + MINUTE_MS);
    server.setTimeMs(clockMs);
    assert.equal(server.nowMs(), clockMs);
  });

  it('refuses POST /_replay/time from a browser origin, even with the manual clock', async () => {
    for (const headers of [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<
      string,
      string
    >[]) {
      const moved = await fetch(`${server.url}/_replay/time?timeMs=${clockMs + 7 * MINUTE_MS}`, {
        method: 'POST',
        headers,
      });
      assert.equal(moved.status, 403, JSON.stringify(headers));
    }
    assert.equal(await client.serverTimeMs(), clockMs);
  });

  it('klinesRange paginates through the server and returns exactly the archive rows', async () => {
    const fromMs = FEB_2026_START_MS + 100 * MINUTE_MS;
    const toMs = fromMs + 2_500 * MINUTE_MS;
    const progress: number[] = [];
    const columns = await client.klinesRange('LINKUSDT', fromMs, toMs, (fetchedRows) =>
      progress.push(fetchedRows),
    );
    assert.deepEqual(progress, [1000, 2000, 2500]);
    const start = lowerBound(linkReference.openTimeMs, fromMs);
    const expected = sliceColumns(linkReference, start, start + 2_500);
    for (const field of KLINE_COLUMN_FIELDS) assert.deepEqual(columns[field], expected[field], field);
  });

  it('latestClosedKlines returns the newest closed candles, across two pages, none from the future', async () => {
    const columns = await client.latestClosedKlines('NEARUSDT', 1_500, clockMs);
    assert.equal(columns.openTimeMs.length, 1_500);
    const lastOpenMs = columns.openTimeMs[1_499]!;
    assert.equal(lastOpenMs, Math.floor(clockMs / MINUTE_MS) * MINUTE_MS - MINUTE_MS);
    assert.ok(lastOpenMs + MINUTE_MS <= clockMs);
    assert.equal(columns.openTimeMs[0], lastOpenMs - 1_499 * MINUTE_MS);
  });

  it('fetches many symbols in parallel and reports an unknown one without failing the rest', async () => {
    const results = await client.latestClosedKlinesForSymbols(
      ['LINKUSDT', 'NOPEUSDT', 'ALGOUSDT', 'NEARUSDT'],
      512,
      clockMs,
      { concurrency: 3 },
    );
    assert.deepEqual(
      results.map((result) => [
        result.symbol,
        result.ok ? result.columns.openTimeMs.length : (result.error as Error).name,
      ]),
      [
        ['LINKUSDT', 512],
        ['NOPEUSDT', 'UnknownSymbolError'],
        ['ALGOUSDT', 512],
        ['NEARUSDT', 512],
      ],
    );
    assert.ok(client.usedWeightThisMinute > 0, 'the server reports used weight');
  });

  it('never returns a candle that closes after its clock, whatever the query', async () => {
    const queries = [
      {},
      { limit: 1000 },
      { startTimeMs: clockMs - 10 * MINUTE_MS },
      { startTimeMs: clockMs - 30_000 },
      { endTimeMs: clockMs + 3_600_000 },
      { startTimeMs: clockMs - 5 * MINUTE_MS, endTimeMs: clockMs + 5 * MINUTE_MS, limit: 1000 },
    ];
    for (const query of queries) {
      const klines = await client.klines('ALGOUSDT', query);
      assert.ok(
        klines.every((kline) => kline.closeTimeMs < clockMs),
        `query ${JSON.stringify(query)} leaked a candle closing at ${klines.at(-1)?.closeTimeMs}`,
      );
    }
  });

  it('answers like Binance: unknown symbol, bad interval, bad limit', async () => {
    await assert.rejects(client.klines('NOPEUSDT'), (error: unknown) => error instanceof UnknownSymbolError);
    const cases: [string, number][] = [
      ['symbol=NOPEUSDT&interval=1m', -1121],
      ['symbol=LINKUSDT&interval=5m', -1120],
      ['symbol=LINKUSDT&interval=1m&limit=1001', -1130],
      ['symbol=LINKUSDT&interval=1m&startTime=abc', -1100],
      ['interval=1m', -1102],
    ];
    for (const [query, code] of cases) {
      const response = await fetch(`${server.url}/api/v3/klines?${query}`);
      assert.equal(response.status, 400, query);
      const body = (await response.json()) as { code: number; msg: string };
      assert.equal(body.code, code, query);
      if (code === -1121) assert.equal(body.msg, 'Invalid symbol.');
    }
  });
});

describe('replay server with a running clock', () => {
  it('refuses POST /_replay/time without --manual-clock: nobody can move a running replay', async () => {
    const fromMs = Date.UTC(2026, 1, 10, 12, 0, 0);
    const server = await startReplayServer({
      source: await detectReplaySource(ARCHIVE_MONTH_DIR),
      symbols: ['LINKUSDT'],
      fromMs,
    });
    try {
      const moved = await fetch(`${server.url}/_replay/time?timeMs=${fromMs + 600 * MINUTE_MS}`, {
        method: 'POST',
      });
      assert.equal(moved.status, 403);
      assert.match(((await moved.json()) as { msg: string }).msg, /started with a manual clock/);
      assert.ok(server.nowMs() < fromMs + 60 * MINUTE_MS);
    } finally {
      await server.close();
    }
  });
});

describe('replay server over captured REST bodies', () => {
  let server: ReplayServer;
  let client: BinanceClient;
  before(async () => {
    const dir = path.join(REST_SNAPSHOTS_DIR, 'snapshot-a');
    server = await startReplayServer({ source: await detectReplaySource(dir), manualClock: true });
    client = new BinanceClient({ baseUrl: server.url, backoffBaseMs: 1 });
  });
  after(() => server.close());

  it('starts 512 minutes after the live symbols start, ignoring the delisted pair', () => {
    assert.equal(server.fromMs, Date.parse('2021-12-20T23:59:00Z') + 512 * MINUTE_MS);
    assert.equal(server.symbols.length, 21);
  });

  it('lists symbols in exchangeInfo with the delisted pair on BREAK', async () => {
    server.setTimeMs(Date.parse('2021-12-21T16:39:00Z'));
    const symbols = await client.exchangeSymbols();
    assert.deepEqual(
      symbols.filter((entry) => entry.status !== 'TRADING'),
      [{ symbol: 'BGBPUSDC', status: 'BREAK' }],
    );
    assert.equal(symbols.length, 21);
  });

  it('merges the retry capture: SOLUSDT reaches 16:38 like the symbols of the second batch', async () => {
    server.setTimeMs(Date.parse('2021-12-21T16:39:00Z'));
    const [last] = await client.klines('SOLUSDT', { limit: 1 });
    assert.equal(last!.openTimeMs, Date.parse('2021-12-21T16:38:00Z'));
  });

  it('serves a stale pair its old candles, which the client still parses', async () => {
    const columns = await client.latestClosedKlines('BGBPUSDC', 10, server.nowMs());
    assert.equal(columns.openTimeMs[9], Date.parse('2020-11-17T11:59:00Z'));
  });
});

describe('row selection', () => {
  const openTimeMs = Float64Array.from({ length: 10 }, (_, index) => index * MINUTE_MS);
  it('counts a candle only once its minute is over', () => {
    assert.deepEqual(selectKlineRows(openTimeMs, { limit: 500 }, 5 * MINUTE_MS), [0, 5]);
    assert.deepEqual(selectKlineRows(openTimeMs, { limit: 500 }, 5 * MINUTE_MS - 1), [0, 4]);
    assert.deepEqual(
      selectKlineRows(openTimeMs, { limit: 2, startTimeMs: MINUTE_MS }, 9 * MINUTE_MS),
      [1, 3],
    );
    assert.deepEqual(
      selectKlineRows(openTimeMs, { limit: 2, endTimeMs: 3 * MINUTE_MS }, 9 * MINUTE_MS),
      [2, 4],
    );
    assert.deepEqual(
      selectKlineRows(openTimeMs, { limit: 5, startTimeMs: 8 * MINUTE_MS }, 3 * MINUTE_MS),
      [8, 8],
    );
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BinanceClient, type BinanceClientOptions } from '../../src/market/binance-client.js';
import {
  BinanceHttpError,
  BinanceRateLimitedError,
  BinanceRegionRestrictedError,
  BinanceTimeoutError,
  MalformedBinanceResponseError,
  UnknownSymbolError,
} from '../../src/market/errors.js';
import { DEFAULT_BINANCE_BASE_URL } from '../../src/config/defaults.js';
import { configSchema } from '../../src/config/schema.js';
import { REST_SNAPSHOTS_DIR } from '../support/shared-data.js';
import { sendJson, startScriptedServer, type ScriptedServer } from './support/http-server.js';

const btcBody: unknown[] = JSON.parse(
  readFileSync(path.join(REST_SNAPSHOTS_DIR, 'snapshot-c/BTCUSDT.json'), 'utf8'),
);
const servers: ScriptedServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function serve(answer: Parameters<typeof startScriptedServer>[0]): Promise<ScriptedServer> {
  const server = await startScriptedServer(answer);
  servers.push(server);
  return server;
}

/** A client with tiny backoff, recording every wait it asks for instead of sleeping it out. */
function fastClient(baseUrl: string, options: Partial<BinanceClientOptions> = {}) {
  const waitsMs: number[] = [];
  const client = new BinanceClient({
    baseUrl,
    timeoutMs: 2_000,
    backoffBaseMs: 1,
    sleep: async (ms) => {
      waitsMs.push(ms);
    },
    ...options,
  });
  return { client, waitsMs };
}

describe('BinanceClient against a local HTTP server', () => {
  it('parses a real klines body and sends symbol, interval and limits as Binance expects', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 200, btcBody, { 'x-mbx-used-weight-1m': '12' }),
    );
    const { client } = fastClient(server.url);
    const klines = await client.klines('BTCUSDT', {
      startTimeMs: 1640198340000,
      endTimeMs: 1640258339999,
      limit: 1000,
    });
    assert.equal(klines.length, btcBody.length);
    assert.equal(klines[0]!.openTimeMs, (btcBody[0] as unknown[])[0]);
    const query = new URL(server.requests[0]!, server.url).searchParams;
    assert.deepEqual(Object.fromEntries(query), {
      symbol: 'BTCUSDT',
      interval: '1m',
      startTime: '1640198340000',
      endTime: '1640258339999',
      limit: '1000',
    });
    assert.equal(client.usedWeightThisMinute, 12);
  });

  it('HTTP 429 with Retry-After waits that long, then succeeds', async () => {
    const server = await serve((_request, response, index) =>
      index === 0
        ? sendJson(response, 429, { code: -1003, msg: 'Too many requests.' }, { 'retry-after': '1' })
        : sendJson(response, 200, { serverTime: 1640259895523 }),
    );
    // the wait is the injected sleep's: the client must ask for exactly the second Binance asked for
    const { client, waitsMs } = fastClient(server.url);
    assert.equal(await client.serverTimeMs(), 1640259895523);
    assert.deepEqual(waitsMs, [1_000]);
    assert.equal(server.requests.length, 2);
  });

  it('HTTP 429 that never ends gives up with BinanceRateLimitedError', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 429, { code: -1003, msg: 'Too many requests.' }, { 'retry-after': '1' }),
    );
    const { client } = fastClient(server.url, { maxRetries: 2 });
    await assert.rejects(
      client.serverTimeMs(),
      (error: unknown) => error instanceof BinanceRateLimitedError && error.status === 429,
    );
    assert.equal(server.requests.length, 3);
  });

  it('an IP ban (418) longer than the longest acceptable wait fails at once', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 418, { code: -1003, msg: 'banned' }, { 'retry-after': '7200' }),
    );
    const { client, waitsMs } = fastClient(server.url);
    await assert.rejects(
      client.serverTimeMs(),
      (error: unknown) => error instanceof BinanceRateLimitedError && /IP banned/.test(error.message),
    );
    assert.equal(server.requests.length, 1);
    assert.deepEqual(waitsMs, []);
  });

  it('HTTP 500 forever gives up after maxRetries with BinanceHttpError, backing off with jitter', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 500, { code: -1000, msg: 'An unknown error occurred.' }),
    );
    const { client, waitsMs } = fastClient(server.url, {
      maxRetries: 4,
      backoffBaseMs: 100,
      random: () => 0.5,
    });
    await assert.rejects(
      client.klines('BTCUSDT'),
      (error: unknown) =>
        error instanceof BinanceHttpError && error.status === 500 && /after 5 attempts/.test(error.message),
    );
    assert.equal(server.requests.length, 5);
    assert.deepEqual(waitsMs, [50, 100, 200, 400]);
  });

  it('a server that never answers times out, is retried, then fails with BinanceTimeoutError', async () => {
    const server = await serve(() => {
      // never respond
    });
    const { client } = fastClient(server.url, { timeoutMs: 150, maxRetries: 1 });
    await assert.rejects(
      client.serverTimeMs(),
      (error: unknown) =>
        error instanceof BinanceTimeoutError && /within 150 ms \(2 attempts\)/.test(error.message),
    );
    assert.equal(server.requests.length, 2);
  });

  it('an unknown symbol is reported as UnknownSymbolError without retrying', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 400, { code: -1121, msg: 'Invalid symbol.' }),
    );
    const { client } = fastClient(server.url);
    await assert.rejects(
      client.klines('NOPEUSDT'),
      (error: unknown) =>
        error instanceof UnknownSymbolError && error.symbol === 'NOPEUSDT' && error.hint !== undefined,
    );
    assert.equal(server.requests.length, 1);
  });

  it('HTTP 451 (a region Binance refuses) fails at once with a typed error naming the region and the setting', async () => {
    // what api.binance.com answers an AWS us-east-1 address
    const server = await serve((_request, response) =>
      sendJson(response, 451, {
        code: 0,
        msg: 'Service unavailable from a restricted location according to b. Eligibility in https://www.binance.com/en/terms.',
      }),
    );
    const { client, waitsMs } = fastClient(server.url);
    for (const call of [
      () => client.klines('BTCUSDT'),
      () => client.serverTimeMs(),
      () => client.bookTicker('BTCUSDT'),
    ]) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof BinanceRegionRestrictedError, String(error));
        assert.equal(error.code, 'BINANCE_REGION_RESTRICTED');
        assert.match(error.message, /HTTP 451/);
        assert.match(error.message, /region/);
        assert.match(error.hint ?? '', /binanceBaseUrl/);
        assert.match(error.hint ?? '', /ALPHA15_BINANCE_BASE_URL/);
        assert.match(error.hint ?? '', /https:\/\/data-api\.binance\.vision/);
        assert.equal(error.data.baseUrl, server.url);
        return true;
      });
    }
    // not retried: another attempt from the same region gets the same answer
    assert.equal(server.requests.length, 3);
    assert.deepEqual(waitsMs, []);
  });

  it('market data defaults to the endpoint that serves every region, in the config', () => {
    assert.equal(DEFAULT_BINANCE_BASE_URL, 'https://data-api.binance.vision');
    assert.equal(configSchema.parse({}).binanceBaseUrl, DEFAULT_BINANCE_BASE_URL);
  });

  it('a malformed body names the symbol and the zod path of what is wrong', async () => {
    const broken = structuredClone(btcBody) as unknown[][];
    broken[7]![4] = 46_900.5; // a number where Binance sends a decimal string
    const server = await serve((_request, response) => sendJson(response, 200, broken));
    const { client } = fastClient(server.url);
    await assert.rejects(
      client.klines('BTCUSDT'),
      (error: unknown) =>
        error instanceof MalformedBinanceResponseError &&
        /for BTCUSDT/.test(error.message) &&
        /at 7\.4:/.test(error.message),
    );
  });

  it('a body that is not JSON (a proxy page) is malformed, not a crash', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>login</html>');
    });
    const { client } = fastClient(server.url);
    await assert.rejects(
      client.klines('BTCUSDT'),
      (error: unknown) => error instanceof MalformedBinanceResponseError && /not JSON/.test(error.message),
    );
  });

  it('near the weight limit it pauses until the next minute before the next request', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 200, { serverTime: 1 }, { 'x-mbx-used-weight-1m': '5950' }),
    );
    const clockMs = Date.UTC(2026, 1, 1, 12, 0, 40);
    const { client, waitsMs } = fastClient(server.url, { nowMs: () => clockMs });
    await client.serverTimeMs();
    assert.deepEqual(waitsMs, []);
    await client.serverTimeMs();
    assert.equal(waitsMs.length, 1);
    assert.ok(waitsMs[0]! >= 20_000 && waitsMs[0]! <= 21_000, `waited ${waitsMs[0]} ms`);
  });
});

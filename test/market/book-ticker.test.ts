import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readKlineArchive } from '../../src/market/archive.js';
import { BinanceClient } from '../../src/market/binance-client.js';
import { bookTickerBodySchema } from '../../src/market/binance-schema.js';
import { MalformedBinanceResponseError, UnknownSymbolError } from '../../src/market/errors.js';
import { lowerBound } from '../../src/market/kline-columns.js';
import { detectReplaySource } from '../../src/market/replay-data.js';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { ARCHIVE_MONTH_DIR } from '../support/shared-data.js';
import { sendJson, startScriptedServer, type ScriptedServer } from './support/http-server.js';

const MINUTE_MS = 60_000;
// the shape Binance documents for GET /api/v3/ticker/bookTicker?symbol=
const book = {
  symbol: 'BTCUSDT',
  bidPrice: '91234.56000000',
  bidQty: '1.23400000',
  askPrice: '91234.57000000',
  askQty: '0.50000000',
};

describe('bookTicker bodies are validated at the boundary', () => {
  it('a real-shaped body parses into numbers', () => {
    assert.deepEqual(bookTickerBodySchema.parse(book), {
      symbol: 'BTCUSDT',
      bidPrice: 91234.56,
      bidQty: 1.234,
      askPrice: 91234.57,
      askQty: 0.5,
    });
  });

  it('a crossed book, an empty side, a number where a string belongs or a missing field is refused by name', () => {
    const problems = (body: unknown) =>
      bookTickerBodySchema.safeParse(body).error?.issues.map((issue) => issue.path.join('.'));
    assert.deepEqual(problems({ ...book, askPrice: '91234.00000000' }), ['askPrice']);
    assert.deepEqual(problems({ ...book, bidPrice: '0.00000000' }), ['bidPrice']);
    assert.deepEqual(problems({ ...book, bidPrice: 91234.56 }), ['bidPrice']);
    assert.deepEqual(problems({ symbol: 'BTCUSDT', bidPrice: '1', bidQty: '1', askQty: '1' }), ['askPrice']);
  });
});

describe('BinanceClient.bookTicker', () => {
  const servers: ScriptedServer[] = [];
  after(() => Promise.all(servers.map((server) => server.close())));
  const serve = async (answer: Parameters<typeof startScriptedServer>[0]) => {
    const server = await startScriptedServer(answer);
    servers.push(server);
    return {
      server,
      client: new BinanceClient({ baseUrl: server.url, backoffBaseMs: 1, sleep: async () => {} }),
    };
  };

  it('retries a 5xx like every request, then returns the validated quote', async () => {
    const { server, client } = await serve((_request, response, index) =>
      index === 0 ? sendJson(response, 503, { code: -1000, msg: 'busy' }) : sendJson(response, 200, book),
    );
    const quote = await client.bookTicker('BTCUSDT');
    assert.equal(quote.askPrice, 91234.57);
    assert.deepEqual(server.requests, [
      '/api/v3/ticker/bookTicker?symbol=BTCUSDT',
      '/api/v3/ticker/bookTicker?symbol=BTCUSDT',
    ]);
  });

  it('a quote for another symbol, or a crossed one, is a malformed response, not a price', async () => {
    const { client } = await serve((request, response) =>
      sendJson(
        response,
        200,
        request.url!.includes('ETHUSDT') ? book : { ...book, askPrice: '1.00000000', bidPrice: '2.00000000' },
      ),
    );
    await assert.rejects(client.bookTicker('ETHUSDT'), (error) => {
      assert.ok(error instanceof MalformedBinanceResponseError);
      assert.match(error.message, /for ETHUSDT: the quote is for "BTCUSDT"/);
      return true;
    });
    await assert.rejects(client.bookTicker('BTCUSDT'), MalformedBinanceResponseError);
  });
});

describe('the replay server quotes a book from the candles', () => {
  let server: ReplayServer;
  let client: BinanceClient;
  const link = readKlineArchive(
    'LINKUSDT',
    readFileSync(path.join(ARCHIVE_MONTH_DIR, 'LINKUSDT-1m-2026-02.zip')),
  );
  // a few seconds into a minute, as a tick runs
  const nowMs = Date.UTC(2026, 1, 10, 12, 35, 4);

  before(async () => {
    server = await startReplayServer({
      source: await detectReplaySource(ARCHIVE_MONTH_DIR),
      symbols: ['LINKUSDT'],
      fromMs: nowMs,
      manualClock: true,
      halfSpreadBps: 2.5,
    });
    client = new BinanceClient({ baseUrl: server.url, backoffBaseMs: 1 });
  });
  after(() => server.close());

  it('mid = the open of the running minute, bid and ask the configured half-spread either side', async () => {
    const row = lowerBound(link.openTimeMs, Date.UTC(2026, 1, 10, 12, 35));
    const open = link.open[row]!;
    const quote = await client.bookTicker('LINKUSDT');
    assert.equal(quote.symbol, 'LINKUSDT');
    assert.ok(Math.abs(quote.bidPrice - open * (1 - 0.00025)) < 1e-8);
    assert.ok(Math.abs(quote.askPrice - open * (1 + 0.00025)) < 1e-8);
    // the next minute's open is not known until that minute starts
    server.setTimeMs(nowMs + MINUTE_MS);
    const next = await client.bookTicker('LINKUSDT');
    assert.ok(Math.abs((next.bidPrice + next.askPrice) / 2 - link.open[row + 1]!) < 1e-8);
    server.setTimeMs(nowMs);
  });

  it('an unknown symbol is refused as Binance refuses it; before the data there is no price', async () => {
    await assert.rejects(client.bookTicker('NOPEUSDT'), UnknownSymbolError);
    server.setTimeMs(Date.UTC(2020, 0, 1));
    const response = await fetch(`${server.url}/api/v3/ticker/bookTicker?symbol=LINKUSDT`);
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { msg: string }).msg, /No price for LINKUSDT/);
    server.setTimeMs(nowMs);
  });
});

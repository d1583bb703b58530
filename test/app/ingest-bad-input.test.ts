/**
 * Bad input end to end: each case goes through `ingest` into a real local store and must fail with a
 * typed, named error and leave the store empty (or, for a transient 429, succeed with exactly the
 * real candles).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { strToU8, unzipSync, zipSync, strFromU8 } from 'fflate';
import { ingest } from '../../src/app/ingest.js';
import { archiveFileName } from '../../src/market/archive.js';
import { sha256Hex } from '../../src/checksum.js';
import { LocalArchiveSource } from '../../src/market/archive-source.js';
import { BinanceClient } from '../../src/market/binance-client.js';
import {
  ArchiveChecksumError,
  BinanceHttpError,
  BinanceTimeoutError,
  CorruptArchiveError,
  MalformedCsvRowError,
  UnknownSymbolError,
} from '../../src/market/errors.js';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { archiveSource, binanceSource } from '../../src/market/source.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { DAY_MS } from '../../src/time.js';
import { withTempStore } from '../support/lake.js';
import { ARCHIVE_MONTH_DIR, requireSharedData } from '../support/shared-data.js';

const SYMBOL = 'LINKUSDT';
const FEB_10_MS = Date.UTC(2026, 1, 10);
const MAR_1_MS = Date.UTC(2026, 2, 1);

function realZip(): Uint8Array {
  requireSharedData();
  return readFileSync(path.join(ARCHIVE_MONTH_DIR, archiveFileName(SYMBOL, '2026-02')));
}

async function assertEmpty(store: ObjectStore) {
  assert.deepEqual(await store.list(''), [], 'nothing was written');
}

/** A folder holding one archive (and optionally its .CHECKSUM), ingested into a fresh store. */
async function ingestArchiveFolder(
  files: Record<string, Uint8Array | string>,
  expected: (error: unknown) => boolean,
) {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-bad-archive-'));
  try {
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
    await withTempStore(async (store) => {
      await assert.rejects(
        ingest({ store, source: archiveSource(new LocalArchiveSource(dir)), symbols: [SYMBOL] }),
        expected,
      );
      await assertEmpty(store);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('ingest of bad archives writes nothing', () => {
  const name = archiveFileName(SYMBOL, '2026-02');

  it('a truncated zip', async () => {
    const zip = realZip();
    await ingestArchiveFolder({ [name]: zip.subarray(0, Math.floor(zip.length / 2)) }, (error) => {
      return error instanceof CorruptArchiveError && error.message.includes(name);
    });
  });

  it('a checksum mismatch', async () => {
    await ingestArchiveFolder(
      { [name]: realZip(), [`${name}.CHECKSUM`]: `${'0'.repeat(64)}  ${name}\n` },
      (error) => error instanceof ArchiveChecksumError && error.message.includes(sha256Hex(realZip())),
    );
  });

  it('a malformed CSV row (a price that is not a number) on line 1001', async () => {
    const csvName = name.replace(/\.zip$/, '.csv');
    const lines = strFromU8(unzipSync(realZip())[csvName]!).split('\n');
    const fields = lines[1000]!.split(',');
    fields[4] = 'NaN-ish';
    lines[1000] = fields.join(',');
    const broken = zipSync({ [csvName]: strToU8(lines.join('\n')) });
    await ingestArchiveFolder({ [name]: broken }, (error) => {
      return error instanceof MalformedCsvRowError && /line 1001/.test(error.message);
    });
  });
});

/**
 * A Binance stand-in: `respond` decides per request, and may pass the request on to the replay
 * server (real candles) by returning 'forward'.
 */
class FaultyBinance {
  private server: Server | undefined;
  requests = 0;
  url = '';
  constructor(
    private readonly upstream: () => string,
    private readonly respond: (request: number, res: ServerResponse) => 'forward' | 'handled',
  ) {}

  async start() {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    this.requests++;
    if (this.respond(this.requests, res) === 'handled') return;
    const upstream = await fetch(`${this.upstream()}${req.url}`);
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }

  async close() {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

describe('ingest from a failing Binance writes nothing, a transient 429 writes everything', () => {
  let replay: ReplayServer;
  before(async () => {
    requireSharedData();
    replay = await startReplayServer({
      source: { kind: 'archives', dir: ARCHIVE_MONTH_DIR },
      symbols: [SYMBOL],
      fromMs: MAR_1_MS,
      manualClock: true,
    });
  });
  after(async () => {
    await replay?.close();
  });

  async function ingestFrom(fake: FaultyBinance, symbol = SYMBOL, store: ObjectStore) {
    const client = new BinanceClient({ baseUrl: fake.url, maxRetries: 2, backoffBaseMs: 5, timeoutMs: 300 });
    return ingest({
      store,
      source: binanceSource(client, () => MAR_1_MS),
      symbols: [symbol],
      fromMs: FEB_10_MS,
      toMs: FEB_10_MS + DAY_MS,
    });
  }

  async function withFake(
    respond: ConstructorParameters<typeof FaultyBinance>[1],
    body: (fake: FaultyBinance) => Promise<void>,
  ) {
    const fake = await new FaultyBinance(() => replay.url, respond).start();
    try {
      await body(fake);
    } finally {
      await fake.close();
    }
  }

  it('HTTP 429 with Retry-After, then success: the day arrives complete', async () => {
    await withFake(
      (request, res) => {
        if (request > 1) return 'forward';
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end('{"code":-1003,"msg":"Too many requests"}');
        return 'handled';
      },
      async (fake) => {
        await withTempStore(async (store) => {
          const result = await ingestFrom(fake, SYMBOL, store);
          assert.equal(result.symbols[SYMBOL]!.rowsAdded, 1440);
          assert.ok(fake.requests >= 3, 'the 429 was retried');
        });
      },
    );
  });

  it('HTTP 500 forever', async () => {
    await withFake(
      (_request, res) => {
        res.writeHead(500).end('internal error');
        return 'handled';
      },
      async (fake) => {
        await withTempStore(async (store) => {
          await assert.rejects(
            ingestFrom(fake, SYMBOL, store),
            (error) => error instanceof BinanceHttpError && error.status === 500,
          );
          await assertEmpty(store);
          assert.equal(fake.requests, 3, 'one attempt and maxRetries retries');
        });
      },
    );
  });

  it('a server that never answers times out', async () => {
    await withFake(
      () => 'handled', // never responds
      async (fake) => {
        await withTempStore(async (store) => {
          await assert.rejects(
            ingestFrom(fake, SYMBOL, store),
            (error) => error instanceof BinanceTimeoutError,
          );
          await assertEmpty(store);
        });
      },
    );
  });

  it('an unknown symbol', async () => {
    await withFake(
      () => 'forward', // the replay server answers like Binance: 400 {"code":-1121}
      async (fake) => {
        await withTempStore(async (store) => {
          await assert.rejects(
            ingestFrom(fake, 'NOSUCHUSDT', store),
            (error) => error instanceof UnknownSymbolError && /NOSUCHUSDT/.test(error.message),
          );
          await assertEmpty(store);
        });
      },
    );
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sha256Hex } from '../../src/checksum.js';
import { HttpArchiveSource, LocalArchiveSource, periodsCovering } from '../../src/market/archive-source.js';
import { ArchiveChecksumError, ArchiveNotFoundError } from '../../src/market/errors.js';
import { ARCHIVE_MONTH_DIR, ARCHIVE_MONTH_SYMBOLS } from '../support/shared-data.js';
import { startScriptedServer, type ScriptedServer } from './support/http-server.js';

const FEB_2026 = { fromMs: Date.UTC(2026, 1, 1), toMs: Date.UTC(2026, 2, 1) };
const ROWS_IN_FEB_2026 = 40_320;
const scratch = mkdtempSync(path.join(tmpdir(), 'alpha15-archives-'));
const servers: ScriptedServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  rmSync(scratch, { recursive: true, force: true });
});

function realZipPath(symbol: string): string {
  return path.join(ARCHIVE_MONTH_DIR, `${symbol}-1m-2026-02.zip`);
}

describe('local archive folder', () => {
  it('lists the month for every symbol of the shared folder and reads 40,320 rows with the raw zip', async () => {
    const source = new LocalArchiveSource(ARCHIVE_MONTH_DIR);
    assert.deepEqual(await source.symbols(), ARCHIVE_MONTH_SYMBOLS);
    const entries = await source.list('LTCUSDT');
    assert.deepEqual(entries, [
      { symbol: 'LTCUSDT', period: '2026-02', kind: 'monthly', fileName: 'LTCUSDT-1m-2026-02.zip' },
    ]);
    assert.deepEqual(
      await source.list('LTCUSDT', { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 3, 1) }),
      [],
    );
    const file = await source.read('LTCUSDT', '2026-02');
    assert.equal(file.columns.openTimeMs.length, ROWS_IN_FEB_2026);
    assert.deepEqual(file.rawZip, new Uint8Array(readFileSync(realZipPath('LTCUSDT'))));
    assert.equal(file.checksumVerified, false);
  });

  it('finds archives in subfolders and verifies a .CHECKSUM beside them', async () => {
    const dir = path.join(scratch, 'nested');
    mkdirSync(path.join(dir, 'spot/ALGOUSDT'), { recursive: true });
    mkdirSync(path.join(dir, 'spot/NEARUSDT'), { recursive: true });
    const algo = path.join(dir, 'spot/ALGOUSDT/ALGOUSDT-1m-2026-02.zip');
    const near = path.join(dir, 'spot/NEARUSDT/NEARUSDT-1m-2026-02.zip');
    copyFileSync(realZipPath('ALGOUSDT'), algo);
    copyFileSync(realZipPath('NEARUSDT'), near);
    writeFileSync(`${algo}.CHECKSUM`, `${sha256Hex(readFileSync(algo))}  ALGOUSDT-1m-2026-02.zip\n`);
    writeFileSync(`${near}.CHECKSUM`, `${'0'.repeat(64)}  NEARUSDT-1m-2026-02.zip\n`);
    const source = new LocalArchiveSource(dir);
    const algoFile = await source.read('ALGOUSDT', '2026-02');
    assert.equal(algoFile.checksumVerified, true);
    assert.equal(algoFile.columns.openTimeMs.length, ROWS_IN_FEB_2026);
    await assert.rejects(
      source.read('NEARUSDT', '2026-02'),
      (error: unknown) => error instanceof ArchiveChecksumError && error.message.includes('0'.repeat(64)),
    );
    await assert.rejects(
      source.read('NEARUSDT', '2026-01'),
      (error: unknown) => error instanceof ArchiveNotFoundError,
    );
  });
});

describe('archive periods', () => {
  it('covers whole months with monthly files and partial months with daily files', () => {
    assert.deepEqual(periodsCovering(FEB_2026), ['2026-02']);
    assert.deepEqual(periodsCovering({ fromMs: Date.UTC(2026, 0, 30, 12), toMs: Date.UTC(2026, 2, 2) }), [
      '2026-01-30',
      '2026-01-31',
      '2026-02',
      '2026-03-01',
    ]);
    assert.deepEqual(periodsCovering({ fromMs: Date.UTC(2026, 1, 3), toMs: Date.UTC(2026, 1, 3, 0, 1) }), [
      '2026-02-03',
    ]);
  });
});

describe('the data site over HTTP', () => {
  async function dataSite(options: { checksumFor?: (zip: Buffer) => string; failFirst?: boolean } = {}) {
    const server = await startScriptedServer((request, response, index) => {
      if (options.failFirst && index === 0) {
        response.writeHead(503).end();
        return;
      }
      const match = /^\/data\/spot\/monthly\/klines\/([A-Z]+)\/1m\/(\1-1m-2026-02\.zip)(\.CHECKSUM)?$/.exec(
        request.url ?? '',
      );
      if (!match || !ARCHIVE_MONTH_SYMBOLS.includes(match[1]!)) {
        response.writeHead(404).end();
        return;
      }
      const zip = readFileSync(realZipPath(match[1]!));
      if (match[3])
        response.writeHead(200).end(options.checksumFor?.(zip) ?? `${sha256Hex(zip)}  ${match[2]}\n`);
      else response.writeHead(200, { 'content-type': 'application/zip' }).end(zip);
    });
    servers.push(server);
    return server;
  }

  it('downloads a monthly archive and its .CHECKSUM from the data site layout, retrying a 503', async () => {
    const server = await dataSite({ failFirst: true });
    const source = new HttpArchiveSource({ baseUrl: server.url, backoffBaseMs: 1 });
    const [entry] = await source.list('FILUSDT', FEB_2026);
    const file = await source.read(entry!.symbol, entry!.period);
    assert.equal(file.columns.openTimeMs.length, ROWS_IN_FEB_2026);
    assert.equal(file.checksumVerified, true);
    assert.deepEqual(server.requests, [
      '/data/spot/monthly/klines/FILUSDT/1m/FILUSDT-1m-2026-02.zip',
      '/data/spot/monthly/klines/FILUSDT/1m/FILUSDT-1m-2026-02.zip',
      '/data/spot/monthly/klines/FILUSDT/1m/FILUSDT-1m-2026-02.zip.CHECKSUM',
    ]);
  });

  it('a downloaded archive that does not match its .CHECKSUM is refused with both hashes', async () => {
    const server = await dataSite({ checksumFor: () => `${'f'.repeat(64)}  DOTUSDT-1m-2026-02.zip\n` });
    const source = new HttpArchiveSource({ baseUrl: server.url, backoffBaseMs: 1 });
    await assert.rejects(
      source.read('DOTUSDT', '2026-02'),
      (error: unknown) =>
        error instanceof ArchiveChecksumError &&
        error.message.includes('f'.repeat(64)) &&
        error.message.includes(sha256Hex(readFileSync(realZipPath('DOTUSDT')))),
    );
  });

  it('a period the site does not have is ArchiveNotFoundError, not retried', async () => {
    const server = await dataSite();
    const source = new HttpArchiveSource({ baseUrl: server.url, backoffBaseMs: 1 });
    await assert.rejects(
      source.read('DOTUSDT', '2026-02-14'),
      (error: unknown) =>
        error instanceof ArchiveNotFoundError && /daily\/klines\/DOTUSDT/.test(error.message),
    );
    assert.equal(server.requests.length, 1);
  });
});

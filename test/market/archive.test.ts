import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import {
  archiveFileName,
  parseArchiveFileName,
  parseChecksumFile,
  parseKlineCsv,
  readKlineArchive,
  readKlineArchiveAsync,
  type ReadArchiveOptions,
} from '../../src/market/archive.js';
import { sha256Hex } from '../../src/checksum.js';
import {
  ArchiveChecksumError,
  CorruptArchiveError,
  InvalidKlineError,
  MalformedCsvRowError,
} from '../../src/market/errors.js';
import { KLINE_COLUMN_FIELDS } from '../../src/market/kline-columns.js';
import type { KlineColumns } from '../../src/market/kline.js';
import { ARCHIVE_MONTH_DIR, ARCHIVE_MONTH_SYMBOLS } from '../support/shared-data.js';

const FEB_2026_START_MS = Date.UTC(2026, 1, 1);
const ROWS_IN_FEB_2026 = 28 * 24 * 60;

function realZip(symbol: string): Uint8Array {
  return readFileSync(path.join(ARCHIVE_MONTH_DIR, archiveFileName(symbol, '2026-02')));
}

function realCsvText(symbol: string): string {
  const entries = unzipSync(realZip(symbol));
  return new TextDecoder().decode(Object.values(entries)[0]!);
}

function captureError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected an error');
}

function assertSameColumns(actual: KlineColumns, expected: KlineColumns): void {
  for (const field of KLINE_COLUMN_FIELDS) assert.deepEqual(actual[field], expected[field], field);
}

describe('kline archives', () => {
  it('every real 2026-02 archive parses to 40,320 minute rows with millisecond open times', () => {
    for (const symbol of ARCHIVE_MONTH_SYMBOLS) {
      const columns = readKlineArchive(symbol, realZip(symbol));
      assert.equal(columns.symbol, symbol);
      assert.equal(columns.openTimeMs.length, ROWS_IN_FEB_2026, symbol);
      assert.equal(columns.openTimeMs[0], FEB_2026_START_MS);
      assert.equal(
        columns.openTimeMs[ROWS_IN_FEB_2026 - 1],
        FEB_2026_START_MS + (ROWS_IN_FEB_2026 - 1) * 60_000,
      );
      for (let row = 0; row < ROWS_IN_FEB_2026; row += 997) {
        assert.ok(columns.low[row]! <= columns.open[row]! && columns.open[row]! <= columns.high[row]!);
        assert.ok(Number.isInteger(columns.trades[row]));
      }
    }
  });

  it('parses every number exactly as Number() reads the CSV text', () => {
    const text = realCsvText('LINKUSDT');
    const columns = parseKlineCsv('LINKUSDT', text);
    const lines = text.trim().split('\n').slice(1);
    for (let row = 0; row < lines.length; row += 101) {
      const fields = lines[row]!.split(',');
      assert.equal(columns.openTimeMs[row], Number(fields[0]));
      assert.equal(columns.open[row], Number(fields[1]));
      assert.equal(columns.close[row], Number(fields[4]));
      assert.equal(columns.quoteVolume[row], Number(fields[7]));
      assert.equal(columns.trades[row], Number(fields[8]));
      assert.equal(columns.takerBuyQuoteVolume[row], Number(fields[10]));
    }
  });

  it('reads the same rows without a header, with microsecond timestamps and with CRLF line ends', () => {
    const text = realCsvText('DOTUSDT');
    const reference = parseKlineCsv('DOTUSDT', text);
    const [, ...rows] = text.trim().split('\n');
    const noHeader = rows.join('\n');
    const microseconds = rows
      .map((line) => {
        const fields = line.split(',');
        fields[0] = `${fields[0]}000`;
        fields[6] = `${fields[6]}999`;
        return fields.join(',');
      })
      .join('\n');
    const crlf = text.replaceAll('\n', '\r\n');
    assertSameColumns(parseKlineCsv('DOTUSDT', noHeader), reference);
    assertSameColumns(parseKlineCsv('DOTUSDT', microseconds), reference);
    assertSameColumns(parseKlineCsv('DOTUSDT', crlf), reference);
    // and through a zip, as the data site ships them
    const zipped = zipSync({ 'DOTUSDT-1m-2026-02.csv': strToU8(microseconds) });
    assertSameColumns(readKlineArchive('DOTUSDT', zipped), reference);
  });

  it('accepts a byte order mark, a missing final newline, an empty last field and exponent notation', () => {
    const csv =
      '\ufeff1769904000000,1.5e-7,0.0000002,1E-7,0.00000015,123456789012345678.5,1769904059999,0,3,0,0,\n' +
      '1769904060000,1,1,1,1,1,1769904119999,1,1,1,1,0';
    const columns = parseKlineCsv('SHIBUSDT', csv);
    assert.deepEqual([...columns.openTimeMs], [1769904000000, 1769904060000]);
    assert.deepEqual(
      [columns.open[0], columns.high[0], columns.low[0], columns.close[0]],
      [1.5e-7, 2e-7, 1e-7, 1.5e-7],
    );
    assert.equal(columns.volume[0], Number('123456789012345678.5'));
    assert.equal(columns.trades[0], 3);
  });

  it('skips blank lines anywhere, LF or CRLF, and returns arrays exactly as long as the rows', () => {
    const text = realCsvText('FILUSDT');
    const reference = parseKlineCsv('FILUSDT', text);
    const lines = text.trim().split('\n');
    const withBlanks = [...lines.slice(0, 500), '', '', ...lines.slice(500), '', ''].join('\n');
    for (const variant of [withBlanks, withBlanks.replaceAll('\n', '\r\n'), `${text}\n\n\n`]) {
      const columns = parseKlineCsv('FILUSDT', variant);
      assertSameColumns(columns, reference);
      for (const field of KLINE_COLUMN_FIELDS)
        assert.equal(columns[field].buffer.byteLength, ROWS_IN_FEB_2026 * 8, field);
    }
  });

  it('sorts shuffled rows and keeps one row per minute', () => {
    const text = realCsvText('NEARUSDT');
    const [header, ...rows] = text.trim().split('\n');
    const reversedWithDuplicate = [header, ...rows.slice(0, 50).reverse(), rows[10]].join('\n');
    const columns = parseKlineCsv('NEARUSDT', reversedWithDuplicate);
    assert.equal(columns.openTimeMs.length, 50);
    assertSameColumns(columns, parseKlineCsv('NEARUSDT', [header, ...rows.slice(0, 50)].join('\n')));
  });

  it('a malformed row is reported with its file, line number and content', () => {
    const lines = realCsvText('ALGOUSDT').split('\n');
    const badLine = lines[100]!.split(',');
    badLine[4] = '0.10x4';
    lines[100] = badLine.join(',');
    assert.throws(
      () => parseKlineCsv('ALGOUSDT', lines.join('\n'), 'ALGOUSDT-1m-2026-02.csv'),
      (error: unknown) =>
        error instanceof MalformedCsvRowError &&
        error.lineNumber === 101 &&
        /ALGOUSDT-1m-2026-02\.csv, line 101: field 5 is not a number/.test(error.message) &&
        error.message.includes('0.10x4'),
    );
    assert.throws(
      () => parseKlineCsv('ALGOUSDT', '1769904000000,0.1038,0.1040\n'),
      (error: unknown) =>
        error instanceof MalformedCsvRowError && /line 1: expected 12 fields, found 3/.test(error.message),
    );
    assert.throws(
      () => parseKlineCsv('ALGOUSDT', '1769904000123,1,1,1,1,1,1769904059999,1,1,1,1,0\n'),
      (error: unknown) =>
        error instanceof InvalidKlineError &&
        error.data.field === 'openTimeMs' &&
        /line 1, field openTimeMs: .*minute boundary/.test(error.message),
    );
  });

  it('a truncated zip is reported as a corrupt archive', () => {
    const zip = realZip('FILUSDT');
    for (const keptBytes of [zip.length - 10, Math.floor(zip.length / 2), 40]) {
      assert.throws(
        () => readKlineArchive('FILUSDT', zip.subarray(0, keptBytes), { fileName: 'FILUSDT-1m-2026-02.zip' }),
        (error: unknown) =>
          error instanceof CorruptArchiveError && error.message.startsWith('FILUSDT-1m-2026-02.zip'),
        `kept ${keptBytes} bytes`,
      );
    }
  });

  it('a flipped byte inside the compressed data is caught', () => {
    const zip = Uint8Array.from(realZip('LTCUSDT'));
    zip[Math.floor(zip.length / 2)]! ^= 0xff;
    assert.throws(
      () => readKlineArchive('LTCUSDT', zip),
      (error: unknown) => error instanceof CorruptArchiveError || error instanceof MalformedCsvRowError,
    );
  });

  it('the thread-pool reader gives the same columns, and the same typed errors, as the synchronous one', async () => {
    const zip = realZip('NEARUSDT');
    assertSameColumns(await readKlineArchiveAsync('NEARUSDT', zip), readKlineArchive('NEARUSDT', zip));
    const flipped = Uint8Array.from(zip);
    for (const offset of [1000, Math.floor(zip.length / 2), zip.length - 200]) flipped[offset]! ^= 0xff;
    const badInputs: [Uint8Array, ReadArchiveOptions][] = [
      [flipped, { fileName: 'NEARUSDT-1m-2026-02.zip' }],
      [zip.subarray(0, zip.length - 10), { fileName: 'NEARUSDT-1m-2026-02.zip' }],
      [zip, { expectedSha256: 'ab'.repeat(32) }],
    ];
    for (const [bytes, options] of badInputs) {
      const syncError = captureError(() => readKlineArchive('NEARUSDT', bytes, options));
      assert.ok(syncError instanceof CorruptArchiveError || syncError instanceof ArchiveChecksumError);
      await assert.rejects(readKlineArchiveAsync('NEARUSDT', bytes, options), (error: unknown) => {
        assert.equal((error as Error).constructor, syncError.constructor);
        assert.equal((error as Error).message, syncError.message);
        return true;
      });
    }
  });

  it('a checksum mismatch names both hashes; a matching checksum passes', () => {
    const zip = realZip('AVAXUSDT');
    const actual = sha256Hex(zip);
    const wrong = 'ab'.repeat(32);
    assert.throws(
      () => readKlineArchive('AVAXUSDT', zip, { expectedSha256: wrong, fileName: 'AVAXUSDT-1m-2026-02.zip' }),
      (error: unknown) =>
        error instanceof ArchiveChecksumError &&
        error.message.includes(wrong) &&
        error.message.includes(actual),
    );
    const checksum = parseChecksumFile(`${actual}  AVAXUSDT-1m-2026-02.zip\n`);
    assert.equal(checksum.fileName, 'AVAXUSDT-1m-2026-02.zip');
    assert.equal(
      readKlineArchive('AVAXUSDT', zip, { expectedSha256: checksum.sha256 }).openTimeMs.length,
      ROWS_IN_FEB_2026,
    );
  });

  it('names monthly and daily archives like the data site and reads the names back', () => {
    assert.equal(archiveFileName('BTCUSDT', '2026-02'), 'BTCUSDT-1m-2026-02.zip');
    assert.equal(archiveFileName('BTCUSDT', '2026-02-14'), 'BTCUSDT-1m-2026-02-14.zip');
    assert.throws(() => archiveFileName('BTCUSDT', '2026-2'));
    assert.deepEqual(parseArchiveFileName('BTCUSDT-1m-2026-02-14.zip'), {
      symbol: 'BTCUSDT',
      period: '2026-02-14',
      kind: 'daily',
    });
    assert.equal(parseArchiveFileName('BTCUSDT-5m-2026-02.zip'), undefined);
  });
});

/**
 * Hostile zips (issue 25, items 3 and 13): a CSV altered behind its CRC-32 is refused whatever else
 * the zip holds, and a zip bomb is refused once its CSV passes the most a month of 1m rows can take,
 * without inflating the rest.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createDeflateRaw, crc32 } from 'node:zlib';
import { strToU8, unzipSync, zipSync } from 'fflate';
import {
  archiveFileName,
  maxCsvBytes,
  readKlineArchive,
  readKlineArchiveAsync,
} from '../../src/market/archive.js';
import { ArchiveTooLargeError, CorruptArchiveError } from '../../src/market/errors.js';
import { ARCHIVE_MONTH_DIR } from '../support/shared-data.js';

const SYMBOL = 'ALGOUSDT';
const ZIP_NAME = archiveFileName(SYMBOL, '2026-02');
const CSV_NAME = ZIP_NAME.replace(/\.zip$/, '.csv');
const realCsv = () => unzipSync(readFileSync(path.join(ARCHIVE_MONTH_DIR, ZIP_NAME)))[CSV_NAME]!;

/** The offset of `needle` in `haystack`. */
function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle);
}

/** A zip with one deflated entry whose headers declare `declaredBytes` and `crc`, whatever `deflated` holds. */
function zipWithDeclaredSize(name: string, deflated: Uint8Array, declaredBytes: number, crc: number) {
  const nameBytes = strToU8(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(declaredBytes, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(declaredBytes, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42);
  const directoryStart = 30 + nameBytes.length + deflated.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + nameBytes.length, 12);
  end.writeUInt32LE(directoryStart, 16);
  return new Uint8Array(Buffer.concat([local, nameBytes, deflated, central, nameBytes, end]));
}

/** `totalBytes` of one repeated real CSV row, deflated as a stream (never held inflated here). */
async function deflatedRepeats(row: string, totalBytes: number): Promise<Uint8Array> {
  const chunk = Buffer.from(row.repeat(Math.ceil((1 << 20) / row.length)));
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  for (let written = 0; written < totalBytes; written += chunk.length) {
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return new Uint8Array(Buffer.concat(parts));
}

describe('CRC-32 on every unzip path', () => {
  it('a CSV beside a readme.txt with one digit changed and the old CRC kept is refused', async () => {
    const csv = realCsv();
    // stored, not deflated, so one digit can be changed in the zip's bytes with the CRC left as it was
    const zip = zipSync({ [CSV_NAME]: csv, 'readme.txt': strToU8('Binance public data\n') }, { level: 0 });
    const intact = readKlineArchive(SYMBOL, zip, { fileName: ZIP_NAME });
    assert.equal(intact.openTimeMs.length, 40_320, 'the untouched zip reads');

    const row = strToU8(new TextDecoder().decode(csv).split('\n')[5000]!);
    const at = indexOfBytes(zip, row) + row.indexOf(44) + 3; // a digit of the open price
    const tampered = zip.slice();
    tampered[at] = tampered[at] === 0x31 ? 0x32 : 0x31;
    assert.notEqual(crc32(tampered.subarray(at - 100, at + 100)), crc32(zip.subarray(at - 100, at + 100)));

    for (const read of [
      async () => readKlineArchive(SYMBOL, tampered, { fileName: ZIP_NAME }),
      () => readKlineArchiveAsync(SYMBOL, tampered, { fileName: ZIP_NAME }),
    ]) {
      await assert.rejects(read, (error: unknown) => {
        assert.ok(error instanceof CorruptArchiveError, String(error));
        assert.match(error.message, /ALGOUSDT-1m-2026-02\.csv inflates to \d+ bytes .* a wrong CRC-32/);
        return true;
      });
    }
  });
});

describe('zip bombs', () => {
  const limit = maxCsvBytes('2026-02');

  it("the limit is a month's 1m rows with room to spare: about twice the real file, far below 300 MB", () => {
    const real = realCsv().length;
    assert.ok(limit > 1.8 * real && limit < 4 * real, `limit ${limit} vs real ${real}`);
    assert.ok(maxCsvBytes('2026-01') < 12_000_000, 'a 31-day month stays under 12 MB');
  });

  it('a zip declaring 10 bytes that inflates to 300 MB is refused after inflating at most the limit', async () => {
    const row = new TextDecoder().decode(realCsv()).split('\n')[1]! + '\n';
    const deflated = await deflatedRepeats(row, 300 * 1024 * 1024);
    assert.ok(deflated.length < 2_000_000, `the bomb is small: ${deflated.length} bytes`);
    const bomb = zipWithDeclaredSize(CSV_NAME, deflated, 10, 0);

    for (const read of [
      async () => readKlineArchive(SYMBOL, bomb, { fileName: ZIP_NAME }),
      () => readKlineArchiveAsync(SYMBOL, bomb, { fileName: ZIP_NAME }),
    ]) {
      const externalBefore = process.memoryUsage().arrayBuffers;
      await assert.rejects(read, (error: unknown) => {
        assert.ok(error instanceof ArchiveTooLargeError, String(error));
        assert.equal(error.code, 'ARCHIVE_TOO_LARGE');
        assert.deepEqual(error.data, {
          fileName: ZIP_NAME,
          entry: CSV_NAME,
          limitBytes: limit,
          declaredBytes: 10,
        });
        return true;
      });
      // uncollected garbage can only raise this figure: a low one proves the 300 MB were never inflated
      const grownBytes = process.memoryUsage().arrayBuffers - externalBefore;
      assert.ok(grownBytes < 4 * limit, `external memory grew by ${grownBytes} bytes`);
    }
  });

  it('a zip whose header declares more than the limit is refused before inflating', () => {
    const zip = zipWithDeclaredSize(CSV_NAME, new Uint8Array([3, 0]), limit + 1, 0);
    assert.throws(
      () => readKlineArchive(SYMBOL, zip, { fileName: ZIP_NAME }),
      (error: unknown) => error instanceof ArchiveTooLargeError && error.data.declaredBytes === limit + 1,
    );
  });
});

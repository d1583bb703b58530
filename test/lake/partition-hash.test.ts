/**
 * Every stored partition carries the SHA-256 of its content (issue 25, item 4): one flipped byte that
 * still decodes, changing one volume, is reported by verify, refused on read and restored by repair.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { ingest } from '../../src/app/ingest.js';
import { partitionKey } from '../../src/lake/layout.js';
import { CorruptPartitionError, CONTENT_HASH_KEY } from '../../src/lake/parquet.js';
import { readSymbol } from '../../src/lake/reader.js';
import { repairLake } from '../../src/lake/repair.js';
import { verifyLake } from '../../src/lake/verify.js';
import { LocalArchiveSource } from '../../src/market/archive-source.js';
import { archiveSource } from '../../src/market/source.js';
import { realMonthColumns, withTempStore } from '../support/lake.js';
import { ARCHIVE_MONTH_DIR } from '../support/shared-data.js';

const SYMBOL = 'DOTUSDT';
const KEY = partitionKey(SYMBOL, Date.UTC(2026, 1, 1));

/** Flips one bit of the 1000th volume in the stored file; the file still decodes. */
function flipOneVolumeByte(file: string): number {
  const bytes = readFileSync(file);
  const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  assert.ok(metadata.key_value_metadata?.some((entry) => entry.key === CONTENT_HASH_KEY));
  const volume = metadata.row_groups[0]!.columns.find(
    (chunk) => chunk.meta_data?.path_in_schema[0] === 'volume',
  )!;
  // the page's values are the chunk's last rows*8 bytes (PLAIN doubles after the page header)
  const end = Number(volume.meta_data!.data_page_offset + volume.meta_data!.total_compressed_size);
  const at = end - (40_320 - 1000) * 8 + 2; // a low mantissa byte of row 1000
  bytes[at]! ^= 0x01;
  writeFileSync(file, bytes);
  return 1000;
}

describe('partition content hash', () => {
  it('one flipped byte: verify reports it, read refuses it, repair restores the real values', async () => {
    await withTempStore(async (store, dir) => {
      await ingest({
        store,
        source: archiveSource(new LocalArchiveSource(ARCHIVE_MONTH_DIR)),
        symbols: [SYMBOL],
      });
      const row = flipOneVolumeByte(path.join(dir, KEY));

      const report = await verifyLake(store);
      assert.deepEqual(
        report.problems.map(({ kind, key }) => ({ kind, key })),
        [{ kind: 'partition-unreadable', key: KEY }],
      );
      assert.match(
        report.problems[0]!.message,
        /content hash is [0-9a-f]{64}, not the [0-9a-f]{64} recorded/,
      );
      await assert.rejects(readSymbol(store, SYMBOL), CorruptPartitionError);

      const repaired = await repairLake(store);
      assert.deepEqual(repaired.unrebuilt, []);
      assert.deepEqual(repaired.remaining, []);
      const columns = await readSymbol(store, SYMBOL);
      assert.equal(columns.volume[row], realMonthColumns(SYMBOL).volume[row]);
    });
  });
});

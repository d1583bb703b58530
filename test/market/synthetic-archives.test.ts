import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readKlineArchive } from '../../src/market/archive.js';
import { LocalArchiveSource } from '../../src/market/archive-source.js';
import { writeArchiveZip } from '../../src/market/archive-writer.js';
import { ArchiveChecksumError } from '../../src/market/errors.js';
import { concatColumns } from '../../src/market/kline-columns.js';
import { generateSyntheticMarket, type SyntheticMarketOptions } from '../../src/market/synthetic.js';
import { writeSyntheticArchives } from '../../src/market/synthetic-archives.js';
import { LocalStore } from '../../src/store/local-store.js';
import { parseTimeMs } from '../../src/time.js';

const OPTIONS: SyntheticMarketOptions = {
  symbols: ['LEADUSDT', 'LAGAUSDT'],
  startTimeMs: parseTimeMs('2026-01-31T20:00'),
  minutes: 8 * 60,
  seed: 3,
  plantedAlpha: { leader: 'LEADUSDT', lagMinutes: 5, strength: 0.3 },
  gapRate: 0.02,
};

describe('synthetic archives', () => {
  const [lead] = generateSyntheticMarket({
    ...OPTIONS,
    startTimeMs: parseTimeMs('2026-02-01'),
    minutes: 1440,
  });

  it('parse back to exactly the generated candles, with or without a header row', () => {
    for (const header of [true, false]) {
      const archive = writeArchiveZip(lead!, '2026-02', { header });
      const parsed = readKlineArchive('LEADUSDT', archive.zipBytes, archive.checksumText.slice(0, 64));
      assert.deepEqual(parsed, lead);
      assert.equal(archive.rows, lead!.openTimeMs.length);
    }
  });

  it('carry a checksum that is stable for the same candles and catches a changed byte', () => {
    const first = writeArchiveZip(lead!, '2026-02');
    assert.equal(writeArchiveZip(lead!, '2026-02').checksumText, first.checksumText);
    assert.match(first.checksumText, /^[0-9a-f]{64} {2}LEADUSDT-1m-2026-02\.zip\n$/);
    const tampered = first.zipBytes.slice();
    tampered[tampered.length - 30]! ^= 1;
    assert.throws(
      () => readKlineArchive('LEADUSDT', tampered, first.checksumText.slice(0, 64)),
      ArchiveChecksumError,
    );
  });

  it('are written per symbol and month and read back through the archive source with checksums verified', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-synthetic-'));
    try {
      const written = await writeSyntheticArchives(new LocalStore(dir), OPTIONS);
      assert.deepEqual(
        written.map((file) => file.key),
        [
          'LEADUSDT-1m-2026-01.zip',
          'LEADUSDT-1m-2026-02.zip',
          'LAGAUSDT-1m-2026-01.zip',
          'LAGAUSDT-1m-2026-02.zip',
        ],
      );
      assert.equal((await readdir(dir)).filter((name) => name.endsWith('.CHECKSUM')).length, 4);
      const source = new LocalArchiveSource(dir);
      const generated = generateSyntheticMarket(OPTIONS);
      for (const columns of generated) {
        const files = await Promise.all(
          ['2026-01', '2026-02'].map((period) => source.read(columns.symbol, period)),
        );
        assert.ok(files.every((file) => file.checksumVerified));
        assert.deepEqual(
          concatColumns(
            columns.symbol,
            files.map((file) => file.columns),
          ),
          columns,
        );
        assert.ok(columns.openTimeMs.length < OPTIONS.minutes, 'the gaps survive the round trip');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The synthetic market as the data site would publish it: one monthly zip per symbol and month plus
 * its `.CHECKSUM`, so `--source archive:<dir>` and the replay server read it exactly like real data.
 * Written through the ObjectStore port: a local folder (`new LocalStore(dir)`) or a bucket, each file
 * published atomically.
 */
import type { ObjectStore } from '../store/object-store.js';
import { monthsCovered, writeArchiveZip, type ArchiveWriteOptions } from './archive-writer.js';
import { generateSyntheticMarket, type SyntheticMarketOptions } from './synthetic.js';

export interface WrittenArchive {
  key: string;
  symbol: string;
  rows: number;
}

export async function writeSyntheticArchives(
  destination: ObjectStore,
  options: SyntheticMarketOptions,
  writeOptions: ArchiveWriteOptions = {},
): Promise<WrittenArchive[]> {
  const written: WrittenArchive[] = [];
  for (const columns of generateSyntheticMarket(options)) {
    for (const month of monthsCovered(columns)) {
      const archive = writeArchiveZip(columns, month, writeOptions);
      // zip first: a folder never holds a checksum without the file it vouches for
      await destination.put(archive.fileName, archive.zipBytes);
      await destination.put(`${archive.fileName}.CHECKSUM`, archive.checksumText);
      written.push({ key: archive.fileName, symbol: columns.symbol, rows: archive.rows });
    }
  }
  return written;
}

/**
 * The one CSV entry of a kline archive, read from the zip's central directory and inflated under a
 * hard size cap, with its size and CRC-32 checked whatever else the zip holds (a `readme.txt` beside
 * the CSV included). The cap comes from the format, not from the zip's own word: a header can declare
 * 10 bytes and inflate to gigabytes, so inflating stops as soon as the cap is passed.
 */
import { promisify } from 'node:util';
import { crc32, inflateRaw, inflateRawSync, type ZlibOptions } from 'node:zlib';
import { ArchiveTooLargeError, CorruptArchiveError } from './errors.js';

const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const STORED = 0;
const DEFLATED = 8;
/** zlib's output chunk when the declared size is smaller (a lying header must not make chunks tiny). */
const MIN_CHUNK_BYTES = 64 * 1024;

const inflateRawAsync = promisify(inflateRaw);

export interface CsvEntry {
  /** The entry's name inside the zip. */
  name: string;
  /** The size its header declares. */
  declaredBytes: number;
  inflateSync(): Uint8Array;
  inflate(): Promise<Uint8Array>;
}

/**
 * The zip's only `.csv` entry (other entries are ignored), ready to inflate to at most `limitBytes`.
 * `csvName` is told the entry's name before anything is inflated, so the caller can derive the limit
 * from the period the name declares.
 */
export function locateCsvEntry(
  zipBytes: Uint8Array,
  fileName: string,
  limitBytesOf: (csvName: string) => number,
): CsvEntry {
  const view = new DataView(zipBytes.buffer, zipBytes.byteOffset, zipBytes.byteLength);
  const corrupt = (problem: string) => new CorruptArchiveError(fileName, problem);
  const eocd = endOfCentralDirectory(view);
  if (eocd === undefined)
    throw corrupt(`truncated or not a zip (${zipBytes.length} bytes, no end-of-central-directory record)`);
  const entryCount = view.getUint16(eocd + 10, true);
  const directoryStart = view.getUint32(eocd + 16, true);
  const csvEntries: CentralEntry[] = [];
  for (let offset = directoryStart, index = 0; index < entryCount; index++) {
    if (offset + 46 > view.byteLength || view.getUint32(offset, true) !== CENTRAL_DIRECTORY_HEADER)
      throw corrupt(`central directory entry ${index + 1} of ${entryCount} is damaged`);
    const entry = centralEntry(zipBytes, view, offset);
    if (entry.name.toLowerCase().endsWith('.csv')) csvEntries.push(entry);
    offset = entry.nextOffset;
  }
  if (csvEntries.length !== 1) throw corrupt(`expected exactly one CSV inside, found ${csvEntries.length}`);
  const entry = csvEntries[0]!;
  if ((entry.flags & 0x01) !== 0) throw corrupt(`${entry.name} is encrypted`);
  if (entry.method !== STORED && entry.method !== DEFLATED)
    throw corrupt(`${entry.name} uses compression method ${entry.method}, not deflate`);

  const limitBytes = limitBytesOf(entry.name);
  if (entry.declaredBytes > limitBytes)
    throw new ArchiveTooLargeError(fileName, entry.name, limitBytes, entry.declaredBytes);
  const data = entryData(zipBytes, view, entry, corrupt);

  const checked = (csv: Uint8Array) => {
    if (csv.length !== entry.declaredBytes || crc32(csv) !== entry.crc)
      throw corrupt(
        `${entry.name} inflates to ${csv.length} bytes (declared ${entry.declaredBytes}) with ${crc32(csv) === entry.crc ? 'the' : 'a wrong'} CRC-32`,
      );
    return csv;
  };
  // one output buffer of the declared size when it is honest: the default 16 KiB chunks cost a
  // concatenation and made inflate ~1.5x slower. One byte more, because node allocates a further chunk
  // whenever the last one fills up. `maxOutputLength` makes zlib stop after the chunk that passes it.
  const options: ZlibOptions = {
    chunkSize: Math.min(Math.max(entry.declaredBytes + 1, MIN_CHUNK_BYTES), limitBytes + 1),
    maxOutputLength: limitBytes,
  };
  const failure = (error: unknown) =>
    isBufferTooLarge(error)
      ? new ArchiveTooLargeError(fileName, entry.name, limitBytes, entry.declaredBytes)
      : corrupt(error instanceof Error ? error.message : String(error));
  return {
    name: entry.name,
    declaredBytes: entry.declaredBytes,
    inflateSync: () => {
      if (entry.method === STORED) return checked(data);
      try {
        return checked(inflateRawSync(data, options));
      } catch (error) {
        if (error instanceof CorruptArchiveError) throw error;
        throw failure(error);
      }
    },
    inflate: async () => {
      if (entry.method === STORED) return checked(data);
      return checked(
        await inflateRawAsync(data, options).catch((error: unknown) => {
          throw failure(error);
        }),
      );
    },
  };
}

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedBytes: number;
  declaredBytes: number;
  localHeaderOffset: number;
  nextOffset: number;
}

function centralEntry(zipBytes: Uint8Array, view: DataView, offset: number): CentralEntry {
  const nameLength = view.getUint16(offset + 28, true);
  const extraLength = view.getUint16(offset + 30, true);
  const commentLength = view.getUint16(offset + 32, true);
  return {
    flags: view.getUint16(offset + 8, true),
    method: view.getUint16(offset + 10, true),
    crc: view.getUint32(offset + 16, true),
    compressedBytes: view.getUint32(offset + 20, true),
    declaredBytes: view.getUint32(offset + 24, true),
    localHeaderOffset: view.getUint32(offset + 42, true),
    name: new TextDecoder().decode(zipBytes.subarray(offset + 46, offset + 46 + nameLength)),
    nextOffset: offset + 46 + nameLength + extraLength + commentLength,
  };
}

/** The entry's compressed bytes, located through its local header. */
function entryData(
  zipBytes: Uint8Array,
  view: DataView,
  entry: CentralEntry,
  corrupt: (problem: string) => CorruptArchiveError,
): Uint8Array {
  const header = entry.localHeaderOffset;
  if (header + 30 > view.byteLength || view.getUint32(header, true) !== LOCAL_FILE_HEADER)
    throw corrupt(`${entry.name}: its local header is missing or damaged`);
  const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const end = start + entry.compressedBytes;
  if (end > view.byteLength) throw corrupt(`${entry.name}: its data runs past the end of the zip`);
  return zipBytes.subarray(start, end);
}

function endOfCentralDirectory(view: DataView): number | undefined {
  const earliest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let offset = view.byteLength - 22; offset >= earliest; offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  return undefined;
}

function isBufferTooLarge(error: unknown): boolean {
  return error instanceof RangeError && (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
}

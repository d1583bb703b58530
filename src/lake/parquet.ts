/**
 * KlineColumns ⇄ Parquet bytes. One file holds one symbol's candles (the symbol is in the partition
 * path), with Binance's archive column names in snake_case: `open_time` as INT64 epoch milliseconds,
 * `trades` as INT64, and the eight prices and volumes as DOUBLE. Columns are REQUIRED: a missing minute
 * is a missing row, never a null, so readers cannot mistake a gap for a candle.
 */
import { parquetMetadata, parquetRead } from 'hyparquet';
import type { ColumnChunk, Encoding, ParquetType, RowGroup, SchemaElement } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { sha256HexOfParts } from '../checksum.js';
import { Alpha15Error } from '../errors.js';
import type { KlineColumns } from '../market/kline.js';
import { allocateColumns, KLINE_COLUMN_FIELDS, type KlineColumnField } from '../market/kline-columns.js';
import { SOURCE_KINDS, type SourceKind } from '../market/source-kind.js';

/** Parquet column name of each KlineColumns field. */
export const PARQUET_COLUMN_NAMES: Record<KlineColumnField, string> = {
  openTimeMs: 'open_time',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  quoteVolume: 'quote_volume',
  trades: 'trades',
  takerBuyBaseVolume: 'taker_buy_volume',
  takerBuyQuoteVolume: 'taker_buy_quote_volume',
};

const INTEGER_FIELDS: ReadonlySet<KlineColumnField> = new Set(['openTimeMs', 'trades']);

/** The file's columns in order; the Glue catalog declares the same list (src/lake/catalog.ts). */
export const KLINE_PARQUET_COLUMNS: readonly { name: string; type: 'INT64' | 'DOUBLE' }[] =
  KLINE_COLUMN_FIELDS.map((field) => ({
    name: PARQUET_COLUMN_NAMES[field],
    type: INTEGER_FIELDS.has(field) ? 'INT64' : 'DOUBLE',
  }));

const SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: KLINE_COLUMN_FIELDS.length },
  ...KLINE_PARQUET_COLUMNS.map((column): SchemaElement => ({ ...column, repetition_type: 'REQUIRED' })),
];

const PARQUET_MAGIC = 0x31524150; // "PAR1"

/**
 * The footer entry holding the SHA-256 of the decoded columns (each column's float64 values, in
 * KLINE_COLUMN_FIELDS order). Checked on every read: a flipped byte that still decodes (a changed
 * volume, say) is caught, not just one that breaks the file. Partitions written before it existed have
 * none and are read unchecked.
 */
export const CONTENT_HASH_KEY = 'alpha15.content_sha256';

/**
 * The footer entry naming the sources of the partition's candles (comma-separated kinds, see
 * source-kind.ts). Kept in the partition itself rather than only in the watermark, because a
 * watermark is rebuilt from the partitions: the record must survive that. Partitions written before it
 * existed have none (their sources are unknown).
 */
export const SOURCES_KEY = 'alpha15.sources';

function contentSha256(columns: KlineColumns): string {
  return sha256HexOfParts(KLINE_COLUMN_FIELDS.map((field) => columns[field]));
}

// Pages are the typed arrays' own bytes, which are in platform byte order; Parquet's is little-endian.
if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1)
  throw new Error('alpha15 writes Parquet on little-endian platforms only');

export class CorruptPartitionError extends Alpha15Error {
  readonly code = 'PARTITION_CORRUPT';
  override readonly data: { partition: string; reason: string };
  constructor(what: string, reason: string, options?: ErrorOptions) {
    super(
      `${what} is not a readable kline partition: ${reason}`,
      // re-ingesting cannot help: ingest has to read the partition to merge into it
      'verifying the lake lists every damaged partition; repairing it rebuilds them from raw/ (or the source)',
      options,
    );
    this.data = { partition: what, reason };
  }
}

/**
 * One row group, one uncompressed page per column. Written here rather than by hyparquet-writer's
 * parquetWrite, which encodes value by value (BigInts for int64) through a growing buffer: for this
 * fixed schema a page is the column's bytes as they lie in memory, and encoding took as much CPU as
 * parsing the CSV. The file layout and footer are the ones parquetWrite produced. Snappy would save a
 * third of the bytes but triple the write time (hyparquet-writer's is JavaScript), and ingest speed is
 * a target; prices are high-entropy doubles anyway.
 */
export function klinesToParquet(columns: KlineColumns, sources?: readonly SourceKind[]): Uint8Array {
  const rowCount = columns.openTimeMs.length;
  const writer = new ByteWriter(rowCount * KLINE_COLUMN_FIELDS.length * 8 + 16_384);
  writer.appendUint32(PARQUET_MAGIC);
  const rowGroups: RowGroup[] = [];
  if (rowCount > 0) {
    const chunks = KLINE_COLUMN_FIELDS.map((field) => writeColumnChunk(writer, field, columns[field]));
    const byteSize = BigInt(writer.offset - 4);
    rowGroups.push({
      columns: chunks,
      num_rows: BigInt(rowCount),
      total_byte_size: byteSize,
      total_compressed_size: byteSize,
    });
  }
  writeMetadata(writer, {
    version: 2,
    created_by: 'alpha15',
    schema: SCHEMA,
    num_rows: BigInt(rowCount),
    row_groups: rowGroups,
    key_value_metadata: [
      { key: 'alpha15.symbol', value: columns.symbol },
      { key: 'alpha15.open_time', value: 'UTC epoch milliseconds' },
      { key: CONTENT_HASH_KEY, value: contentSha256(columns) },
      ...(sources && sources.length > 0 ? [{ key: SOURCES_KEY, value: sources.join(',') }] : []),
    ],
    metadata_length: 0, // filled in by readers; writeMetadata appends the real length itself
  });
  writer.appendUint32(PARQUET_MAGIC);
  return writer.getBytes();
}

function writeColumnChunk(writer: ByteWriter, field: KlineColumnField, values: Float64Array): ColumnChunk {
  const isOpenTime = field === 'openTimeMs';
  const type: ParquetType = INTEGER_FIELDS.has(field) ? 'INT64' : 'DOUBLE';
  // open_time steps by 60 000: delta encoding shrinks it to almost nothing; trades gain little from it
  const encoding: Encoding = isOpenTime ? 'DELTA_BINARY_PACKED' : 'PLAIN';
  const page = isOpenTime
    ? deltaPacked(values)
    : type === 'INT64'
      ? new Uint8Array(toBigInt64(values).buffer)
      : new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const offset = BigInt(writer.offset);
  writePageHeader(writer, {
    type: 'DATA_PAGE_V2',
    uncompressed_page_size: page.length,
    compressed_page_size: page.length,
    data_page_header_v2: {
      num_values: values.length,
      num_nulls: 0,
      num_rows: values.length,
      encoding,
      definition_levels_byte_length: 0,
      repetition_levels_byte_length: 0,
      // the default, as parquetWrite left it: under codec UNCOMPRESSED "compressed" bytes are the plain ones
      is_compressed: true,
    },
  });
  writer.appendBytes(page);
  const size = BigInt(writer.offset) - offset;
  return {
    file_offset: offset,
    meta_data: {
      type,
      encodings: [encoding],
      path_in_schema: [PARQUET_COLUMN_NAMES[field]],
      codec: 'UNCOMPRESSED',
      num_values: BigInt(values.length),
      total_uncompressed_size: size,
      total_compressed_size: size,
      data_page_offset: offset,
      // min/max of open_time in the footer let query engines skip a partition without reading it
      ...(isOpenTime && values.length > 0 ? { statistics: openTimeStatistics(values) } : {}),
      ...(isOpenTime ? { encoding_stats: [{ page_type: 'DATA_PAGE_V2', encoding, count: 1 }] } : {}),
    },
  };
}

function deltaPacked(values: Float64Array): Uint8Array {
  const page = new ByteWriter(256 + values.length / 8);
  deltaBinaryPack(page, toBigInt64(values), 'INT64');
  return page.getBytes();
}

function openTimeStatistics(times: Float64Array) {
  let min = times[0]!;
  let max = min;
  for (const time of times) {
    if (time < min) min = time;
    if (time > max) max = time;
  }
  return { null_count: 0n, max_value: BigInt(max), min_value: BigInt(min) };
}

/** Why a file's Parquet footer cannot be read, or undefined when it can (the rows are not decoded). */
export function parquetFooterProblem(bytes: Uint8Array): string | undefined {
  try {
    parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Reads a partition back into columns; `what` names it in errors (e.g. its key). */
export async function parquetToKlines(
  symbol: string,
  bytes: Uint8Array,
  what = 'parquet file',
): Promise<KlineColumns> {
  return (await parquetToPartition(symbol, bytes, what)).columns;
}

/** A partition's columns and the sources its footer records (undefined when it records none). */
export async function parquetToPartition(
  symbol: string,
  bytes: Uint8Array,
  what = 'parquet file',
): Promise<{ columns: KlineColumns; sources: SourceKind[] | undefined }> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(file);
  } catch (error) {
    throw new CorruptPartitionError(what, 'bad footer', { cause: error });
  }
  const rowCount = Number(metadata.num_rows);
  const columns = allocateColumns(symbol, rowCount);
  const fieldByName = new Map(KLINE_COLUMN_FIELDS.map((field) => [PARQUET_COLUMN_NAMES[field], field]));
  const seen = new Set<string>();
  await parquetRead({
    file,
    metadata,
    columns: [...fieldByName.keys()],
    onChunk: ({ columnName, columnData, rowStart }) => {
      const field = fieldByName.get(columnName);
      if (!field) return;
      seen.add(columnName);
      const target = columns[field];
      if (columnData instanceof Float64Array) target.set(columnData, rowStart);
      else for (let i = 0; i < columnData.length; i++) target[rowStart + i] = Number(columnData[i]);
    },
  }).catch((error: unknown) => {
    throw new CorruptPartitionError(what, error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  });
  const missing = [...fieldByName.keys()].filter((name) => !seen.has(name));
  if (missing.length > 0 && rowCount > 0)
    throw new CorruptPartitionError(what, `missing columns ${missing.join(', ')}`);
  const recorded = metadata.key_value_metadata?.find((entry) => entry.key === CONTENT_HASH_KEY)?.value;
  if (recorded !== undefined) {
    const actual = contentSha256(columns);
    if (actual !== recorded)
      throw new CorruptPartitionError(
        what,
        `its content hash is ${actual}, not the ${recorded} recorded when it was written (the bytes changed since)`,
      );
  }
  const sources = metadata.key_value_metadata?.find((entry) => entry.key === SOURCES_KEY)?.value;
  return { columns, sources: sources === undefined ? undefined : parseSources(sources) };
}

/** The recorded kinds this version knows, in SOURCE_KINDS order (an unknown name is left out). */
function parseSources(text: string): SourceKind[] {
  const named = new Set(text.split(','));
  return SOURCE_KINDS.filter((kind) => named.has(kind));
}

/**
 * Whole numbers (epoch ms, trade counts) as int64 without a BigInt per value: each is split into two
 * little-endian 32-bit words, exact for |x| < 2^53 (negative values in two's complement).
 */
function toBigInt64(values: Float64Array): BigInt64Array {
  const result = new BigInt64Array(values.length);
  const words = new Uint32Array(result.buffer);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const high = Math.floor(value / 4_294_967_296);
    words[2 * i] = value - high * 4_294_967_296;
    words[2 * i + 1] = high;
  }
  return result;
}

/**
 * KlineColumns ⇄ Parquet bytes. One file holds one symbol's candles (the symbol is in the partition
 * path), with Binance's archive column names in snake_case: `open_time` as INT64 epoch milliseconds,
 * `trades` as INT64, and the eight prices and volumes as DOUBLE. Columns are REQUIRED: a missing minute
 * is a missing row, never a null, so readers cannot mistake a gap for a candle.
 */
import { parquetMetadata, parquetRead } from 'hyparquet';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import type { ColumnSource } from 'hyparquet-writer';
import { Alpha15Error } from '../errors.js';
import type { KlineColumns } from '../market/kline.js';
import { allocateColumns, KLINE_COLUMN_FIELDS, type KlineColumnField } from '../market/kline-columns.js';

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

export class CorruptPartitionError extends Alpha15Error {
  constructor(what: string, reason: string, options?: ErrorOptions) {
    super(
      `${what} is not a readable kline partition: ${reason}`,
      're-ingest the affected days; the raw archives stay under raw/',
      options,
    );
  }
}

export function klinesToParquet(columns: KlineColumns): Uint8Array {
  const columnData: ColumnSource[] = KLINE_COLUMN_FIELDS.map((field) => {
    const name = PARQUET_COLUMN_NAMES[field];
    if (INTEGER_FIELDS.has(field)) {
      // min/max of open_time in the footer let query engines skip a partition without reading it
      const isOpenTime = field === 'openTimeMs';
      // open_time steps by 60 000: delta encoding shrinks it to almost nothing; trades gain little from it
      const encoding = isOpenTime ? 'DELTA_BINARY_PACKED' : 'PLAIN';
      return {
        name,
        data: toBigInt64(columns[field]),
        type: 'INT64',
        nullable: false,
        encoding,
        statistics: isOpenTime,
      };
    }
    return { name, data: columns[field], type: 'DOUBLE', nullable: false, encoding: 'PLAIN' };
  });
  // sized for the whole file up front: growing by doubling copies the buffer several times per file
  const writer = new ByteWriter(columns.openTimeMs.length * KLINE_COLUMN_FIELDS.length * 8 + 16_384);
  parquetWrite({
    writer,
    columnData,
    // one row group per partition (a day is 1,440 rows): readers fetch a partition whole anyway
    rowGroupSize: Math.max(1, columns.openTimeMs.length),
    // Measured on the real month: snappy (hyparquet-writer's is JavaScript) saves a third of the bytes
    // but triples the write time, and ingest speed is a target; prices are high-entropy doubles anyway.
    codec: 'UNCOMPRESSED',
    statistics: false,
    // one page per column chunk: skips the writer's per-value page-size estimate (a day is ~11 KB per column)
    pageSize: 0,
    kvMetadata: [
      { key: 'alpha15.symbol', value: columns.symbol },
      { key: 'alpha15.open_time', value: 'UTC epoch milliseconds' },
    ],
    createdBy: 'alpha15',
  });
  return writer.getBytes();
}

/** Reads a partition back into columns; `what` names it in errors (e.g. its key). */
export async function parquetToKlines(
  symbol: string,
  bytes: Uint8Array,
  what = 'parquet file',
): Promise<KlineColumns> {
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
  return columns;
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

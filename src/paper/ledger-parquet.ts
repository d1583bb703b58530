/**
 * Ledger records as Parquet rows, for the compacted day files Athena and DuckDB read. Each table is a
 * list of columns (name, Parquet type, nullability, how to take the value from a record): the writer
 * and the Glue catalog (src/paper/catalog.ts) read the same list, so the DDL cannot drift from the files.
 *
 * Trades are one row per closed trade. Decisions are flattened to one row per (minute, symbol), the
 * shape a query groups and filters by; the positions a decision opened are the `trades` table.
 */
import { parquetMetadata, parquetRead } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Decision, Prediction, Trade } from './records.js';

export type LedgerColumnType = 'INT64' | 'DOUBLE' | 'STRING' | 'BOOLEAN';

export interface LedgerColumn<Row> {
  name: string;
  type: LedgerColumnType;
  nullable: boolean;
  value: (row: Row) => number | string | boolean | null;
}

export const TRADE_COLUMNS: readonly LedgerColumn<Trade>[] = [
  { name: 'trade_id', type: 'STRING', nullable: false, value: (trade) => trade.tradeId },
  { name: 'symbol', type: 'STRING', nullable: false, value: (trade) => trade.symbol },
  { name: 'side', type: 'STRING', nullable: false, value: (trade) => trade.side },
  { name: 'entry_time_ms', type: 'INT64', nullable: false, value: (trade) => trade.entryTimeMs },
  { name: 'exit_time_ms', type: 'INT64', nullable: false, value: (trade) => trade.exitTimeMs },
  { name: 'fill', type: 'STRING', nullable: false, value: (trade) => trade.fill },
  { name: 'entry_price', type: 'DOUBLE', nullable: false, value: (trade) => trade.entryPrice },
  // null in trades recorded before the fill model, whose price was the reference
  {
    name: 'entry_reference_price',
    type: 'DOUBLE',
    nullable: true,
    value: (trade) => trade.entryReferencePrice ?? null,
  },
  { name: 'exit_price', type: 'DOUBLE', nullable: false, value: (trade) => trade.exitPrice },
  {
    name: 'exit_reference_price',
    type: 'DOUBLE',
    nullable: true,
    value: (trade) => trade.exitReferencePrice ?? null,
  },
  {
    name: 'slippage_rate_per_side',
    type: 'DOUBLE',
    nullable: false,
    value: (trade) => trade.slippageRatePerSide,
  },
  // the book at each fill, flattened (null when the quote could not be fetched)
  {
    name: 'entry_bid_price',
    type: 'DOUBLE',
    nullable: true,
    value: (trade) => trade.entryQuote?.bidPrice ?? null,
  },
  {
    name: 'entry_ask_price',
    type: 'DOUBLE',
    nullable: true,
    value: (trade) => trade.entryQuote?.askPrice ?? null,
  },
  {
    name: 'entry_quote_time_ms',
    type: 'INT64',
    nullable: true,
    value: (trade) => trade.entryQuote?.timeMs ?? null,
  },
  {
    name: 'exit_bid_price',
    type: 'DOUBLE',
    nullable: true,
    value: (trade) => trade.exitQuote?.bidPrice ?? null,
  },
  {
    name: 'exit_ask_price',
    type: 'DOUBLE',
    nullable: true,
    value: (trade) => trade.exitQuote?.askPrice ?? null,
  },
  {
    name: 'exit_quote_time_ms',
    type: 'INT64',
    nullable: true,
    value: (trade) => trade.exitQuote?.timeMs ?? null,
  },
  { name: 'exit_candle_time_ms', type: 'INT64', nullable: false, value: (trade) => trade.exitCandleTimeMs },
  {
    name: 'exit_candle_missing',
    type: 'BOOLEAN',
    nullable: false,
    value: (trade) => trade.exitCandleMissing,
  },
  { name: 'prediction', type: 'DOUBLE', nullable: false, value: (trade) => trade.prediction },
  {
    name: 'calibrated_prediction',
    type: 'DOUBLE',
    nullable: false,
    value: (trade) => trade.calibratedPrediction,
  },
  { name: 'threshold', type: 'DOUBLE', nullable: false, value: (trade) => trade.threshold },
  { name: 'model_id', type: 'STRING', nullable: false, value: (trade) => trade.modelId },
  { name: 'notional', type: 'DOUBLE', nullable: false, value: (trade) => trade.notional },
  { name: 'fee_rate_per_side', type: 'DOUBLE', nullable: false, value: (trade) => trade.feeRatePerSide },
  { name: 'gross_return', type: 'DOUBLE', nullable: false, value: (trade) => trade.grossReturn },
  { name: 'net_return', type: 'DOUBLE', nullable: false, value: (trade) => trade.netReturn },
  { name: 'gross_pnl', type: 'DOUBLE', nullable: false, value: (trade) => trade.grossPnl },
  { name: 'slippage', type: 'DOUBLE', nullable: false, value: (trade) => trade.slippage },
  { name: 'fees', type: 'DOUBLE', nullable: false, value: (trade) => trade.fees },
  { name: 'net_pnl', type: 'DOUBLE', nullable: false, value: (trade) => trade.netPnl },
  { name: 'closed_at_ms', type: 'INT64', nullable: false, value: (trade) => trade.closedAtMs },
];

/** One symbol's line of one minute's decision. */
export interface DecisionRow {
  decision: Decision;
  prediction: Prediction;
}

export const DECISION_COLUMNS: readonly LedgerColumn<DecisionRow>[] = [
  { name: 'minute_ms', type: 'INT64', nullable: false, value: ({ decision }) => decision.minuteMs },
  { name: 'created_at_ms', type: 'INT64', nullable: false, value: ({ decision }) => decision.createdAtMs },
  { name: 'model_id', type: 'STRING', nullable: false, value: ({ decision }) => decision.modelId },
  { name: 'symbol', type: 'STRING', nullable: false, value: ({ prediction }) => prediction.symbol },
  { name: 'action', type: 'STRING', nullable: false, value: ({ prediction }) => prediction.action },
  { name: 'prediction', type: 'DOUBLE', nullable: true, value: ({ prediction }) => prediction.prediction },
  {
    name: 'calibrated_prediction',
    type: 'DOUBLE',
    nullable: true,
    value: ({ prediction }) => prediction.calibratedPrediction,
  },
  {
    name: 'long_threshold',
    type: 'DOUBLE',
    nullable: true,
    value: ({ prediction }) => prediction.longThreshold,
  },
  {
    name: 'short_threshold',
    type: 'DOUBLE',
    nullable: true,
    value: ({ prediction }) => prediction.shortThreshold,
  },
  { name: 'close', type: 'DOUBLE', nullable: true, value: ({ prediction }) => prediction.close },
  {
    name: 'stale',
    type: 'BOOLEAN',
    nullable: false,
    value: ({ decision, prediction }) => decision.staleSymbols.includes(prediction.symbol),
  },
  {
    name: 'entered',
    type: 'BOOLEAN',
    nullable: false,
    value: ({ decision, prediction }) => decision.entries.some((entry) => entry.symbol === prediction.symbol),
  },
];

export function decisionRows(decisions: readonly Decision[]): DecisionRow[] {
  return decisions.flatMap((decision) =>
    decision.predictions.map((prediction) => ({ decision, prediction })),
  );
}

/** The rows as one Parquet file (Snappy, deterministic: the same rows give the same bytes). */
export function ledgerRowsToParquet<Row>(
  columns: readonly LedgerColumn<Row>[],
  rows: readonly Row[],
  metadata: { key: string; value: string }[] = [],
): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: columns.map((column) => ({
      name: column.name,
      type: column.type,
      nullable: column.nullable,
      // hyparquet-writer's plain INT64 encoder takes BigInts
      data: column.type === 'INT64' ? rows.map((row) => toBigInt(column.value(row))) : rows.map(column.value),
    })),
    createdBy: 'alpha15',
    kvMetadata: metadata,
  });
  return new Uint8Array(buffer);
}

function toBigInt(value: number | string | boolean | null): bigint | null {
  return value === null ? null : BigInt(value as number);
}

/** The flattened book columns of a trade row, put back together as its two quotes. */
const QUOTE_COLUMN = /^(entry|exit)_(bid_price|ask_price|quote_time_ms)$/;
/** The other trade columns with the Trade field each holds (snake case back to camel case). */
const TRADE_FIELDS = TRADE_COLUMNS.filter((column) => !QUOTE_COLUMN.test(column.name)).map((column) => ({
  column: column.name,
  field: column.name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
}));

/**
 * The trades of a compacted day file as the JSON ledger has them (before schema validation): the
 * columns back in camel case, a null optional column left out, the quotes rebuilt. Throws when the file
 * does not decode.
 */
export async function tradesFromParquet(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  // read by column chunk into arrays sized up front (chunks of a later row group may come first, and
  // an array grown from the far end is a slow dictionary): row objects cost many times the decoding
  const metadata = parquetMetadata(file);
  const rowCount = Number(metadata.num_rows);
  const columns = new Map<string, unknown[]>();
  await parquetRead({
    file,
    metadata,
    onChunk: ({ columnName, columnData, rowStart }) => {
      const column = columns.get(columnName) ?? new Array<unknown>(rowCount).fill(null);
      for (let index = 0; index < columnData.length; index++) column[rowStart + index] = columnData[index];
      columns.set(columnName, column);
    },
  });
  const cellsOf = (name: string) => columns.get(name) ?? [];
  const plain = (cell: unknown) => (typeof cell === 'bigint' ? Number(cell) : (cell ?? null));
  const fields = TRADE_FIELDS.map(({ column, field }) => ({ field, cells: cellsOf(column) }));
  const quotes = (['entry', 'exit'] as const).map((leg) => ({
    field: `${leg}Quote`,
    bid: cellsOf(`${leg}_bid_price`),
    ask: cellsOf(`${leg}_ask_price`),
    time: cellsOf(`${leg}_quote_time_ms`),
  }));
  const trades: Record<string, unknown>[] = new Array(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const trade: Record<string, unknown> = {};
    for (const { field, cells } of fields) {
      const value = plain(cells[row]);
      if (value !== null) trade[field] = value;
    }
    for (const { field, bid, ask, time } of quotes) {
      const bidPrice = plain(bid[row]);
      trade[field] =
        bidPrice === null ? null : { bidPrice, askPrice: plain(ask[row]), timeMs: plain(time[row]) };
    }
    trades[row] = trade;
  }
  return trades;
}

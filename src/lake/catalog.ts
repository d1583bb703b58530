/**
 * The tables a query engine (Athena through the Glue catalog, DuckDB, pandas) sees over the store:
 * where each lives, its columns and its Hive partition keys. Built from the writers' own column lists
 * and the layout functions that name the keys, so the catalog the stack creates cannot drift from the
 * files the code writes; test/lake/catalog.test.ts reads real files with DuckDB against it. The lake's
 * klines table is here; the compacted ledger's tables are the paper ledger's (src/paper/catalog.ts),
 * which imports these types: the lake never imports the paper ledger.
 */
import { CURATED_KLINES_PREFIX } from '../contracts/keys.js';
import { PARTITION_FILE_NAME, partitionFolder } from './layout.js';
import { KLINE_PARQUET_COLUMNS } from './parquet.js';

/** Hive/Athena column types of the Parquet types the writers emit. */
export type CatalogType = 'bigint' | 'double' | 'string' | 'boolean';

const CATALOG_TYPES = {
  INT64: 'bigint',
  DOUBLE: 'double',
  STRING: 'string',
  BOOLEAN: 'boolean',
} as const satisfies Record<string, CatalogType>;

/** A writer's Parquet column list as catalog columns. */
export function catalogColumns(
  columns: readonly { name: string; type: keyof typeof CATALOG_TYPES }[],
): CatalogColumn[] {
  return columns.map((column) => ({ name: column.name, type: CATALOG_TYPES[column.type] }));
}

export interface CatalogColumn {
  name: string;
  type: CatalogType;
}

/**
 * How Athena enumerates a partition key without a crawler: a date range (`format` in Java date syntax,
 * stepping by one `unit`), or the symbols (the deploy universe as an enum, or injected from the query's
 * WHERE clause).
 */
export type PartitionProjection =
  { type: 'date'; format: string; rangeStart: string; unit: 'MONTHS' | 'DAYS' } | { type: 'symbol' };

export interface CatalogTable {
  name: string;
  description: string;
  /** Key prefix of the table relative to the store root (on S3, the bucket root). */
  prefix: string;
  /** The one file in each partition folder. */
  fileName: string;
  columns: CatalogColumn[];
  partitionKeys: { name: string; projection: PartitionProjection }[];
  /** A partition's folder relative to the store root, with `${key}` placeholders (Athena's storage.location.template). */
  locationTemplate: string;
}

/** A `${key}` placeholder of a location template. */
export const placeholder = (key: string) => `\${${key}}`;

export const KLINES_TABLE: CatalogTable = {
  name: 'klines',
  description: 'Binance spot 1m klines, one Parquet file per symbol and UTC month; open_time in UTC epoch ms',
  prefix: CURATED_KLINES_PREFIX,
  fileName: PARTITION_FILE_NAME,
  columns: catalogColumns(KLINE_PARQUET_COLUMNS),
  partitionKeys: [
    { name: 'symbol', projection: { type: 'symbol' } },
    // Binance's spot archives start in August 2017
    { name: 'month', projection: { type: 'date', format: 'yyyy-MM', rangeStart: '2017-08', unit: 'MONTHS' } },
  ],
  locationTemplate: partitionFolder(placeholder('symbol'), placeholder('month')),
};

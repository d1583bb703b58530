/**
 * The compacted ledger's tables in the Glue catalog (trades and decisions by UTC day), built from the
 * ledger's own Parquet column lists and key functions; the catalog's types and the klines table are
 * the lake's (src/lake/catalog.ts).
 */
import { catalogColumns, KLINES_TABLE, placeholder, type CatalogTable } from '../lake/catalog.js';
import { COMPACTED_FILE_NAME, compactedDayFolder, compactedTablePrefix } from './ledger.js';
import { DECISION_COLUMNS, TRADE_COLUMNS, type LedgerColumnType } from './ledger-parquet.js';

function ledgerTable(
  kind: 'trades' | 'decisions',
  description: string,
  columns: readonly { name: string; type: LedgerColumnType }[],
): CatalogTable {
  return {
    name: kind,
    description,
    prefix: compactedTablePrefix(kind),
    fileName: COMPACTED_FILE_NAME,
    columns: catalogColumns(columns),
    partitionKeys: [
      // the earliest market data replays reach (the shared REST captures are from December 2021)
      {
        name: 'day',
        projection: { type: 'date', format: 'yyyy-MM-dd', rangeStart: '2021-01-01', unit: 'DAYS' },
      },
    ],
    locationTemplate: compactedDayFolder(kind, placeholder('day')),
  };
}

export const TRADES_TABLE = ledgerTable(
  'trades',
  'Closed paper trades by UTC day of entry, compacted from the ledger; times in UTC epoch ms',
  TRADE_COLUMNS,
);

export const DECISIONS_TABLE = ledgerTable(
  'decisions',
  'Paper-trading decisions, one row per minute and symbol, by UTC day, compacted from the ledger',
  DECISION_COLUMNS,
);

/** Every table the stack's Glue database declares: the lake's klines and the compacted ledger. */
export const CATALOG_TABLES: readonly CatalogTable[] = [KLINES_TABLE, TRADES_TABLE, DECISIONS_TABLE];

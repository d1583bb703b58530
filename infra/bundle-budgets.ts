/**
 * Size budget of each Lambda bundle, checked by test/infra/app.test.ts on the real esbuild output.
 * Lambda's own limit is 250 MB unzipped; these budgets are far below it because cold-start time grows
 * with the code Node has to parse. `codeBytes` is the minified index.mjs; `totalBytes` the whole asset
 * (source map, and for the paper tick the wasm binaries and their loader files).
 */
import type { HandlerName } from './alpha15-function.js';

const MIB = 1024 * 1024;

export const BUNDLE_BUDGETS: Record<HandlerName, { codeBytes: number; totalBytes: number }> = {
  ingest: { codeBytes: 1 * MIB, totalBytes: 5 * MIB },
  'training-trigger': { codeBytes: 1 * MIB, totalBytes: 5 * MIB },
  'tuning-trigger': { codeBytes: 1 * MIB, totalBytes: 5 * MIB },
  // reads the registry, whose model loader brings TensorFlow.js
  promotion: { codeBytes: 2.5 * MIB, totalBytes: 12 * MIB },
  // TensorFlow.js with the wasm backend, the tick, and ~1.7 MB of wasm binaries
  'paper-tick': { codeBytes: 3 * MIB, totalBytes: 18 * MIB },
  'opensearch-setup': { codeBytes: 1 * MIB, totalBytes: 5 * MIB },
  backfill: { codeBytes: 1 * MIB, totalBytes: 5 * MIB },
  // writes Parquet with hyparquet-writer and reads footers with hyparquet
  'ledger-compaction': { codeBytes: 1 * MIB, totalBytes: 5 * MIB },
  // the S3 store, the runs schema and the OpenSearch client with its SigV4 signer (measured 0.84 MB,
  // 4.5 MB with the source map)
  'runs-indexer': { codeBytes: 1.25 * MIB, totalBytes: 6 * MIB },
};

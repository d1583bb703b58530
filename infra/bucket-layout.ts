/**
 * Key prefixes of the one bucket, as IAM and EventBridge see them. Lake and registry keys come from the
 * core (the store is opened at the bucket root, `s3://<bucket>`), so a permission can never drift from
 * the keys the code writes.
 */
import { CURATED_KLINES_PREFIX } from '../src/lake/layout.js';
import { LEDGER_PREFIX } from '../src/paper/ledger.js';
export const BUCKET_PREFIXES = {
  /** Raw downloads (archive zips, captured REST bodies). */
  raw: 'raw/',
  /** The curated Parquet lake and its watermarks, written by ingestion. */
  curated: 'curated/',
  /** New kline partitions: what counts as new curated data for retraining. */
  curatedKlines: CURATED_KLINES_PREFIX,
  /** Saved models, their metrics, the champion pointer and its history. */
  models: 'models/',
  /** The paper-trading ledger. */
  paper: `${LEDGER_PREFIX}/`,
  /** Finished ledger days compacted into Parquet, the trades and decisions tables. */
  paperCurated: `${LEDGER_PREFIX}/curated/`,
  /** Athena query results (encrypted, expired after a while). */
  athenaResults: 'athena-results/',
  /** The backfill Map runs' result files: one line per (symbol, month) item, failures included. */
  backfillResults: 'backfill/results/',
  /** Dropping any object here asks for a retrain now. */
  trainingRequests: 'requests/training/',
  /** SageMaker output (model.tar.gz) and spot checkpoints. */
  sagemakerOutput: 'sagemaker/output/',
  checkpoints: 'sagemaker/checkpoints/',
} as const;

/** Every training job is named `<prefix><UTC minute>`, so rules and IAM can match on it. */
export const TRAINING_JOB_PREFIX = 'alpha15-';

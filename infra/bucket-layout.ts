/**
 * Key prefixes of the one bucket, as IAM and EventBridge see them. Lake and registry keys come from the
 * core (the store is opened at the bucket root, `s3://<bucket>`), so a permission can never drift from
 * the keys the code writes.
 */
import { CURATED_KLINES_PREFIX } from '../src/lake/layout.js';
import { RUNS_PREFIX } from '../src/runs/run-record.js';
import { TUNING_REQUESTS_PREFIX } from '../src/tune/tuning-request.js';
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
  paper: 'paper/',
  /** Dropping any object here asks for a retrain now. */
  trainingRequests: 'requests/training/',
  /** Dropping an object here (an optional JSON tuning request) starts a SageMaker tuning job. */
  tuningRequests: TUNING_REQUESTS_PREFIX,
  /** The runs index: one record per train, tune trial, simulation and backtest (src/runs/). */
  runs: RUNS_PREFIX,
  /** SageMaker output (model.tar.gz) and spot checkpoints. */
  sagemakerOutput: 'sagemaker/output/',
  checkpoints: 'sagemaker/checkpoints/',
} as const;

/** Every training job is named `<prefix><UTC minute>`, so rules and IAM can match on it. */
export const TRAINING_JOB_PREFIX = 'alpha15-';
/**
 * Every tuning job is named `<prefix><UTC minute>`, and its trials `<tuning job>-NNN-xxxxxxxx`. The
 * prefix must not start with TRAINING_JOB_PREFIX: trials are not promoted one by one, only the tuning
 * job's best (infra/promotion.ts).
 */
export const TUNING_JOB_PREFIX = 'a15tune-';

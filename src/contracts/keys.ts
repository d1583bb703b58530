/**
 * Every key prefix of the one bucket (or local store), in one place: the code that writes the keys,
 * infra's IAM grants and EventBridge rules, and query tables over the lake all derive from these, so a
 * permission or a table location can never drift from the keys the code writes. The key layouts below
 * each prefix live with their module (src/lake/layout.ts, src/model/artifacts.ts, src/paper/ledger.ts).
 * Imports nothing: every Lambda bundle may include it.
 */

/** Raw downloads (archive zips, captured REST bodies). */
export const RAW_PREFIX = 'raw/';
/** Source kline archives as they came: `raw/klines/<SYM>/<archive>.zip`. */
export const RAW_KLINES_PREFIX = `${RAW_PREFIX}klines/`;
/** The curated Parquet lake and its watermarks, written by ingestion. */
export const CURATED_PREFIX = 'curated/';
/** Hive-style kline partitions `curated/klines/symbol=<SYM>/month=<YYYY-MM>/klines.parquet`: new ones count as new data for retraining. */
export const CURATED_KLINES_PREFIX = `${CURATED_PREFIX}klines/`;
/** One watermark per symbol: `curated/watermarks/<SYM>.json`. */
export const WATERMARKS_PREFIX = `${CURATED_PREFIX}watermarks/`;

/** Saved models, their metrics, the champion pointer and its history. */
export const MODELS_PREFIX = 'models/';
/**
 * Every model id (src/model/artifacts.ts newModelId: `YYYYMMDDTHHMMSSZ-xxxxxx`) as an IAM object-key
 * glob, so a role can write models/<id>/ but not models/champion.json.
 */
export const MODEL_ID_IAM_GLOB = '????????T??????Z-??????';
/** The champion pointer `{ modelId, promotedAtMs }`. */
export const CHAMPION_KEY = `${MODELS_PREFIX}champion.json`;
/** Which model a SageMaker training job produced: `models/training-jobs/<job>.json`. */
export const TRAINING_JOBS_PREFIX = `${MODELS_PREFIX}training-jobs/`;
/** Every promotion decision, promoted or not: `models/promotions/<job>.json`. */
export const PROMOTIONS_PREFIX = `${MODELS_PREFIX}promotions/`;
/** Every champion the pointer ever held, oldest first by key: `models/champion-history/<time>-<id>.json`. */
export const CHAMPION_HISTORY_PREFIX = `${MODELS_PREFIX}champion-history/`;

/** The paper-trading ledger: `paper/<decisions|positions|trades|ticks>/<minute>...json`. */
export const PAPER_PREFIX = 'paper/';
/** Finished ledger days compacted into Parquet for queries: `paper/curated/<trades|decisions>/day=<YYYY-MM-DD>/part.parquet`. */
export const PAPER_CURATED_PREFIX = `${PAPER_PREFIX}curated/`;
/** Athena query results (encrypted, expired after a while). */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';
/** The backfill Map runs' result files: one entry per (symbol, month) item, failures included. */
export const BACKFILL_RESULTS_PREFIX = 'backfill/results/';
/** Backtest reports and their summaries: `reports/<modelId>/backtest.{html,json}`. */
export const REPORTS_PREFIX = 'reports/';

/** Dropping any object here asks for a retrain now. */
export const TRAINING_REQUESTS_PREFIX = 'requests/training/';
/**
 * New lake data asks for a retrain here, once per ingestion run or backfill (never once per partition):
 * `requests/new-data/<source>.json`, overwritten by each run. The trigger listens here, not to the lake.
 */
export const NEW_DATA_REQUESTS_PREFIX = 'requests/new-data/';
/**
 * A retrain asked for while a job ran, waiting for that job to end (written by the trigger; outside
 * the prefixes the trigger listens to, so writing it invokes nothing).
 */
export const PENDING_REQUESTS_PREFIX = 'requests/pending/';
export const RETRAIN_PENDING_KEY = `${PENDING_REQUESTS_PREFIX}retrain.json`;
/** Dropping an object here (an optional JSON tuning request) starts a SageMaker tuning job. */
export const TUNING_REQUESTS_PREFIX = 'requests/tuning/';
/** The runs index: one record per train, tune trial, simulation and backtest (src/runs/). */
export const RUNS_PREFIX = 'runs/';
/** Tune studies: `studies/<study>/{study.json,trials/<NNNN>.json,best-config.json}` (src/tune/study.ts). */
export const STUDIES_PREFIX = 'studies/';
/** SageMaker output (model.tar.gz). */
export const SAGEMAKER_OUTPUT_PREFIX = 'sagemaker/output/';
/** SageMaker managed-spot checkpoints. */
export const CHECKPOINTS_PREFIX = 'sagemaker/checkpoints/';

/** The prefixes as IAM and EventBridge see them (the store is opened at the bucket root, `s3://<bucket>`). */
export const BUCKET_PREFIXES = {
  raw: RAW_PREFIX,
  curated: CURATED_PREFIX,
  curatedKlines: CURATED_KLINES_PREFIX,
  models: MODELS_PREFIX,
  paper: PAPER_PREFIX,
  paperCurated: PAPER_CURATED_PREFIX,
  athenaResults: ATHENA_RESULTS_PREFIX,
  backfillResults: BACKFILL_RESULTS_PREFIX,
  reports: REPORTS_PREFIX,
  trainingRequests: TRAINING_REQUESTS_PREFIX,
  newDataRequests: NEW_DATA_REQUESTS_PREFIX,
  pendingRequests: PENDING_REQUESTS_PREFIX,
  tuningRequests: TUNING_REQUESTS_PREFIX,
  runs: RUNS_PREFIX,
  sagemakerOutput: SAGEMAKER_OUTPUT_PREFIX,
  checkpoints: CHECKPOINTS_PREFIX,
} as const;

/** Every training job is named `<prefix><UTC minute>`, so rules and IAM can match on it. */
export const TRAINING_JOB_PREFIX = 'alpha15-';
/**
 * Every tuning job is named `<prefix><UTC minute>`, and its trials `<tuning job>-NNN-xxxxxxxx`. The
 * prefix must not start with TRAINING_JOB_PREFIX: trials are not promoted one by one, only the tuning
 * job's best (infra/promotion.ts).
 */
export const TUNING_JOB_PREFIX = 'a15tune-';

/**
 * The one owner of environment variable names (test/architecture/environment-names.test.ts fails on a
 * name spelt anywhere else). First the ALPHA15_* variables that are not config fields: process settings
 * read where they apply. Every other ALPHA15_* name is a config path (ALPHA15_TRAINING__EPOCHS is
 * training.epochs), so the config loader can refuse a misspelt one instead of ignoring it.
 */

/** The config file to read, like --config. */
export const CONFIG_FILE_ENV_VARIABLE = 'ALPHA15_CONFIG';
/** Replaces an `auto` backend preference, e.g. `ALPHA15_BACKEND=cpu`. */
export const BACKEND_ENV_VARIABLE = 'ALPHA15_BACKEND';
/** The wasm backend's thread count when the caller sets none, e.g. `ALPHA15_WASM_THREADS=1`. */
export const WASM_THREADS_ENV_VARIABLE = 'ALPHA15_WASM_THREADS';

/**
 * `1` lets an explicit `webgpu` run on a software adapter (Mesa's lavapipe, SwiftShader): CI proves the
 * WebGPU path correct that way on machines without a GPU. `auto` never takes a software adapter.
 */
export const WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE = 'ALPHA15_WEBGPU_ALLOW_SOFTWARE';

export const PROCESS_ENV_VARIABLES: ReadonlySet<string> = new Set([
  CONFIG_FILE_ENV_VARIABLE,
  BACKEND_ENV_VARIABLE,
  WASM_THREADS_ENV_VARIABLE,
  WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE,
]);

/** The store URL flag's variable (`--store`), read by the CLI's option parser. */
export const STORE_ENV_VARIABLE = 'ALPHA15_STORE';
/** The config's `binanceBaseUrl`, which the stack sets on the functions that reach Binance. */
export const BINANCE_BASE_URL_ENV_VARIABLE = 'ALPHA15_BINANCE_BASE_URL';

/**
 * The variables the stack's constructs set on its Lambda functions, by the setting each carries. A
 * construct writes them with `functionEnvironment` and a handler reads them with `functionEnvSchema`
 * (src/contracts/function-env.ts), so neither spells a name. The SageMaker job's own variables live in
 * sagemaker-job-env.ts.
 */
export const FUNCTION_ENV_VARIABLES = {
  storeUrl: 'STORE_URL',
  symbols: 'SYMBOLS',
  opensearchUrl: 'OPENSEARCH_URL',
  indexPrefix: 'INDEX_PREFIX',
  binanceBaseUrl: BINANCE_BASE_URL_ENV_VARIABLE,
  backend: BACKEND_ENV_VARIABLE,
  archiveBaseUrl: 'ARCHIVE_BASE_URL',
  requestTimeoutMs: 'REQUEST_TIMEOUT_MS',
  lookbackMinutes: 'LOOKBACK_MINUTES',
  maxBackfillDays: 'MAX_BACKFILL_DAYS',
  trainingJobPrefix: 'TRAINING_JOB_PREFIX',
  retrainMinIntervalSeconds: 'RETRAIN_MIN_INTERVAL_SECONDS',
  trainingMinDays: 'TRAINING_MIN_DAYS',
  requestPrefix: 'REQUEST_PREFIX',
  newDataPrefix: 'NEW_DATA_PREFIX',
  checkpointPrefix: 'CHECKPOINT_PREFIX',
  tuningJobPrefix: 'TUNING_JOB_PREFIX',
  holdoutDays: 'HOLDOUT_DAYS',
  maxJobs: 'MAX_JOBS',
  maxParallelJobs: 'MAX_PARALLEL_JOBS',
  walkForwardFolds: 'WALK_FORWARD_FOLDS',
} as const;
export type FunctionSetting = keyof typeof FUNCTION_ENV_VARIABLES;

/** Set by the platform, read by alpha15: the Lambda and SageMaker runtimes, Powertools (set by the construct). */
export const AWS_REGION_ENV_VARIABLE = 'AWS_REGION';
export const POWERTOOLS_SERVICE_NAME_ENV_VARIABLE = 'POWERTOOLS_SERVICE_NAME';
export const POWERTOOLS_METRICS_NAMESPACE_ENV_VARIABLE = 'POWERTOOLS_METRICS_NAMESPACE';
/** Where a SageMaker container finds its input and writes its model (default /opt/ml). */
export const SAGEMAKER_ROOT_ENV_VARIABLE = 'SM_ROOT';
/** The job's own name, which SageMaker sets in every training job (a tuning trial's differs from its request's). */
export const TRAINING_JOB_NAME_ENV_VARIABLE = 'TRAINING_JOB_NAME';

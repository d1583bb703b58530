/**
 * Metric names shared by the processes that emit them and the constructs that chart and alarm on them.
 */

/** The CloudWatch namespace of every metric the stack's functions emit (Powertools' namespace). */
export const METRICS_NAMESPACE = 'Alpha15';

/** Emitted by the paper-tick Lambda once per completed tick; its absence over a window is a missed minute. */
export const TICK_COMPLETED_METRIC = 'TickCompleted';

/** Corrupt ledger objects a tick moved under paper/quarantine/; any is worth a look (and an alarm). */
export const LEDGER_QUARANTINE_METRIC = 'LedgerObjectsQuarantined';

/** Ticks skipped because the store had no champion yet (a fresh deployment before its first training job). */
export const TICKS_WITHOUT_CHAMPION_METRIC = 'TicksWithoutChampion';
/** Positions a tick opened, and trades it closed. */
export const POSITIONS_OPENED_METRIC = 'PositionsOpened';
export const POSITIONS_CLOSED_METRIC = 'PositionsClosed';

/** Lake rows an ingest run or a backfill item added; minutes an ingest run found missing at the source. */
export const ROWS_ADDED_METRIC = 'RowsAdded';
export const MINUTES_MISSING_METRIC = 'MinutesMissing';
/** Archive downloads a backfill item retried, and those of them after a throttling answer. */
export const ARCHIVE_RETRIES_METRIC = 'ArchiveRetries';
export const ARCHIVE_THROTTLED_RETRIES_METRIC = 'ArchiveThrottledRetries';

/** Ledger compaction: the day files it wrote (the damaged ones: LEDGER_FILES_DAMAGED_METRIC below). */
export const FILES_WRITTEN_METRIC = 'FilesWritten';

/** The promotion's verdict on a finished job's model. */
export const MODELS_PROMOTED_METRIC = 'ModelsPromoted';
export const MODELS_NOT_PROMOTED_METRIC = 'ModelsNotPromoted';
/** Run records the runs indexer sent to OpenSearch. */
export const RUNS_INDEXED_METRIC = 'RunsIndexed';
/** SageMaker jobs the triggers started. */
export const TRAINING_JOBS_STARTED_METRIC = 'TrainingJobsStarted';
export const TUNING_JOBS_STARTED_METRIC = 'TuningJobsStarted';

/**
 * Emitted by the ledger compaction Lambda: ledger objects or day files it found corrupt and left as they
 * were (a damaged day file may be the only good copy); any is worth a look (and an alarm).
 */
export const LEDGER_FILES_DAMAGED_METRIC = 'FilesDamaged';

/**
 * Emitted by the training trigger when SageMaker refused a job for want of instance quota; the alarm on
 * it names the quota (an alarm notifies once per breach, not once per refused request).
 */
export const TRAINING_QUOTA_EXCEEDED_METRIC = 'TrainingQuotaExceeded';

/**
 * How the training job reports metrics to SageMaker: one line per value on stdout, which SageMaker
 * scans with the regexes below (the Training construct passes them as the job's metric definitions)
 * and charts in the console and CloudWatch (`/aws/sagemaker/TrainingJobs`).
 */
export const TRAINING_METRIC_NAMES = [
  'epoch',
  'train_loss',
  'validation_loss',
  'validation_ic',
  'validation_rank_ic',
  'validation_hit_rate',
  'objective_ic',
] as const;
export type TrainingMetricName = (typeof TRAINING_METRIC_NAMES)[number];

const MARKER = '[alpha15-metric]';
const NUMBER_PATTERN = '[-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?';

export interface MetricDefinition {
  Name: string;
  Regex: string;
}

/**
 * The objective of a SageMaker tuning job, the same as `alpha15 tune`'s: printed after every epoch (the
 * fold's validation IC, what early stopping watches) and once more at the end as the run's value (the
 * mean over walk-forward folds, or the validation IC of a single split). SageMaker takes the last one.
 */
export const TUNING_OBJECTIVE_METRIC: TrainingMetricName = 'objective_ic';

export const TRAINING_METRIC_DEFINITIONS: MetricDefinition[] = TRAINING_METRIC_NAMES.map((name) => ({
  Name: name,
  Regex: `\\[alpha15-metric\\] ${name}=(${NUMBER_PATTERN})`,
}));

/** The stdout line for one value; non-finite values are skipped (SageMaker cannot chart them). */
export function formatMetricLine(name: TrainingMetricName, value: number): string | undefined {
  return Number.isFinite(value) ? `${MARKER} ${name}=${value}` : undefined;
}

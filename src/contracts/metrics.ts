/**
 * Metric names shared by the processes that emit them and the constructs that chart and alarm on them.
 */

/** Emitted by the paper-tick Lambda once per completed tick; its absence over a window is a missed minute. */
export const TICK_COMPLETED_METRIC = 'TickCompleted';

/** Corrupt ledger objects a tick moved under paper/quarantine/; any is worth a look (and an alarm). */
export const LEDGER_QUARANTINE_METRIC = 'LedgerObjectsQuarantined';

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

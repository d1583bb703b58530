/**
 * Deployment settings read from CDK context (`cdk.json`, or `-c alpha15:<name>=<value>` on the command
 * line). Every size, schedule and instance type has its default here, so a bare `cdk deploy` stands up
 * the cheapest working system; context values arrive as strings from the command line, hence coercion.
 */
import type { Node } from 'constructs';
import { z } from 'zod';
import { DEFAULT_BINANCE_BASE_URL, DEFAULT_SYMBOLS } from '../src/config/defaults.js';
import { splitSymbolList, symbolSchema } from '../src/contracts/symbols.js';
import {
  RETRAIN_INTERVAL_HOURS,
  TRAINING_LOOKBACK_DAYS,
  TRAINING_MIN_DAYS,
} from '../src/contracts/retraining.js';
import { Alpha15Error } from '../src/errors.js';
import { trainingBaseImageSchema, trainingImageUriSchema } from './training-image.js';

export class InvalidDeploySettingError extends Alpha15Error {
  readonly code = 'INVALID_DEPLOY_SETTING';
}

const scheduleExpression = z
  .string()
  .regex(/^(rate|cron)\(.+\)$/, 'an EventBridge schedule, e.g. rate(5 minutes)');
const symbolList = z.preprocess(
  (value) => (typeof value === 'string' ? splitSymbolList(value) : value),
  z.array(symbolSchema).min(1),
);

export const deploySettingsSchema = z.object({
  /** Universe traded and ingested. */
  symbols: symbolList.default([...DEFAULT_SYMBOLS]),
  /** How often ingestion pulls the newest klines. */
  ingestSchedule: scheduleExpression.default('rate(5 minutes)'),
  /** Minutes of history every ingestion run re-requests, so short gaps left by a failed run are refilled. */
  ingestLookbackMinutes: z.coerce.number().int().min(5).max(1440).default(120),
  /** The paper-trading clock. */
  paperSchedule: scheduleExpression.default('rate(1 minute)'),
  paperMemoryMb: z.coerce.number().int().min(512).max(10240).default(2048),
  /**
   * Instance of the SageMaker training job. g4dn (NVIDIA T4, compute capability 7.5): the image's
   * tfjs-node-gpu links libtensorflow 2.9 built with CUDA 11.2, whose binaries carry native kernels up to
   * sm_75 and PTX only beyond. g5 (A10G, sm_86) would JIT-compile every kernel from PTX at each start, and
   * every spot restart is a fresh container with an empty cache: minutes lost per start.
   */
  trainingInstanceType: z
    .string()
    .regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/)
    .default('ml.g4dn.xlarge'),
  trainingVolumeGb: z.coerce.number().int().min(5).default(30),
  trainingMaxRuntimeHours: z.coerce.number().positive().default(4),
  /** Managed spot: how long SageMaker may wait for capacity plus run, at least the runtime. */
  trainingMaxWaitHours: z.coerce.number().positive().default(8),
  /** New curated data starts a retrain at most this often; a request object bypasses the interval. */
  retrainMinIntervalHours: z.coerce.number().min(0).default(RETRAIN_INTERVAL_HOURS),
  /** A retrain is refused while the lake holds fewer days than this within the lookback. */
  trainingMinDays: z.coerce.number().nonnegative().default(TRAINING_MIN_DAYS),
  /** Days of training history the job reads from the lake. */
  trainingLookbackDays: z.coerce.number().int().positive().default(TRAINING_LOOKBACK_DAYS),
  /** Training jobs a SageMaker tuning job may run in total, and at once. */
  tuningMaxJobs: z.coerce.number().int().min(1).max(500).default(20),
  tuningMaxParallelJobs: z.coerce.number().int().min(1).max(100).default(2),
  /** The newest days of the training lookback a tuning job never sees (its honest test period). */
  tuningHoldoutDays: z.coerce.number().int().positive().default(14),
  /** Walk-forward folds of every tuning trial: its objective is the mean validation IC over them. */
  tuningWalkForwardFolds: z.coerce.number().int().min(1).default(3),
  /** A prebuilt training image (ECR URI with a tag or digest); empty builds training-container/Dockerfile. */
  trainingImageUri: trainingImageUriSchema.default(''),
  /** The base training-container/Dockerfile builds on, pinned by digest (a mirror in ECR); empty: the Dockerfile's. */
  trainingBaseImage: trainingBaseImageSchema.default(''),
  openSearchInstanceType: z
    .string()
    .regex(/^[a-z0-9]+\.[a-z0-9]+\.search$/)
    .default('t3.small.search'),
  openSearchVolumeGb: z.coerce.number().int().min(10).default(10),
  /** Raw downloads move to infrequent access after 30 days and expire after this many. */
  rawRetentionDays: z.coerce.number().int().min(31).default(365),
  /**
   * Binance REST base URL of ingestion and paper trading: the market-data-only endpoint, which also
   * serves US regions (api.binance.com answers HTTP 451 there). Tests point it at the replay server.
   */
  binanceBaseUrl: z.string().url().default(DEFAULT_BINANCE_BASE_URL),
  /**
   * (symbol, month) items the backfill state machine runs at once, each one Lambda execution. New
   * accounts often have 10 concurrent executions in all: 3 leaves one each for the seven other functions
   * that can run meanwhile (the every-minute tick first), so a backfill never throttles the tick. Raise it
   * with the account's "Concurrent executions" quota (docs/aws.md).
   */
  backfillConcurrency: z.coerce.number().int().min(1).max(1000).default(3),
  /** The archive site the backfill downloads monthly zips and their .CHECKSUM files from. */
  archiveBaseUrl: z.string().url().default('https://data.binance.vision'),
  /** Athena cancels a query of the alpha15 workgroup that would scan more than this (MB, Athena's minimum is 10). */
  athenaScanLimitMb: z.coerce.number().int().min(10).default(1024),
  /**
   * How Athena finds a symbol's kline partitions: `enum` over the deploy universe (a query may omit the
   * symbol), or `injected` (any symbol the lake holds, but every query must name it in WHERE).
   */
  klinesSymbolProjection: z.enum(['enum', 'injected']).default('enum'),
  /** When the paper ledger's finished days are compacted into Parquet (UTC). */
  ledgerCompactionSchedule: scheduleExpression.default('cron(30 0 * * ? *)'),
  /**
   * Break-glass OpenSearch administrator: an existing IAM role (ARN) that the domain's policy admits and
   * the setup maps onto `all_access`, for a person to repair the cluster with signed requests. Empty:
   * only the setup function administers the domain.
   */
  openSearchAdminRoleArn: z
    .string()
    .regex(
      /^(arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+)?$/,
      'an IAM role ARN, arn:aws:iam::<account>:role/<name>',
    )
    .default(''),
  /** Where alarm notifications go; empty creates the topic without a subscription. */
  alarmEmail: z.string().default(''),
  /**
   * Reserve one concurrent execution for each scheduled or event-driven function. Off by default: Lambda
   * keeps at least 10 unreserved executions per account and new accounts often have only 10, so any
   * reservation makes the first deploy fail ("UnreservedConcurrentExecution below its minimum value").
   * Correctness does not depend on it (conditional ledger writes, one job name per minute).
   */
  reservedConcurrency: z
    .preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean())
    .default(false),
  /** `destroy` lets `cdk destroy` remove the bucket and domain with their data (for test accounts). */
  removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
});

export type DeploySettings = z.infer<typeof deploySettingsSchema>;

export const CONTEXT_PREFIX = 'alpha15:';

export function readDeploySettings(node: Node): DeploySettings {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(deploySettingsSchema.shape)) {
    const value = node.tryGetContext(`${CONTEXT_PREFIX}${key}`);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = deploySettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidDeploySettingError(
      `invalid CDK context ${CONTEXT_PREFIX}${issue.path.join('.')}: ${issue.message}`,
      `fix it in cdk.json or pass -c ${CONTEXT_PREFIX}${issue.path.join('.')}=<value>`,
    );
  }
  return parsed.data;
}

/**
 * The whole system as one deployable stack: the data lake, ingestion, retraining, promotion, paper
 * trading and observability, wired together by typed properties.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { acknowledgeFindings, BASIC_EXECUTION_ROLE_FINDING } from './nag.js';
import type { Construct } from 'constructs';
import { BUCKET_PREFIXES } from '../src/contracts/keys.js';
import { Backfill } from './backfill.js';
import { Catalog } from './catalog.js';
import { DataLake } from './data-lake.js';
import { LedgerCompaction } from './ledger-compaction.js';
import { Ingestion } from './ingestion.js';
import { Observability } from './observability.js';
import { PaperTrading } from './paper-trading.js';
import { METRICS_NAMESPACE, TICK_COMPLETED_METRIC } from '../src/contracts/metrics.js';
import { Promotion } from './promotion.js';
import { RunsIndexing } from './runs-indexing.js';
import type { DeploySettings } from './settings.js';
import { Training } from './training.js';
import { trainingImage } from './training-image.js';
import { Tuning } from './tuning.js';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { JobSpec, TrainingImage } from './sagemaker-job-trigger.js';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

export interface Alpha15StackProps extends StackProps {
  settings: DeploySettings;
  /** Index prefix of the telemetry in OpenSearch (the config's telemetry.indexPrefix). */
  indexPrefix?: string;
}

export class Alpha15Stack extends Stack {
  readonly lake: DataLake;
  readonly ingestion: Ingestion;
  readonly training: Training;
  readonly tuning: Tuning;
  readonly promotion: Promotion;
  readonly paperTrading: PaperTrading;
  readonly observability: Observability;
  readonly catalog: Catalog;
  readonly backfill: Backfill;
  readonly ledgerCompaction: LedgerCompaction;
  readonly runsIndexing: RunsIndexing;

  constructor(scope: Construct, id: string, props: Alpha15StackProps) {
    super(scope, id, props);
    const { settings } = props;
    const removalPolicy = settings.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.lake = new DataLake(this, 'DataLake', {
      rawRetentionDays: settings.rawRetentionDays,
      removalPolicy,
    });
    const bucket = this.lake.bucket;

    this.observability = new Observability(this, 'Observability', {
      instanceType: settings.openSearchInstanceType,
      volumeSizeGb: settings.openSearchVolumeGb,
      indexPrefix: props.indexPrefix ?? 'alpha15',
      alarmEmail: settings.alarmEmail || undefined,
      adminRoleArn: settings.openSearchAdminRoleArn || undefined,
      removalPolicy,
    });

    this.ingestion = new Ingestion(this, 'Ingestion', {
      bucket,
      symbols: settings.symbols,
      schedule: events.Schedule.expression(settings.ingestSchedule),
      lookbackMinutes: settings.ingestLookbackMinutes,
      binanceBaseUrl: settings.binanceBaseUrl,
      reserveConcurrency: settings.reservedConcurrency,
    });

    const job = jobSpec(
      settings,
      bucket,
      trainingImage(this, {
        imageUri: settings.trainingImageUri,
        baseImage: settings.trainingBaseImage,
      }),
    );
    this.training = new Training(this, 'Training', {
      ...job,
      retrainMinInterval: Duration.hours(settings.retrainMinIntervalHours),
      minDays: settings.trainingMinDays,
      reserveConcurrency: settings.reservedConcurrency,
      alarmTopic: this.observability.alarmTopic,
    });
    this.tuning = new Tuning(this, 'Tuning', {
      ...job,
      jobRole: this.training.jobRole,
      holdoutDays: settings.tuningHoldoutDays,
      maxJobs: settings.tuningMaxJobs,
      maxParallelJobs: settings.tuningMaxParallelJobs,
      walkForwardFolds: settings.tuningWalkForwardFolds,
      alarmTopic: this.observability.alarmTopic,
    });

    this.promotion = new Promotion(this, 'Promotion', {
      bucket,
      reserveConcurrency: settings.reservedConcurrency,
    });

    this.paperTrading = new PaperTrading(this, 'PaperTrading', {
      bucket,
      symbols: settings.symbols,
      schedule: events.Schedule.expression(settings.paperSchedule),
      memorySizeMb: settings.paperMemoryMb,
      binanceBaseUrl: settings.binanceBaseUrl,
      telemetry: { domain: this.observability.domain, indexPrefix: this.observability.indexPrefix },
      reserveConcurrency: settings.reservedConcurrency,
    });
    this.observability.grantWrite(this.paperTrading.handler);

    // the run records the jobs and trials write into the bucket reach the studies dashboard
    this.runsIndexing = new RunsIndexing(this, 'RunsIndexing', {
      bucket,
      telemetry: { domain: this.observability.domain, indexPrefix: this.observability.indexPrefix },
    });
    this.observability.grantWrite(this.runsIndexing.handler);

    this.catalog = new Catalog(this, 'Catalog', {
      bucket,
      symbols: settings.symbols,
      symbolProjection: settings.klinesSymbolProjection,
      scanLimitMb: settings.athenaScanLimitMb,
      removalPolicy,
    });
    this.backfill = new Backfill(this, 'Backfill', {
      bucket,
      maxConcurrency: settings.backfillConcurrency,
      archiveBaseUrl: settings.archiveBaseUrl,
    });
    this.ledgerCompaction = new LedgerCompaction(this, 'LedgerCompaction', {
      bucket,
      schedule: events.Schedule.expression(settings.ledgerCompactionSchedule),
      reserveConcurrency: settings.reservedConcurrency,
    });

    this.addMonitoring();
    this.addOutputs();
  }

  /** Every function on the dashboard, every alarm to the topic, and the stack's own metrics charted. */
  private addMonitoring(): void {
    const monitored = [
      { title: 'Paper tick', handler: this.paperTrading.handler },
      { title: 'Ingestion', handler: this.ingestion.handler },
      { title: 'Training trigger', handler: this.training.trigger },
      { title: 'Tuning trigger', handler: this.tuning.trigger },
      { title: 'Promotion', handler: this.promotion.handler },
      { title: 'Backfill items', handler: this.backfill.handler },
      { title: 'Ledger compaction', handler: this.ledgerCompaction.handler },
      { title: 'Runs indexer', handler: this.runsIndexing.handler },
    ];
    this.observability.monitor({
      functions: monitored,
      alarms: [
        ...this.paperTrading.alarms,
        ...this.backfill.alarms,
        this.training.quotaAlarm,
        this.ledgerCompaction.damagedFilesAlarm,
        ...monitored.flatMap(({ handler }) => (handler.failureAlarm ? [handler.failureAlarm] : [])),
        ...this.functionErrorAlarms(),
      ],
      metrics: [
        {
          title: 'Paper ticks completed per minute',
          metric: new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: TICK_COMPLETED_METRIC,
            dimensionsMap: { service: 'paper-tick' },
            statistic: 'Sum',
            period: Duration.minutes(1),
          }),
        },
        { title: 'Training jobs failed or stopped', metric: this.training.jobsFailedMetric },
      ],
    });
  }

  /** Error counts of single functions beside their failure queues: ingestion's three failed runs, the others' first error. */
  private functionErrorAlarms(): cloudwatch.Alarm[] {
    return [
      errorAlarm(
        this.ingestion,
        'IngestionErrorsAlarm',
        this.ingestion.handler.function,
        'alpha15 ingestion failed 3 runs in a row',
        3,
      ),
      errorAlarm(
        this.training,
        'TriggerErrorsAlarm',
        this.training.trigger.function,
        'alpha15 training trigger failed',
        1,
      ),
      errorAlarm(
        this.promotion,
        'PromotionErrorsAlarm',
        this.promotion.handler.function,
        'alpha15 promotion failed',
        1,
      ),
      errorAlarm(
        this.ledgerCompaction,
        'CompactionErrorsAlarm',
        this.ledgerCompaction.handler.function,
        'alpha15 ledger compaction failed',
        1,
      ),
    ];
  }

  /** What an operator (docs/aws.md) and the LocalStack suite look up after a deploy. */
  private addOutputs(): void {
    const outputs: Record<string, { value: string; description: string }> = {
      BucketName: {
        value: this.lake.bucket.bucketName,
        description: 'The lake, models, champion pointer and paper ledger',
      },
      TuningRequestPrefix: {
        value: `s3://${this.lake.bucket.bucketName}/${BUCKET_PREFIXES.tuningRequests}`,
        description: 'Put an object here (optionally a JSON tuning request) to start a SageMaker tuning job',
      },
      TrainingRequestPrefix: {
        value: `s3://${this.lake.bucket.bucketName}/${BUCKET_PREFIXES.trainingRequests}`,
        description: 'Put any object here to start a retrain now',
      },
      IngestFunctionName: {
        value: this.ingestion.handler.function.functionName,
        description: 'The ingestion Lambda',
      },
      PaperTickFunctionName: {
        value: this.paperTrading.handler.function.functionName,
        description: 'The paper-trading Lambda',
      },
      OpenSearchDashboardsUrl: {
        value: `https://${this.observability.domain.domainEndpoint}/_dashboards`,
        description: 'OpenSearch Dashboards (sign in as a user of DashboardsUserPoolId)',
      },
      OpenSearchUrl: {
        value: `https://${this.observability.domain.domainEndpoint}`,
        description: 'The domain; it serves only SigV4-signed requests of the roles its policy names',
      },
      OpenSearchOperatorRoleArn: {
        value: this.observability.operatorRole.roleArn,
        description: 'Assume it to run alpha15 reindex / runs reindex against OpenSearchUrl (docs/aws.md)',
      },
      DashboardsUserPoolId: {
        value: this.observability.dashboardsAuth.userPool.userPoolId,
        description:
          'Cognito user pool of the Dashboards users: aws cognito-idp admin-create-user (docs/aws.md)',
      },
      CloudWatchDashboardUrl: {
        value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${this.observability.dashboard.dashboardName}`,
        description: 'Lambda health, alarms and OpenSearch storage',
      },
      BackfillStateMachineArn: {
        value: this.backfill.stateMachine.stateMachineArn,
        description: 'alpha15 backfill --state-machine <this> starts a backfill on it',
      },
      AthenaWorkGroup: {
        value: this.catalog.workGroup.ref,
        description: 'Athena workgroup: encrypted results in the bucket, per-query scan limit',
      },
      GlueDatabase: {
        value: this.catalog.databaseName,
        description: 'Glue database of the klines, trades and decisions tables',
      },
      AlarmTopicArn: {
        value: this.observability.alarmTopic.topicArn,
        description: 'Every alarm notifies this SNS topic',
      },
    };
    for (const [id, output] of Object.entries(outputs)) new CfnOutput(this, id, output);
  }
}

/** What every SageMaker job of the stack shares, training and tuning alike: image, universe, instance, limits, lookback. */
function jobSpec(settings: DeploySettings, bucket: s3.IBucket, image: TrainingImage): JobSpec {
  return {
    bucket,
    image,
    symbols: settings.symbols,
    instanceType: settings.trainingInstanceType,
    volumeSizeGb: settings.trainingVolumeGb,
    maxRuntime: Duration.hours(settings.trainingMaxRuntimeHours),
    maxWait: Duration.hours(Math.max(settings.trainingMaxWaitHours, settings.trainingMaxRuntimeHours)),
    lookbackDays: settings.trainingLookbackDays,
  };
}

function errorAlarm(
  scope: Construct,
  id: string,
  fn: import('aws-cdk-lib/aws-lambda').IFunction,
  description: string,
  failures: number,
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: fn.metricErrors({ period: Duration.minutes(15), statistic: 'Sum' }),
    threshold: failures,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/**
 * Acknowledgments for what aws-cdk-lib adds on its own: functions pinned to our runtime, and the
 * framework singletons (bucket notifications, the AwsCustomResource that sets the OpenSearch access
 * policy) whose roles and runtimes the library chooses.
 */
export function acknowledgeStackFindings(stack: Stack): void {
  acknowledgeFindings(stack, [
    {
      id: 'AwsSolutions-L1',
      reason:
        'Functions pin nodejs22.x on purpose: it is the runtime the project tests and bundles for (esbuild target node22).',
    },
  ]);
  const frameworkSingletons = stack.node.children.filter((child) =>
    FRAMEWORK_SINGLETON_IDS.some((prefix) => child.node.id.startsWith(prefix)),
  );
  for (const singleton of frameworkSingletons) {
    acknowledgeFindings(singleton, [
      {
        id: BASIC_EXECUTION_ROLE_FINDING,
        reason: 'aws-cdk-lib builds this framework function with the AWS basic execution role.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'aws-cdk-lib scopes this framework function (bucket notifications / SDK custom resource) itself.',
      },
    ]);
  }
}

/** Construct ids of aws-cdk-lib's stack-level singletons. */
const FRAMEWORK_SINGLETON_IDS = ['BucketNotificationsHandler', 'AWS679f53fac002430cb0da5b7982bd2287'];

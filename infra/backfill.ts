/**
 * Backfill on AWS's own engines: a Step Functions state machine whose Distributed Map runs one Lambda
 * per (symbol, month) item (download the archive site's monthly zip, verify its checksum, ingest it
 * through the same core as `alpha15 ingest`), with bounded concurrency, retries with backoff on Lambda
 * throttling and on archive downloads that kept failing (the Lambda already retried 429 and 5xx itself),
 * and every item's outcome, failures included, written to a result file in the bucket instead of failing
 * the run. A closing task settles the watermarks that parallel months of one symbol share.
 * `alpha15 backfill` starts it (src/app/backfill-execution.ts finds it by name).
 */
import { Duration, RemovalPolicy, Stack, type CfnElement } from 'aws-cdk-lib';
import { STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2 } from 'aws-cdk-lib/cx-api';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { backfillStateMachineName } from '../src/contracts/backfill.js';
import { Alpha15Function } from './alpha15-function.js';
import { BUCKET_PREFIXES } from '../src/contracts/keys.js';
import { grantIngestWrites } from './ingestion.js';
import { acknowledgeFindings, arnFindingToken, findingArn } from './nag.js';
import { acknowledgeObjectPatterns } from './bucket-grants.js';
import { functionEnvironment } from '../src/contracts/function-env.js';

export interface BackfillProps {
  bucket: s3.IBucket;
  /** Items (Lambdas) in flight at once. */
  maxConcurrency: number;
  archiveBaseUrl: string;
  removalPolicy?: RemovalPolicy;
}

/** Lambda invocation errors worth another try: throttling and transient service faults. */
const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
];

/**
 * The Map's result writer with its grant narrowed to the results prefix: aws-cdk-lib's own grants
 * PutObject on every object of the bucket, which would let the state machine replace the champion
 * pointer. Step Functions writes `<prefix><map run id>/manifest.json` and the result files below it.
 */
export class PrefixResultWriter extends sfn.ResultWriterV2 {
  constructor(props: { bucket: s3.IBucket; prefix: string }) {
    super(props);
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.bucket!.arnForObjects(`${this.prefix}*`)],
      }),
    ];
  }
}

export class Backfill extends Construct {
  readonly handler: Alpha15Function;
  readonly stateMachine: sfn.StateMachine;
  readonly map: sfn.DistributedMap;
  /** A failed item (its Lambda failed, retried or not) and a failed, timed-out or aborted execution. */
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: BackfillProps) {
    super(scope, id);
    // without this flag aws-cdk-lib drops resultWriterV2 silently (and the V1 writer is deprecated)
    this.node.setContext(STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2, true);
    this.handler = new Alpha15Function(this, 'Item', {
      handler: 'backfill',
      description: "Backfills one (symbol, month) from the archive site's monthly zip into the lake",
      // a month is one ~2-3 MB zip and 44,640 candles; downloads retry with backoff up to 4 times
      timeout: Duration.minutes(5),
      memorySize: 1024,
      environment: functionEnvironment({
        storeUrl: `s3://${props.bucket.bucketName}`,
        archiveBaseUrl: props.archiveBaseUrl,
      }),
      removalPolicy: props.removalPolicy,
    });
    grantIngestWrites(
      props.bucket,
      this.handler.role,
      'A backfill item merges one month into the partitions and watermarks under the lake prefix and keeps the zip under raw.',
    );
    this.map = new sfn.DistributedMap(this, 'Months', {
      label: 'BackfillMonths',
      itemsPath: sfn.JsonPath.stringAt('$.items'),
      maxConcurrency: props.maxConcurrency,
      // a missing or corrupt month must not stop the others: every failure lands in the result file
      toleratedFailurePercentage: 100,
      resultWriterV2: new PrefixResultWriter({
        bucket: props.bucket,
        prefix: BUCKET_PREFIXES.backfillResults,
      }),
      resultPath: '$.map',
    });
    this.map.itemProcessor(ingestMonthTask(this));
    const settle = new tasks.LambdaInvoke(this, 'SettleWatermarks', {
      lambdaFunction: this.handler.function,
      payload: sfn.TaskInput.fromObject({ settle: sfn.JsonPath.listAt('$.symbols') }),
      payloadResponseOnly: true,
      resultPath: '$.settled',
      retryOnServiceExceptions: true,
    });
    this.stateMachine = backfillStateMachine(this, this.map.next(settle), props.removalPolicy);
    this.alarms = backfillAlarms(this);
    acknowledgeStateMachineFindings(this, props.bucket);
  }
}

/**
 * One item of the Map: the item function on one (symbol, month), retried on Lambda throttling and on
 * archive downloads that kept failing.
 */
function ingestMonthTask(scope: Backfill): tasks.LambdaInvoke {
  const ingestMonth = new tasks.LambdaInvoke(scope, 'IngestMonth', {
    lambdaFunction: scope.handler.function,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  });
  ingestMonth.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    jitterStrategy: sfn.JitterType.FULL,
  });
  // the site kept answering 429/5xx through the Lambda's own retries: back off harder, then give up on the item
  ingestMonth.addRetry({
    errors: ['ArchiveDownloadError'],
    interval: Duration.seconds(30),
    backoffRate: 2,
    maxAttempts: 3,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return ingestMonth;
}

/** The state machine `alpha15 backfill` finds by name, logging to a log group of its own. */
function backfillStateMachine(
  scope: Backfill,
  definition: sfn.IChainable,
  removalPolicy: RemovalPolicy | undefined,
): sfn.StateMachine {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: removalPolicy ?? RemovalPolicy.DESTROY,
  });
  return new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineName: backfillStateMachineName(Stack.of(scope).stackName),
    comment: 'alpha15 backfill: one Lambda per (symbol, month), results in the bucket',
    definitionBody: sfn.DefinitionBody.fromChainable(definition),
    timeout: Duration.hours(24),
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
  });
}

/** The Map tolerates every item failure, so the execution succeeds: only these tell anyone. */
function backfillAlarms(scope: Backfill): cloudwatch.Alarm[] {
  return [
    new cloudwatch.Alarm(scope, 'ItemErrorsAlarm', {
      alarmDescription: `alpha15 backfill items failed: their errors are in s3://<BucketName>/${BUCKET_PREFIXES.backfillResults}<run>/FAILED_*.json`,
      metric: scope.handler.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    new cloudwatch.Alarm(scope, 'ExecutionsFailedAlarm', {
      alarmDescription: 'alpha15 backfill execution failed, timed out or was aborted',
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: scope.stateMachine.metricFailed(),
          timedOut: scope.stateMachine.metricTimedOut(),
          aborted: scope.stateMachine.metricAborted(),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  ];
}

/** The grants aws-cdk-lib gives the state machine that no narrower resource can express. */
function acknowledgeStateMachineFindings(scope: Backfill, bucket: s3.IBucket): void {
  const stack = Stack.of(scope);
  const machineName = JSON.stringify({
    'Fn::Select': [
      6,
      {
        'Fn::Split': [':', { Ref: stack.getLogicalId(scope.stateMachine.node.defaultChild as CfnElement) }],
      },
    ],
  });
  const mapRunReason =
    'A Distributed Map starts and stops its own child executions and map runs; aws-cdk-lib scopes the grant to the executions of this state machine.';
  acknowledgeFindings(scope.stateMachine, [
    {
      id: `AwsSolutions-IAM5[Resource::${findingArn(scope, 'states', `execution:${machineName}:*`)}]`,
      reason: mapRunReason,
    },
    {
      id: `AwsSolutions-IAM5[Resource::${findingArn(scope, 'states', `execution:${machineName}/BackfillMonths:*`)}]`,
      reason: mapRunReason,
    },
    {
      id: `AwsSolutions-IAM5[Resource::${arnFindingToken(scope.handler.function)}:*]`,
      reason:
        'Step Functions may invoke any version of the item function, which aws-cdk-lib grants as <function arn>:*.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray trace segments and CloudWatch Logs log delivery have no resource-level permissions.',
    },
  ]);
  acknowledgeObjectPatterns(
    scope.stateMachine,
    bucket,
    [`${BUCKET_PREFIXES.backfillResults}*`],
    "The Map's result writer names each run's files by its map run id, under the results prefix only.",
  );
}

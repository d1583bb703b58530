/**
 * Daily ledger compaction: a scheduled Lambda rolls every finished UTC day of the paper ledger into the
 * Parquet partitions of the trades and decisions tables (src/app/compact-ledger.ts). It reads the
 * ledger and writes only under the compacted prefix; the JSON ledger stays the source of truth. A run
 * that finds a damaged file raises an alarm.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Alpha15Function } from './alpha15-function.js';
import { countAlarm } from './count-alarm.js';
import { BUCKET_PREFIXES } from '../src/contracts/keys.js';
import { LEDGER_FILES_DAMAGED_METRIC } from '../src/contracts/metrics.js';
import { grantBucketAccess } from './bucket-grants.js';
import { functionEnvironment } from '../src/contracts/function-env.js';

export interface LedgerCompactionProps {
  bucket: s3.IBucket;
  schedule: events.Schedule;
  /** Reserve one execution (the `reservedConcurrency` setting); see Alpha15FunctionProps. */
  reserveConcurrency?: boolean;
  removalPolicy?: RemovalPolicy;
}

export class LedgerCompaction extends Construct {
  readonly handler: Alpha15Function;
  readonly rule: events.Rule;
  /** A run found corrupt ledger objects or a damaged day file (its log names them): nothing repairs them by itself. */
  readonly damagedFilesAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: LedgerCompactionProps) {
    super(scope, id);
    this.handler = new Alpha15Function(this, 'Compact', {
      handler: 'ledger-compaction',
      description: 'Compacts finished days of the paper ledger into Parquet for Athena',
      // a day is ~1,440 decisions and their trades; a backlog of days continues on the next run's range
      timeout: Duration.minutes(10),
      memorySize: 1024,
      // without the reservation two overlapping runs build the same files; the later finds them unchanged
      reservedConcurrentExecutions: props.reserveConcurrency ? 1 : undefined,
      environment: functionEnvironment({ storeUrl: `s3://${props.bucket.bucketName}` }),
      // a failed run's days are the next run's range; the failure is still kept and alarmed on
      asyncInvocation: {
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        failedEvent: 'a scheduled ledger compaction run',
      },
      removalPolicy: props.removalPolicy,
    });
    grantBucketAccess(
      props.bucket,
      this.handler.role,
      { read: [`${BUCKET_PREFIXES.paper}*`], write: [`${BUCKET_PREFIXES.paperCurated}*`] },
      'Compaction reads the ledger under the paper prefix and writes only the compacted days below it.',
    );
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'alpha15 ledger compaction clock',
      schedule: props.schedule,
      targets: [
        new targets.LambdaFunction(this.handler.function, {
          retryAttempts: 2,
          deadLetterQueue: this.handler.failureQueue,
        }),
      ],
    });
    this.damagedFilesAlarm = countAlarm(this, 'FilesDamagedAlarm', {
      description:
        "alpha15 ledger compaction found damaged files and left them as they were (the compaction log's 'ledger compaction found damage' names them)",
      metricName: LEDGER_FILES_DAMAGED_METRIC,
      service: 'ledger-compaction',
      period: Duration.hours(1),
    });
  }
}

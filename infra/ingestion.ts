/**
 * Scheduled ingestion: every few minutes a Lambda asks Binance for the last `lookbackMinutes` of 1m
 * klines of every symbol and merges them into the lake. Re-requesting a window longer than the schedule
 * backfills the gap a failed or throttled run left; the merge is idempotent, so overlap costs nothing.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Alpha15Function } from './alpha15-function.js';
import { BUCKET_PREFIXES, WATERMARKS_PREFIX } from '../src/contracts/keys.js';
import { grantBucketAccess } from './bucket-grants.js';
import { functionEnvironment } from '../src/contracts/function-env.js';

export interface IngestionProps {
  bucket: s3.IBucket;
  symbols: readonly string[];
  schedule: events.Schedule;
  lookbackMinutes: number;
  binanceBaseUrl: string;
  /** Reserve one execution (the `reservedConcurrency` setting); see Alpha15FunctionProps. */
  reserveConcurrency?: boolean;
  removalPolicy?: RemovalPolicy;
}

export class Ingestion extends Construct {
  readonly handler: Alpha15Function;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    this.handler = new Alpha15Function(this, 'Ingest', {
      handler: 'ingest',
      description: 'Pulls the newest 1m klines of every symbol from Binance into the lake',
      timeout: Duration.minutes(4),
      memorySize: 1024,
      // Without the reservation two runs overlap only when one outlives the schedule period (the
      // timeout is shorter) or is retried; both then merge the same candles, and the merge is idempotent.
      reservedConcurrentExecutions: props.reserveConcurrency ? 1 : undefined,
      environment: functionEnvironment({
        storeUrl: `s3://${props.bucket.bucketName}`,
        symbols: props.symbols.join(','),
        lookbackMinutes: props.lookbackMinutes,
        // the config's own variable, read through loadConfig like the paper tick and the CLI
        binanceBaseUrl: props.binanceBaseUrl,
      }),
      // a retried run would only repeat the next run's work; a failed run is still kept and alarmed on
      asyncInvocation: {
        retryAttempts: 0,
        maxEventAge: Duration.minutes(10),
        failedEvent: 'a scheduled ingestion run',
      },
      removalPolicy: props.removalPolicy,
    });
    grantIngestWrites(
      props.bucket,
      this.handler.role,
      'Ingestion merges into partitions keyed by symbol and month under the lake and raw prefixes only.',
    );
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'alpha15 ingestion clock',
      schedule: props.schedule,
      // a retried run would only repeat the next run's work; an undeliverable event joins the failures
      targets: [
        new targets.LambdaFunction(this.handler.function, {
          retryAttempts: 0,
          deadLetterQueue: this.handler.failureQueue,
        }),
      ],
    });
  }
}

/**
 * What the ingest core touches, for every function that runs it: it merges partitions and watermarks
 * and keeps archives, and deletes only a watermark whose partitions are all gone (src/lake/watermark.ts).
 */
export function grantIngestWrites(bucket: s3.IBucket, role: iam.IRole, reason: string): void {
  const lake = [`${BUCKET_PREFIXES.curated}*`, `${BUCKET_PREFIXES.raw}*`];
  // one retrain request per run, after all its partitions
  const requests = [`${BUCKET_PREFIXES.newDataRequests}*`];
  grantBucketAccess(
    bucket,
    role,
    { read: lake, write: [...lake, ...requests], delete: [`${WATERMARKS_PREFIX}*`] },
    reason,
  );
}

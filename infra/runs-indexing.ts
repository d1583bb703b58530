/**
 * Run records into OpenSearch as they are written. Every train, tune trial, simulation and backtest
 * writes one object under `runs/` (src/runs/); in AWS the training jobs and tuning trials write them
 * into the bucket. The bucket's "Object Created" events under that prefix invoke a small Lambda that reads
 * the record, validates it and indexes it into `<prefix>-runs` (the "alpha15 studies" dashboard) with
 * the run id as document id, so a redelivered event changes nothing. It reads `runs/` and nothing else
 * of the bucket; the stack grants its OpenSearch write (Observability.grantWrite). An event it failed on
 * is retried twice, then kept in its failure queue (alarmed); `alpha15 runs reindex` resends every record.
 */
import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BUCKET_PREFIXES } from '../src/contracts/keys.js';
import { Alpha15Function } from './alpha15-function.js';
import { grantBucketAccess } from './bucket-grants.js';
import { objectCreatedRule } from './object-created-rule.js';
import { functionEnvironment } from '../src/contracts/function-env.js';

export interface RunsIndexingProps {
  bucket: s3.IBucket;
  /** The domain and index prefix the runs go to. */
  telemetry: { domain: opensearch.IDomain; indexPrefix: string };
}

export class RunsIndexing extends Construct {
  readonly handler: Alpha15Function;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: RunsIndexingProps) {
    super(scope, id);
    this.handler = new Alpha15Function(this, 'Indexer', {
      handler: 'runs-indexer',
      description: 'Indexes each run record written under runs/ into OpenSearch (the studies dashboard)',
      timeout: Duration.seconds(60),
      memorySize: 256,
      environment: functionEnvironment({
        storeUrl: `s3://${props.bucket.bucketName}`,
        opensearchUrl: `https://${props.telemetry.domain.domainEndpoint}`,
        indexPrefix: props.telemetry.indexPrefix,
      }),
      // a record indexed late is still right (its document carries its own time): retry for hours
      asyncInvocation: {
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        failedEvent: 'a run record (not indexed into OpenSearch)',
      },
    });
    grantBucketAccess(
      props.bucket,
      this.handler.role,
      { read: [`${BUCKET_PREFIXES.runs}*`] },
      'The indexer reads the run records, one object per run named by its id; nothing else of the bucket.',
    );
    this.rule = objectCreatedRule(this, 'RunRecordWritten', {
      bucket: props.bucket,
      prefixes: [BUCKET_PREFIXES.runs],
      handler: this.handler,
      description: 'alpha15: a run record written under runs/ is indexed into OpenSearch',
    });
  }
}

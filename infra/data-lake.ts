/**
 * The bucket everything lives in: the columnar lake, raw downloads, models and the champion pointer,
 * training requests, SageMaker checkpoints and the paper-trading ledger. Object-created events go to
 * EventBridge, where the Training construct listens for new curated data and training requests.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgeFindings } from './nag.js';
import { Construct } from 'constructs';
import { BUCKET_PREFIXES, MODEL_ID_IAM_GLOB, MODELS_PREFIX } from '../src/contracts/keys.js';

export interface DataLakeProps {
  /** Raw downloads expire after this many days (they can be fetched again from Binance). */
  rawRetentionDays: number;
  /** Spot checkpoints are only useful while a job runs; kept this long for post-mortems. */
  checkpointRetentionDays?: number;
  removalPolicy: RemovalPolicy;
}

export class DataLake extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    const autoDeleteObjects = props.removalPolicy === RemovalPolicy.DESTROY;
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects,
    });
    acknowledgeFindings(this.accessLogs, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it into itself would loop.' },
    ]);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      eventBridgeEnabled: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'lake/',
      removalPolicy: props.removalPolicy,
      autoDeleteObjects,
      lifecycleRules: [
        {
          id: 'raw-to-infrequent-access-then-expire',
          prefix: BUCKET_PREFIXES.raw,
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
          ],
          expiration: Duration.days(props.rawRetentionDays),
        },
        {
          id: 'expire-spot-checkpoints',
          prefix: BUCKET_PREFIXES.checkpoints,
          expiration: Duration.days(props.checkpointRetentionDays ?? 14),
        },
        {
          // Partitions are rewritten on every ingest merge; old versions only guard against a bad write.
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    // Model directories are write-once for everyone, whatever a role's own policy says: a write into
    // models/<id>/ must be a conditional create (If-None-Match), so no one replaces a model's weights.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ModelDirectoriesAreWriteOnce',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${MODELS_PREFIX}${MODEL_ID_IAM_GLOB}/*`)],
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
  }
}

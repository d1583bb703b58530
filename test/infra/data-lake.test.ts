import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BUCKET_PREFIXES } from '../../src/contracts/keys.js';
import { CURATED_KLINES_PREFIX, RAW_KLINES_PREFIX, WATERMARKS_PREFIX } from '../../src/lake/layout.js';
import { MODELS_PREFIX } from '../../src/model/artifacts.js';
import { LEDGER_PREFIX } from '../../src/paper/ledger.js';
import { constructStack } from './support.js';

const { stack } = constructStack();
const template = Template.fromStack(stack);

test('the lake bucket is encrypted, versioned, private, and sends its events to EventBridge', () => {
  template.hasResourceProperties('AWS::S3::Bucket', {
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
    VersioningConfiguration: { Status: 'Enabled' },
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
    LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'lake/' }),
  });
  // aws-cdk-lib turns on EventBridge delivery through its bucket-notifications custom resource
  template.hasResourceProperties('Custom::S3BucketNotifications', {
    BucketName: { Ref: Match.stringLikeRegexp('^DataLakeBucket') },
    NotificationConfiguration: { EventBridgeConfiguration: {} },
  });
});

test('every request without TLS is denied by the bucket policy', () => {
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    },
  });
});

test('raw downloads move to infrequent access after 30 days and expire; checkpoints expire; old versions expire', () => {
  template.hasResourceProperties('AWS::S3::Bucket', {
    LifecycleConfiguration: {
      Rules: Match.arrayWith([
        Match.objectLike({
          Prefix: 'raw/',
          ExpirationInDays: 365,
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
        }),
        Match.objectLike({ Prefix: BUCKET_PREFIXES.checkpoints, ExpirationInDays: 14 }),
        Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 7 } }),
      ]),
    },
  });
});

test('the bucket prefixes IAM and rules use are the prefixes the core writes', () => {
  assert.ok(RAW_KLINES_PREFIX.startsWith(BUCKET_PREFIXES.raw));
  assert.ok(CURATED_KLINES_PREFIX.startsWith(BUCKET_PREFIXES.curated));
  assert.ok(WATERMARKS_PREFIX.startsWith(BUCKET_PREFIXES.curated), 'ingestion may write the watermarks');
  assert.equal(MODELS_PREFIX, BUCKET_PREFIXES.models);
  assert.equal(`${LEDGER_PREFIX}/`, BUCKET_PREFIXES.paper);
});

import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BUCKET_PREFIXES } from '../../src/contracts/keys.js';
import { reportKey } from '../../src/app/backtest.js';
import { partitionKey, rawArchiveKey, watermarkKey } from '../../src/lake/layout.js';
import { modelKey } from '../../src/model/artifacts.js';
import { Ledger } from '../../src/paper/ledger.js';
import { openStore } from '../../src/store/open-store.js';
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

test('every key the core writes lies under the bucket prefix that IAM grants for it', async () => {
  assert.ok(rawArchiveKey('BTCUSDT', 'BTCUSDT-1m-2026-02.zip').startsWith(BUCKET_PREFIXES.raw));
  assert.ok(partitionKey('BTCUSDT', Date.UTC(2026, 1, 1)).startsWith(BUCKET_PREFIXES.curatedKlines));
  assert.ok(BUCKET_PREFIXES.curatedKlines.startsWith(BUCKET_PREFIXES.curated));
  assert.ok(
    watermarkKey('BTCUSDT').startsWith(BUCKET_PREFIXES.curated),
    'ingestion may write the watermarks',
  );
  assert.ok(modelKey('20260224T120000Z-1a2b3c', 'meta.json').startsWith(BUCKET_PREFIXES.models));
  assert.ok(reportKey('20260224T120000Z-1a2b3c').startsWith(BUCKET_PREFIXES.reports));
  const store = openStore(`file://${await mkdtemp(path.join(tmpdir(), 'alpha15-keys-'))}`);
  const ledger = new Ledger(store);
  const minuteMs = Date.UTC(2026, 1, 24, 12);
  await ledger.createDecision({ minuteMs } as never);
  await ledger.openPosition({ tradeId: 'T' } as never);
  await ledger.closePosition({ tradeId: 'T' } as never);
  await ledger.recordTick({ minuteMs } as never);
  const written = await store.list('');
  assert.equal(written.length, 3);
  for (const key of written) assert.ok(key.startsWith(BUCKET_PREFIXES.paper), key);
});

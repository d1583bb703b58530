/**
 * Who may do what to the bucket, decided as IAM would decide it: each role's synthesized policies and
 * the bucket policy, evaluated by @cloud-copilot/iam-simulate against concrete keys the code writes.
 * Roles get one verb per key pattern (infra/bucket-grants.ts): no role lists the whole bucket, none
 * deletes an old version, only promotion moves the champion pointer, the state machine writes only its
 * results, and a model directory is write-once.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { CHAMPION_KEY, MODELS_PREFIX } from '../../src/contracts/keys.js';
import { TemplateAuthorizer } from './rehearsal/authorizer.js';
import { logicalId, REHEARSAL_ACCOUNT, REHEARSAL_REGION, synthesizeApp } from './rehearsal/synth.js';
import { TemplateResolver } from './rehearsal/template.js';

const BUCKET = 'alpha15-lake';
const bucketArn = `arn:aws:s3:::${BUCKET}`;
const object = (key: string) => `${bucketArn}/${key}`;
const MODEL_WEIGHTS = `${MODELS_PREFIX}20260210T120000Z-a1b2c3/weights.bin`;

let authorizer: TemplateAuthorizer;
/** The roles alpha15 defines (the framework's own roles carry AWS managed policies and are aws-cdk-lib's). */
let roles: string[];
const role = (prefix: string) => logicalId(authorizer.template.template, prefix, 'AWS::IAM::Role');

before(() => {
  const template = synthesizeApp();
  const bucketId = logicalId(template, 'DataLakeBucket', 'AWS::S3::Bucket');
  authorizer = new TemplateAuthorizer(
    new TemplateResolver(template, {
      region: REHEARSAL_REGION,
      account: REHEARSAL_ACCOUNT,
      names: { [bucketId]: BUCKET },
    }),
  );
  roles = Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::Role' && !resource.Properties?.ManagedPolicyArns)
    .map(([id]) => id);
});

async function rolesAllowed(action: string, resource: string, context?: Record<string, string>) {
  const allowed: string[] = [];
  for (const candidate of roles)
    if (await authorizer.allows(candidate, { action, resource, context })) allowed.push(candidate);
  return allowed;
}

test('no role lists the whole bucket: every ListBucket grant is limited to key prefixes', async () => {
  assert.ok(roles.length >= 12, `the app's own roles: ${roles.join(', ')}`);
  assert.deepEqual(await rolesAllowed('s3:ListBucket', bucketArn), []);
  assert.deepEqual(await rolesAllowed('s3:ListBucket', bucketArn, { 's3:prefix': '' }), []);
  assert.deepEqual(await rolesAllowed('s3:ListBucketVersions', bucketArn), []);
  // and each reader may list what it reads, so S3 answers a missing key with 404 rather than 403
  assert.ok(
    await authorizer.allows(role('PaperTradingTickRole'), {
      action: 's3:ListBucket',
      resource: bucketArn,
      context: { 's3:prefix': CHAMPION_KEY },
    }),
  );
});

test('no role deletes an old version of any object, so versioning keeps what it protects', async () => {
  for (const key of [
    CHAMPION_KEY,
    MODEL_WEIGHTS,
    'curated/klines/symbol=BTCUSDT/month=2026-02/klines.parquet',
    'paper/trades/x.json',
  ])
    assert.deepEqual(await rolesAllowed('s3:DeleteObjectVersion', object(key)), [], key);
});

test('deletes only where the code deletes: the ledger for the tick, watermarks for ingestion and backfill', async () => {
  assert.deepEqual(await rolesAllowed('s3:DeleteObject', object(CHAMPION_KEY)), []);
  assert.deepEqual(await rolesAllowed('s3:DeleteObject', object(MODEL_WEIGHTS)), []);
  assert.deepEqual(
    (await rolesAllowed('s3:DeleteObject', object('paper/positions/t-1.json'))).map((id) =>
      id.replace(/[0-9A-F]{8}$/, ''),
    ),
    ['PaperTradingTickRole'],
  );
  assert.deepEqual(
    (await rolesAllowed('s3:DeleteObject', object('curated/watermarks/BTCUSDT.json')))
      .map((id) => id.replace(/[0-9A-F]{8}$/, ''))
      .sort(),
    ['BackfillItemRole', 'IngestionIngestRole'],
  );
  assert.deepEqual(
    await rolesAllowed(
      's3:DeleteObject',
      object('curated/klines/symbol=BTCUSDT/month=2026-02/klines.parquet'),
    ),
    [],
  );
});

test('only promotion moves the champion pointer; the state machine writes only its result files', async () => {
  assert.deepEqual(
    (await rolesAllowed('s3:PutObject', object(CHAMPION_KEY))).map((id) => id.replace(/[0-9A-F]{8}$/, '')),
    ['PromotionPromoteRole'],
  );
  const machine = role('BackfillStateMachineRole');
  assert.ok(
    await authorizer.allows(machine, {
      action: 's3:PutObject',
      resource: object('backfill/results/4f1c/manifest.json'),
    }),
  );
  for (const key of [CHAMPION_KEY, MODEL_WEIGHTS, 'curated/watermarks/BTCUSDT.json', 'paper/ticks/x.json'])
    assert.equal(
      await authorizer.allows(machine, { action: 's3:PutObject', resource: object(key) }),
      false,
      key,
    );
});

test('a model directory is write-once: the job creates its files with If-None-Match, and nobody replaces them', async () => {
  const job = role('TrainingJobRole');
  assert.ok(
    await authorizer.allows(job, {
      action: 's3:PutObject',
      resource: object(MODEL_WEIGHTS),
      context: { 's3:if-none-match': '*' },
    }),
  );
  // an unconditional write is refused by the bucket policy itself, whatever a role's policy says
  const overwrite = await authorizer.decide(job, { action: 's3:PutObject', resource: object(MODEL_WEIGHTS) });
  assert.equal(overwrite.result, 'ExplicitlyDenied');
  assert.deepEqual(await rolesAllowed('s3:PutObject', object(MODEL_WEIGHTS)), []);
  // only the job creates model files
  assert.deepEqual(
    (await rolesAllowed('s3:PutObject', object(MODEL_WEIGHTS), { 's3:if-none-match': '*' })).map((id) =>
      id.replace(/[0-9A-F]{8}$/, ''),
    ),
    ['TrainingJobRole'],
  );
});

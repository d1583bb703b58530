/**
 * The S3 adapter against a real S3-compatible HTTP server (s3rver, in-process on 127.0.0.1) and, for
 * the responses s3rver cannot produce (412 of a conditional write, 409 conflicts, paging), against
 * aws-sdk-client-mock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3Store, s3ClientConfigFromEnv } from '../../src/store/s3-store.js';
import { s3Error } from '../support/s3-error.js';
import { startLocalS3, type LocalS3 } from '../support/s3rver.js';
import { objectStoreContract } from './store-contract.js';

let localS3: LocalS3;
before(async () => {
  localS3 = await startLocalS3();
});
after(async () => {
  await localS3?.close();
});

objectStoreContract('S3Store on s3rver', {
  open: async () =>
    new S3Store({ bucket: await localS3.createBucket(), prefix: 'alpha15/v1', client: localS3.client }),
  unsupported: {
    conditionalWrite:
      's3rver ignores If-None-Match on PUT; the 412 path is covered by the aws-sdk-client-mock cases',
  },
});

describe('S3Store with a mocked S3 client', () => {
  it('putIfAbsent sends If-None-Match: * and reports a 412 PreconditionFailed as "already there"', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    const store = new S3Store({ bucket: 'b', prefix: 'lake', client: s3 as unknown as S3Client });
    assert.equal(await store.putIfAbsent('raw/x.zip', 'bytes'), false);
    const input = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    assert.equal(input.IfNoneMatch, '*');
    assert.equal(input.Key, 'lake/raw/x.zip');
    s3.restore();
  });

  it('putIfAbsent retries a 409 ConditionalRequestConflict and then wins', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).rejectsOnce(s3Error('ConditionalRequestConflict', 409)).resolves({});
    const store = new S3Store({ bucket: 'b', prefix: '', client: s3 as unknown as S3Client });
    assert.equal(await store.putIfAbsent('k', 'v'), true);
    assert.equal(s3.commandCalls(PutObjectCommand).length, 2);
    s3.restore();
  });

  it('get maps NoSuchKey to undefined and passes other failures on', async () => {
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand, { Key: 'missing' }).rejects(s3Error('NoSuchKey', 404));
    s3.on(GetObjectCommand, { Key: 'denied' }).rejects(s3Error('AccessDenied', 403));
    const store = new S3Store({ bucket: 'b', prefix: '', client: s3 as unknown as S3Client });
    assert.equal(await store.get('missing'), undefined);
    await assert.rejects(store.get('denied'), { name: 'AccessDenied' });
    s3.restore();
  });

  it('list follows continuation tokens across pages and strips the store prefix', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: [{ Key: 'lake/p/a' }, { Key: 'lake/p/b' }],
      IsTruncated: true,
      NextContinuationToken: 'page-2',
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: 'page-2' }).resolves({
      Contents: [{ Key: 'lake/p/c' }],
      IsTruncated: false,
    });
    const store = new S3Store({ bucket: 'b', prefix: 'lake', client: s3 as unknown as S3Client });
    assert.deepEqual(await store.list('p/'), ['p/a', 'p/b', 'p/c']);
    assert.equal(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input.Prefix, 'lake/p/');
    assert.equal(s3.commandCalls(ListObjectsV2Command).length, 2);
    s3.restore();
  });

  it('delete sends one DeleteObject for the prefixed key', async () => {
    const s3 = mockClient(S3Client);
    s3.on(DeleteObjectCommand).resolves({});
    const store = new S3Store({ bucket: 'b', prefix: 'lake', client: s3 as unknown as S3Client });
    await store.delete('x/y');
    assert.equal(s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input.Key, 'lake/x/y');
    s3.restore();
  });
});

describe('s3ClientConfigFromEnv', () => {
  it('uses AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) with path-style addressing for LocalStack and s3rver', () => {
    assert.deepEqual(
      s3ClientConfigFromEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_REGION: 'eu-west-1' }),
      {
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:4566',
        forcePathStyle: true,
      },
    );
    assert.deepEqual(s3ClientConfigFromEnv({}), { region: 'us-east-1' });
  });
});

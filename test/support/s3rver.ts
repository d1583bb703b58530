/**
 * A real S3-compatible HTTP server for tests: s3rver in-process on 127.0.0.1 (an ephemeral port), its
 * objects in a temp folder, and an S3Client pointed at it with path-style addressing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface LocalS3 {
  client: S3Client;
  /** The server's URL, for processes that reach it through AWS_ENDPOINT_URL_S3. */
  endpoint: string;
  /** Creates a new empty bucket and returns its name. */
  createBucket(): Promise<string>;
  close(): Promise<void>;
}

export async function startLocalS3(): Promise<LocalS3> {
  const directory = await mkdtemp(path.join(tmpdir(), 'alpha15-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  let buckets = 0;
  return {
    client,
    endpoint,
    createBucket: async () => {
      const bucket = `lake-${++buckets}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    close: async () => {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * An S3 bucket held in a Map behind aws-sdk-client-mock: every S3Client in the process (the handlers'
 * S3Store included) talks to it. Conditional writes (If-None-Match: *) answer 412 like S3 does.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { s3Error } from '../../support/s3-error.js';

export interface MockBucket {
  objects: Map<string, Uint8Array>;
  text(key: string): string | undefined;
  restore(): void;
}

export function mockBucket(): MockBucket {
  const objects = new Map<string, Uint8Array>();
  const s3 = mockClient(S3Client);
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const bytes = objects.get(input.Key);
    if (bytes === undefined) throw s3Error('NoSuchKey', 404);
    return { Body: { transformToByteArray: async () => bytes } };
  });
  s3.on(PutObjectCommand).callsFake(
    (input: { Key: string; Body: string | Uint8Array; IfNoneMatch?: string }) => {
      if (input.IfNoneMatch === '*' && objects.has(input.Key)) throw s3Error('PreconditionFailed', 412);
      objects.set(
        input.Key,
        typeof input.Body === 'string' ? new TextEncoder().encode(input.Body) : new Uint8Array(input.Body),
      );
      return {};
    },
  );
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({
    Contents: [...objects.keys()]
      .filter((key) => key.startsWith(input.Prefix ?? ''))
      .sort()
      .map((Key) => ({ Key })),
    IsTruncated: false,
  }));
  s3.on(DeleteObjectCommand).callsFake((input: { Key: string }) => {
    objects.delete(input.Key);
    return {};
  });
  return {
    objects,
    text: (key) => {
      const bytes = objects.get(key);
      return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
    },
    restore: () => s3.restore(),
  };
}

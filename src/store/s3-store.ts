/**
 * The ObjectStore on S3 (`s3://bucket/prefix`). A single PUT is already atomic on S3; `putIfAbsent`
 * uses S3's conditional write (`If-None-Match: *`), so only one of several concurrent writers wins.
 */
import { backoffDelayMs, defaultSleep } from '../retry.js';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { Body, ObjectStore } from './object-store.js';
import { StoreCredentialsError, validateListPrefix, validateObjectKey } from './errors.js';
import { compareKeys } from './local-store.js';
import { AWS_REGION_ENV_VARIABLE } from '../contracts/environment.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing slash ('' for the bucket root). */
  prefix: string;
  client?: S3Client;
  /** Attempts of a conditional write that S3 answers with 409 ConditionalRequestConflict. */
  conflictRetries?: number;
}

export class S3Store implements ObjectStore {
  readonly url: string;
  private readonly bucket: string;
  private readonly keyPrefix: string;
  private readonly client: S3Client;
  private readonly conflictRetries: number;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.keyPrefix = options.prefix ? `${options.prefix}/` : '';
    this.url = `s3://${options.bucket}${options.prefix ? `/${options.prefix}` : ''}`;
    this.client = options.client ?? new S3Client(s3ClientConfigFromEnv());
    this.conflictRetries = options.conflictRetries ?? 4;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.request(() =>
        this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) })),
      );
      if (!response.Body) return new Uint8Array();
      return await response.Body.transformToByteArray();
    } catch (error) {
      if (isS3Error(error, 404, 'NoSuchKey', 'NotFound')) return undefined;
      throw error;
    }
  }

  async put(key: string, body: Body): Promise<void> {
    await this.request(() =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key), Body: body })),
    );
  }

  async putIfAbsent(key: string, body: Body): Promise<boolean> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.fullKey(key),
      Body: body,
      IfNoneMatch: '*',
    });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.request(() => this.client.send(command));
        return true;
      } catch (error) {
        if (isS3Error(error, 412, 'PreconditionFailed')) return false;
        // 409: another conditional write to the same key is in flight; once it settles, a retry
        // either wins or gets the 412 that says the object now exists
        if (isS3Error(error, 409, 'ConditionalRequestConflict') && attempt < this.conflictRetries) {
          await defaultSleep(backoffDelayMs(attempt, { baseMs: 50, jitter: 'spread' }));
          continue;
        }
        throw error;
      }
    }
  }

  async list(prefix: string): Promise<string[]> {
    validateListPrefix(prefix);
    const keys: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.request(() =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.keyPrefix + prefix,
            ContinuationToken: continuationToken,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) keys.push(object.Key.slice(this.keyPrefix.length));
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return keys.sort(compareKeys);
  }

  async delete(key: string): Promise<void> {
    await this.request(() =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) })),
    );
  }

  /**
   * Every request goes through here, so the SDK's credential-chain failure (a stack naming its
   * providers) becomes a message with a fix.
   */
  private async request<Output>(send: () => Promise<Output>): Promise<Output> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof Error && error.name === 'CredentialsProviderError')
        throw new StoreCredentialsError(this.url, error);
      throw error;
    }
  }

  private fullKey(key: string): string {
    validateObjectKey(key);
    return this.keyPrefix + key;
  }
}

/**
 * Client settings from the standard AWS variables. An explicit endpoint (LocalStack, s3rver, MinIO)
 * needs path-style addressing, since those servers do not resolve bucket subdomains.
 */
export function s3ClientConfigFromEnv(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  return {
    region: env[AWS_REGION_ENV_VARIABLE] ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  };
}

function isS3Error(error: unknown, status: number, ...names: string[]): boolean {
  if (!(error instanceof Error)) return false;
  const httpStatus = error instanceof S3ServiceException ? error.$metadata?.httpStatusCode : undefined;
  const code = (error as { Code?: string }).Code;
  return httpStatus === status || names.includes(error.name) || (code !== undefined && names.includes(code));
}

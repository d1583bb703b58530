/** Typed errors of the storage adapters. */
import { Alpha15Error } from '../errors.js';

export class StoreUrlError extends Alpha15Error {
  readonly code = 'STORE_URL';
  constructor(url: string, reason: string) {
    super(
      `store URL "${url}" ${reason}`,
      'use file://<dir> (e.g. file://./.alpha15) or s3://<bucket>/<prefix>',
    );
  }
}

export class StoreCredentialsError extends Alpha15Error {
  readonly code = 'STORE_CREDENTIALS';
  constructor(url: string, cause: unknown) {
    super(
      `no AWS credentials for ${url}`,
      'set AWS_PROFILE (after aws sso login / aws configure) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a file:// store',
      { cause },
    );
  }
}

export class StoreNotFoundError extends Alpha15Error {
  readonly code = 'STORE_NOT_FOUND';
  constructor(url: string, hint: string) {
    super(`there is no store at ${url}`, hint);
  }
}

export class InvalidObjectKeyError extends Alpha15Error {
  readonly code = 'INVALID_OBJECT_KEY';
  constructor(key: string, reason: string) {
    super(
      `object key "${key}" ${reason}`,
      'keys are relative slash-separated paths such as curated/klines/...',
    );
  }
}

/** Rejects keys that could escape the store's root or that S3 and a folder would treat differently. */
export function validateObjectKey(key: string): void {
  if (key.length === 0) throw new InvalidObjectKeyError(key, 'is empty');
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) throw new InvalidObjectKeyError(key, 'is absolute');
  if (key.includes('\\') || key.includes('\0'))
    throw new InvalidObjectKeyError(key, 'contains a backslash or NUL');
  for (const segment of key.split('/')) {
    if (segment === '..' || segment === '.')
      throw new InvalidObjectKeyError(key, `contains a "${segment}" segment`);
    if (segment === '')
      throw new InvalidObjectKeyError(key, 'contains an empty segment (// or a trailing /)');
  }
}

/** A list prefix may be empty or end with '/', but must not climb out of the root either. */
export function validateListPrefix(prefix: string): void {
  if (prefix === '') return;
  validateObjectKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

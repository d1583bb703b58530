/** Typed errors of the storage adapters. */
import { Alpha15Error } from '../errors.js';

export class StoreUrlError extends Alpha15Error {
  readonly code = 'STORE_URL';
  constructor(url: string, reason: string, options?: ErrorOptions) {
    super(
      `store URL "${url}" ${reason}`,
      'use file://<dir> (e.g. file://./.alpha15) or s3://<bucket>/<prefix>',
      options,
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

/** Why the file system refused a write, as the store error names it. */
export type StoreWriteCause = 'read-only' | 'disk-full' | 'not-a-folder' | 'permission-denied';

const WRITE_CAUSES: Record<string, { cause: StoreWriteCause; words: string; hint: string }> = {
  EROFS: {
    cause: 'read-only',
    words: 'the file system is mounted read-only',
    hint: 'point the store at a writable folder, or remount this one read-write',
  },
  ENOSPC: {
    cause: 'disk-full',
    words: 'the disk is full',
    hint: 'free space on that disk (or move the store), then run again: what was stored before is intact',
  },
  EDQUOT: {
    cause: 'disk-full',
    words: 'the disk quota is exhausted',
    hint: 'free space within the quota (or move the store), then run again: what was stored before is intact',
  },
  ENOTDIR: {
    cause: 'not-a-folder',
    words: 'a file stands where a folder of the store must be',
    hint: 'the store path (or a folder below it) is a file: point the store at a folder',
  },
  EEXIST: {
    cause: 'not-a-folder',
    words: 'a file stands where a folder of the store must be',
    hint: 'the store path (or a folder below it) is a file: point the store at a folder',
  },
  EACCES: {
    cause: 'permission-denied',
    words: 'permission denied',
    hint: 'give this user write access to the store folder, or point the store elsewhere',
  },
  EPERM: {
    cause: 'permission-denied',
    words: 'the operation is not permitted',
    hint: 'give this user write access to the store folder, or point the store elsewhere',
  },
};

/** A write the store's file system refused; the object keeps its previous content (or stays absent). */
export class StoreWriteError extends Alpha15Error {
  readonly code = 'STORE_WRITE_FAILED';
  override readonly data: { store: string; key: string; cause: StoreWriteCause; errno: string };
  constructor(store: string, key: string, errno: string, options?: ErrorOptions) {
    const known = WRITE_CAUSES[errno]!;
    super(
      `cannot write ${key} to the store ${store}: ${known.words} (${errno}); the object was not changed`,
      known.hint,
      options,
    );
    this.data = { store, key, cause: known.cause, errno };
  }
}

/** `error` as a StoreWriteError when the file system refused for a reason it names, else unchanged. */
export function storeWriteError(store: string, key: string, error: unknown): unknown {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (errno === undefined || !(errno in WRITE_CAUSES)) return error;
  return new StoreWriteError(store, key, errno, { cause: error });
}

/** The one place that turns a store URL into an adapter: `file://dir` or `s3://bucket/prefix`. */
import { statSync } from 'node:fs';
import { LocalStore } from './local-store.js';
import type { ObjectStore } from './object-store.js';
import { S3Store } from './s3-store.js';
import { StoreUrlError } from './errors.js';

export const DEFAULT_STORE_URL = 'file://./.alpha15';

/**
 * Opens the store a URL names. `file://` paths may be relative (resolved against `cwd`), e.g.
 * `file://./.alpha15`, or absolute, `file:///var/lake`.
 */
export function openStore(url: string = DEFAULT_STORE_URL, cwd: string = process.cwd()): ObjectStore {
  const match = /^([a-z0-9]+):\/\/(.*)$/i.exec(url.trim());
  if (!match) throw new StoreUrlError(url, 'has no scheme');
  const [, scheme, rest = ''] = match;
  switch (scheme!.toLowerCase()) {
    case 'file': {
      if (rest === '') throw new StoreUrlError(url, 'names no folder');
      const dir = decodeURIComponent(rest);
      const root = dir.startsWith('/') ? dir : `${cwd}/${dir}`;
      // a file where the folder should be would fail later with ENOTDIR deep in a write, or worse,
      // read as an empty store
      let stats;
      try {
        stats = statSync(root, { throwIfNoEntry: false });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOTDIR')
          throw new StoreUrlError(url, 'lies below a file, not a folder', { cause: error });
        throw error;
      }
      if (stats?.isFile()) throw new StoreUrlError(url, 'names a file, not a folder');
      return new LocalStore(root);
    }
    case 's3': {
      const [bucket = '', ...prefixParts] = rest.split('/');
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
        throw new StoreUrlError(url, `has an invalid bucket name "${bucket}"`);
      const prefix = prefixParts.filter((part) => part !== '').join('/');
      return new S3Store({ bucket, prefix });
    }
    default:
      throw new StoreUrlError(url, `has the unsupported scheme "${scheme}"`);
  }
}

import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalStore } from '../../src/store/local-store.js';
import { openStore } from '../../src/store/open-store.js';
import { objectStoreContract } from './store-contract.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-local-store-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

objectStoreContract('LocalStore', { open: async () => new LocalStore(await freshDir()) });

describe('LocalStore on disk', () => {
  it('stores a key as a file under the root and leaves no temp file behind', async () => {
    const dir = await freshDir();
    const store = new LocalStore(dir);
    await store.put('curated/x/data.parquet', 'payload');
    await store.putIfAbsent('curated/x/data.parquet', 'other');
    assert.deepEqual(await readdir(path.join(dir, 'curated/x')), ['data.parquet']);
  });

  it('a failed write leaves neither the object nor a temp file', async () => {
    const dir = await freshDir();
    const store = new LocalStore(dir);
    // a body that cannot be written (a detached-like invalid argument) makes writeFile throw
    await assert.rejects(store.put('f/bad.bin', 42 as unknown as string));
    assert.equal(await store.get('f/bad.bin'), undefined);
    assert.deepEqual(await readdir(path.join(dir, 'f')), []);
  });
});

describe('openStore', () => {
  it('resolves a relative file:// URL against the working directory', async () => {
    const dir = await freshDir();
    const store = openStore('file://./lake', dir);
    assert.equal(store.url, `file://${path.join(dir, 'lake')}`);
    await store.put('k.txt', 'v');
    assert.deepEqual(await readdir(path.join(dir, 'lake')), ['k.txt']);
  });

  it('opens absolute folders and s3 buckets with a prefix', () => {
    assert.equal(openStore('file:///var/tmp/lake').url, 'file:///var/tmp/lake');
    assert.equal(openStore('s3://my-bucket/lake/v1/').url, 's3://my-bucket/lake/v1');
    assert.equal(openStore('s3://my-bucket').url, 's3://my-bucket');
  });

  it('rejects URLs it cannot open with a StoreUrlError', () => {
    for (const url of ['ftp://host/x', 'just-a-path', 's3://', 's3://Bad_Bucket/x', 'file://']) {
      assert.throws(() => openStore(url), { name: 'StoreUrlError' }, url);
    }
  });
});

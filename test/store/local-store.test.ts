import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
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

  it('a put that cannot be published leaves no temp file and the other objects intact', async () => {
    const dir = await freshDir();
    const store = new LocalStore(dir);
    await store.put('f/inside.txt', 'kept');
    // the key "f" names a folder that holds objects, so the final rename must fail
    await assert.rejects(store.put('f', 'clobber'));
    assert.equal(await store.putIfAbsent('f', 'clobber'), false);
    assert.deepEqual(await readdir(dir), ['f']);
    assert.deepEqual(await store.list(''), ['f/inside.txt']);
    assert.equal(new TextDecoder().decode(await store.get('f/inside.txt')), 'kept');
  });
});

describe('LocalStore temp files', () => {
  it("the next write into a folder removes a dead writer's temp file and keeps a live writer's", async () => {
    const dir = await freshDir();
    await mkdir(path.join(dir, 'curated'), { recursive: true });
    // a pid that surely ran and is gone: a child that has exited
    const child = spawnSync(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    const dead = `.alpha15-partial-${deadPid}-0123456789abcdef`;
    const legacy = '.alpha15-partial-0123456789abcdef';
    const live = `.alpha15-partial-${process.pid}-fedcba9876543210`;
    for (const name of [dead, legacy, live])
      await writeFile(path.join(dir, 'curated', name), 'half a partition');
    const store = new LocalStore(dir);
    assert.deepEqual(await store.list(''), [], 'temp files are never listed');
    await store.put('curated/k.parquet', 'whole');
    assert.deepEqual((await readdir(path.join(dir, 'curated'))).sort(), [live, 'k.parquet'].sort());
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

/**
 * A store the file system will not write to (issue 25, items 14 and 15) fails with a typed error that
 * names the store and the cause, exits 1, and leaves what was stored intact. Tests run as root, so
 * chmod stops nothing and nothing can be mounted: a file standing where the store's folder should be
 * is real; a full disk is real too (writes go to /dev/full, which answers ENOSPC); a read-only mount
 * is a mkdir failing with EROFS as the kernel reports it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { StoreWriteError } from '../../src/store/errors.js';
import { LocalStore, type LocalWriteCalls } from '../../src/store/local-store.js';
import { ARCHIVE_MONTH_DIR, REPO_ROOT } from '../support/shared-data.js';

const run = promisify(execFile);
const temps: string[] = [];
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-store-faults-'));
  temps.push(dir);
  return dir;
}

const NODE_CALLS: LocalWriteCalls = {
  mkdir: fs.mkdir,
  open: fs.open,
  rename: fs.rename,
  link: fs.link,
};

function assertStoreError(error: unknown, store: LocalStore, key: string, cause: string, errno: string) {
  assert.ok(error instanceof StoreWriteError, String(error));
  assert.equal(error.code, 'STORE_WRITE_FAILED');
  assert.deepEqual(error.data, { store: store.url, key, cause, errno });
  assert.ok(error.message.includes(store.url), error.message);
  return true;
}

describe('store write faults', () => {
  it('a full disk: the write fails as STORE_WRITE_FAILED disk-full, and the old object stays', async () => {
    const dir = await tempDir();
    const healthy = new LocalStore(dir);
    await healthy.put('curated/watermarks/BTCUSDT.json', '{"old":true}\n');
    // every temp file this store opens is /dev/full: the kernel answers the write with ENOSPC
    const full = new LocalStore(dir, {
      ...NODE_CALLS,
      open: ((_file: string, _flags: string) => fs.open('/dev/full', 'w')) as LocalWriteCalls['open'],
    });
    await assert.rejects(full.put('curated/watermarks/BTCUSDT.json', '{"new":true}\n'), (error) =>
      assertStoreError(error, full, 'curated/watermarks/BTCUSDT.json', 'disk-full', 'ENOSPC'),
    );
    assert.equal(readFileSync(path.join(dir, 'curated/watermarks/BTCUSDT.json'), 'utf8'), '{"old":true}\n');
  });

  it('a read-only file system: STORE_WRITE_FAILED read-only', async () => {
    const dir = await tempDir();
    const readOnly = new LocalStore(path.join(dir, 'lake'), {
      ...NODE_CALLS,
      mkdir: (async (target: string) => {
        throw Object.assign(new Error(`EROFS: read-only file system, mkdir '${String(target)}'`), {
          code: 'EROFS',
          errno: -30,
          syscall: 'mkdir',
          path: String(target),
        });
      }) as LocalWriteCalls['mkdir'],
    });
    await assert.rejects(readOnly.putIfAbsent('raw/klines/BTCUSDT/x.zip', 'zip'), (error) =>
      assertStoreError(error, readOnly, 'raw/klines/BTCUSDT/x.zip', 'read-only', 'EROFS'),
    );
  });

  /** Runs the CLI, which must fail; its exit code, --json body and stderr. */
  async function failingCli(...args: string[]) {
    const failed = (await run(process.execPath, ['bin/alpha15.js', ...args, '--json'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ALPHA15_STORE: '' },
    }).then(
      () => assert.fail(`${args.join(' ')} exited 0`),
      (error: unknown) => error,
    )) as { code: number; stdout: string; stderr: string };
    const body = JSON.parse(failed.stdout) as {
      error: { code: string; message: string; data: { cause?: string } };
    };
    assert.doesNotMatch(failed.stderr, /\n\s+at /, 'no stack trace');
    return { code: failed.code, error: body.error, stderr: failed.stderr };
  }
  const ingestDay = ['ingest', '--source', `archive:${ARCHIVE_MONTH_DIR}`, '--symbols', 'LINKUSDT'];
  const day = ['--from', '2026-02-01', '--to', '2026-02-02'];

  it('a file where a folder of the store must be: the CLI exits 1 with STORE_WRITE_FAILED not-a-folder', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'raw'), 'x');
    const { code, error, stderr } = await failingCli(...ingestDay, ...day, '--store', `file://${dir}`);
    assert.equal(code, 1, stderr);
    assert.equal(error.code, 'STORE_WRITE_FAILED');
    assert.equal(error.data.cause, 'not-a-folder');
    assert.ok(error.message.includes(dir), error.message);
  });

  it('a store path below a file: the CLI exits 1 with STORE_URL, not a stat trace', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'file'), 'x');
    const { code, error, stderr } = await failingCli(
      ...ingestDay,
      ...day,
      '--store',
      `file://${dir}/file/lake`,
    );
    assert.equal(code, 1, stderr);
    assert.equal(error.code, 'STORE_URL');
    assert.match(error.message, /lies below a file/);
  });
});

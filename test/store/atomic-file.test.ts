import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writeFileAtomically } from '../../src/store/atomic-file.js';

test('a local file is written into folders it creates, replaced whole, and leaves no temporary sibling', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-atomic-'));
  try {
    const file = path.join(dir, 'reports', 'model-a', 'backtest.html');
    await writeFileAtomically(file, '<p>first</p>');
    await writeFileAtomically(file, '<p>second</p>');
    assert.equal(await readFile(file, 'utf8'), '<p>second</p>');
    assert.deepEqual(await readdir(path.dirname(file)), ['backtest.html']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

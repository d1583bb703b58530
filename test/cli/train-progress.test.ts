/**
 * `alpha15 train` in a log (stderr not a terminal) prints one line per epoch, where a progress bar
 * would print nothing; and the small config shipped for the real-data path trains as README says.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { ARCHIVE_MONTH_DIR, requireSharedData } from '../support/shared-data.js';

requireSharedData();
let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alpha15-train-progress-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(args, { timeoutMs: 300_000 });

it('configs/small.json trains on a real week with one progress line per epoch on a piped stderr', async () => {
  const store = `file://${path.join(dir, 'lake')}`;
  const symbols = 'ALGOUSDT,LINKUSDT';
  const ingest = await cli([
    'ingest',
    '--source',
    `archive:${ARCHIVE_MONTH_DIR}`,
    '--symbols',
    symbols,
    '--store',
    store,
  ]);
  assert.equal(ingest.code, 0, ingest.stderr);
  const train = await cli([
    'train',
    '--config',
    'configs/small.json',
    '--symbols',
    symbols,
    '--from',
    '2026-02-01',
    '--to',
    '2026-02-08',
    '--epochs',
    '2',
    '--store',
    store,
    '--json',
  ]);
  assert.equal(train.code, 0, train.stderr);
  const result = JSON.parse(train.stdout) as { modelId: string; epochs: number };
  const meta = JSON.parse(
    await readFile(path.join(dir, 'lake', 'models', result.modelId, 'meta.json'), 'utf8'),
  ) as { windowMinutes: number };
  assert.equal(meta.windowMinutes, 64, 'the small config was read');
  const lines = train.stderr.split('\n').filter((line) => /^train epoch \d+\/2: /.test(line));
  assert.equal(lines.length, result.epochs, train.stderr);
  assert.match(lines[0]!, /val IC -?\d\.\d{3}.*s\/epoch/);
});

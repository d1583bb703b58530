/** `--store <dir>`: a plain folder is the folder's store, as `file://<dir>` is. Runs the real CLI. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { ARCHIVE_MONTH_DIR } from '../support/shared-data.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alpha15-store-flag-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(args, { timeoutMs: 120_000 });

it('a plain folder given to --store holds the lake that file://<folder> then reads', async () => {
  const lake = path.join(dir, 'lake');
  const ingest = await cli([
    'ingest',
    '--source',
    `archive:${ARCHIVE_MONTH_DIR}`,
    '--symbols',
    'ALGOUSDT',
    '--from',
    '2026-02-01',
    '--to',
    '2026-02-02',
    '--store',
    lake,
    '--json',
  ]);
  assert.equal(ingest.code, 0, ingest.stderr);
  const summary = await cli(['data', 'summary', '--store', `file://${lake}`, '--json']);
  assert.equal(summary.code, 0, summary.stderr);
  const symbols = (JSON.parse(summary.stdout) as { symbols: Record<string, { rows: number }> }).symbols;
  assert.equal(symbols.ALGOUSDT?.rows, 1440);
});

/**
 * The universe rule on the real month's lake (7 of the 20 default symbols): a universe nobody set gives
 * way to the lake's symbols; a universe the user set is kept, and a lake that lacks part of it is an
 * error that names the `--symbols` value that would work.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveUniverse, SymbolsNotInLakeError } from '../../src/app/universe.js';
import { cliHint } from '../../src/cli/error-hints.js';
import { DEFAULT_SYMBOLS } from '../../src/config/defaults.js';
import { LocalStore } from '../../src/store/local-store.js';
import { runCli } from '../support/cli.js';
import { ARCHIVE_MONTH_DIR, ARCHIVE_MONTH_SYMBOLS, requireSharedData } from '../support/shared-data.js';

let dir: string;

const cli = (args: string[]) =>
  runCli([...args, '--store', `file://${dir}`], { inheritAlpha15Env: false, timeoutMs: 0 });

describe('the universe of a lake holding 7 of the 20 default symbols', () => {
  before(async () => {
    requireSharedData();
    dir = await mkdtemp(path.join(tmpdir(), 'alpha15-universe-'));
    const ingested = await cli([
      'ingest',
      '--source',
      `archive:${ARCHIVE_MONTH_DIR}`,
      '--symbols',
      ARCHIVE_MONTH_SYMBOLS.join(','),
      '--from',
      '2026-02-01',
      '--to',
      '2026-02-02',
    ]);
    assert.equal(ingested.code, 0, ingested.stderr);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('with no universe set, uses the symbols the lake holds and says so', async () => {
    const universe = await resolveUniverse(new LocalStore(dir), DEFAULT_SYMBOLS, false);
    assert.deepEqual(universe.symbols, [...ARCHIVE_MONTH_SYMBOLS].sort());
    assert.equal(universe.fromLake, true);
  });

  it("alpha15 simulate with no universe set says it uses the lake's symbols, and renders flag hints", async () => {
    const failed = await cli(['simulate', '--from', '2026-02-01T12:00', '--to', '2026-02-01T12:00']);
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /no universe set .*using the 7 symbols the lake holds: ALGOUSDT,AVAXUSDT,DOTUSDT/,
    );
    assert.match(failed.stderr, /hint: pass --from before --to/);
  });

  it('a universe the lake holds entirely is kept as set, in its order', async () => {
    const chosen = ['NEARUSDT', 'ALGOUSDT'];
    const kept = { symbols: chosen, fromLake: false };
    assert.deepEqual(await resolveUniverse(new LocalStore(dir), chosen, true), kept);
    assert.deepEqual(await resolveUniverse(new LocalStore(dir), chosen, false), kept);
  });

  it('a universe set with symbols the lake lacks fails naming the --symbols value that works', async () => {
    await assert.rejects(
      resolveUniverse(new LocalStore(dir), ['BTCUSDT', 'LINKUSDT', 'ETHUSDT', 'DOTUSDT'], true),
      (error: unknown) =>
        error instanceof SymbolsNotInLakeError &&
        /holds no candles for BTCUSDT, ETHUSDT/.test(error.message) &&
        error.hint === 'use the symbols it holds: LINKUSDT,DOTUSDT (or ingest the others first)' &&
        cliHint(error) ===
          'use the symbols it holds: --symbols LINKUSDT,DOTUSDT (or ingest the others first)',
    );
  });

  it('alpha15 train with --symbols the lake lacks stops before training with that hint', async () => {
    const failed = await cli(['train', '--symbols', 'BTCUSDT,LINKUSDT', '--epochs', '1']);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /holds no candles for BTCUSDT/);
    assert.match(failed.stderr, /hint: use the symbols it holds: --symbols LINKUSDT /);
  });
});

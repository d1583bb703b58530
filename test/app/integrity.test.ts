/**
 * Lake integrity, one test per reproduction of issue 13: every bad input is refused with a typed error
 * (or a non-zero outcome) and leaves the lake byte-identical (every file hashed before and after); a
 * damaged lake is reported by `data summary` and `data verify` and healed by `data repair`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { cliHint } from '../../src/cli/error-hints.js';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import {
  ingest,
  InvalidIngestRangeError,
  NothingIngestedError,
  requireIngestedRows,
} from '../../src/app/ingest.js';
import { partitionKey } from '../../src/lake/layout.js';
import { KlineConflictError } from '../../src/lake/merge.js';
import { CorruptPartitionError } from '../../src/lake/parquet.js';
import { repairLake } from '../../src/lake/repair.js';
import { summariseLake } from '../../src/lake/summary.js';
import { archiveFileName } from '../../src/market/archive.js';
import { LocalArchiveSource } from '../../src/market/archive-source.js';
import {
  ArchiveMismatchError,
  ConflictingDuplicateKlineError,
  EmptyArchiveError,
  InvalidKlineError,
  MalformedCsvRowError,
  MixedTimestampUnitsError,
} from '../../src/market/errors.js';
import { archiveSource, SymbolNotInSourceError, syntheticSource } from '../../src/market/source.js';
import { LocalStore } from '../../src/store/local-store.js';
import { InvalidTimeError, parseTimeMs } from '../../src/time.js';
import { lakeSnapshot } from '../support/lake.js';
import {
  ARCHIVE_MONTH_DIR,
  ARCHIVE_MONTH_SYMBOLS,
  REPO_ROOT,
  requireSharedData,
} from '../support/shared-data.js';

requireSharedData();
const SYMBOL = 'LINKUSDT';
const MONTH_ROWS = 40_320;
const FEB_1_MS = Date.UTC(2026, 1, 1);
const MAR_1_MS = Date.UTC(2026, 2, 1);
const FEB_NAME = archiveFileName(SYMBOL, '2026-02');
const FEB_CSV = FEB_NAME.replace(/\.zip$/, '.csv');
const run = promisify(execFile);

const temps: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

const realZip = (symbol = SYMBOL) =>
  readFileSync(path.join(ARCHIVE_MONTH_DIR, archiveFileName(symbol, '2026-02')));
const realCsvLines = () => strFromU8(unzipSync(realZip())[FEB_CSV]!).trimEnd().split('\n');

/** A zip holding one CSV named `csvName` with `lines`. */
const zipOf = (csvName: string, lines: string[]) => zipSync({ [csvName]: strToU8(`${lines.join('\n')}\n`) });

/** The real February CSV with one data row (1-based, after the header) changed by `edit`. */
function editedRow(row: number, edit: (fields: string[]) => void): string[] {
  const lines = realCsvLines();
  const fields = lines[row]!.split(',');
  edit(fields);
  lines[row] = fields.join(',');
  return lines;
}

/** A folder holding the given archives. */
async function archiveFolder(files: Record<string, Uint8Array>): Promise<string> {
  const dir = await tempDir('alpha15-integrity-archives-');
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
  return dir;
}

/** A lake holding the real LINKUSDT month, ingested from the shared archive folder. */
async function realLake(): Promise<{ store: LocalStore; dir: string }> {
  const dir = await tempDir('alpha15-integrity-lake-');
  const store = new LocalStore(dir);
  await ingest({
    store,
    source: archiveSource(new LocalArchiveSource(ARCHIVE_MONTH_DIR)),
    symbols: [SYMBOL],
  });
  return { store, dir };
}

describe('bad archives are refused whole and leave the lake byte-identical', () => {
  let lake: { store: LocalStore; dir: string };
  before(async () => {
    lake = await realLake();
  });

  /** Ingests SYMBOL from a folder of `files` into the lake; the lake must not change. */
  async function refused(
    files: Record<string, Uint8Array>,
    expected: (error: unknown) => boolean,
    range: { fromMs?: number; toMs?: number } = { fromMs: FEB_1_MS },
  ) {
    const before = await lakeSnapshot(lake.dir);
    const source = archiveSource(new LocalArchiveSource(await archiveFolder(files)));
    await assert.rejects(
      ingest({ store: lake.store, source, symbols: [SYMBOL], ...range }).then(requireIngestedRows),
      expected,
    );
    assert.deepEqual(await lakeSnapshot(lake.dir), before, 'the lake is byte-identical');
  }

  it("wrong symbol: LTCUSDT's archive renamed to LINKUSDT's name", async () => {
    await refused({ [FEB_NAME]: realZip('LTCUSDT') }, (error) => {
      assert.ok(error instanceof ArchiveMismatchError, String(error));
      assert.equal(error.code, 'ARCHIVE_MISMATCH');
      assert.match(error.message, /LTCUSDT-1m-2026-02\.csv: symbol LTCUSDT .* not LINKUSDT/);
      return true;
    });
  });

  it('duplicate conflict inside a file: a later copy of a minute with close 99999', async () => {
    const lines = realCsvLines();
    const fields = lines[500]!.split(',');
    fields[2] = fields[4] = '99999'; // high too, so the row itself passes the content rules
    await refused({ [FEB_NAME]: zipOf(FEB_CSV, [...lines, fields.join(',')]) }, (error) => {
      assert.ok(error instanceof ConflictingDuplicateKlineError, String(error));
      assert.equal(error.data.field, 'high');
      assert.equal(error.data.second, 99999);
      assert.match(error.message, /lines 501 and 40322/);
      return true;
    });
  });

  it('duplicate conflict with the lake: a minute the lake holds, now with close 99999', async () => {
    const lines = editedRow(500, (fields) => (fields[2] = fields[4] = '99999'));
    await refused({ [FEB_NAME]: zipOf(FEB_CSV, lines) }, (error) => {
      assert.ok(error instanceof KlineConflictError, String(error));
      assert.equal(error.data.openTimeMs, FEB_1_MS + 499 * 60_000);
      assert.equal(error.data.incoming.close, 99999);
      assert.notEqual(error.data.stored.close, 99999);
      assert.match(cliHint(error) ?? '', /--overwrite/);
      return true;
    });
  });

  it('non-finite: a close of Infinity is not a number in decimal notation', async () => {
    const lines = editedRow(1000, (fields) => (fields[4] = 'Infinity'));
    await refused({ [FEB_NAME]: zipOf(FEB_CSV, lines) }, (error) => {
      assert.ok(error instanceof MalformedCsvRowError, String(error));
      assert.equal(error.lineNumber, 1001);
      assert.match(
        error.message,
        /LINKUSDT-1m-2026-02\.zip:LINKUSDT-1m-2026-02\.csv, line 1001: field 5 is not a number in decimal notation/,
      );
      return true;
    });
  });

  it('negative: a negative low, and a negative volume', async () => {
    const negativeLow = editedRow(7, (fields) => (fields[3] = '-1'));
    await refused({ [FEB_NAME]: zipOf(FEB_CSV, negativeLow) }, (error) => {
      assert.ok(error instanceof InvalidKlineError, String(error));
      return error.data.field === 'low' && error.data.location === 'line 8';
    });
    const negativeVolume = editedRow(9, (fields) => (fields[5] = '-5'));
    await refused({ [FEB_NAME]: zipOf(FEB_CSV, negativeVolume) }, (error) => {
      assert.ok(error instanceof InvalidKlineError, String(error));
      return error.data.field === 'volume' && error.data.location === 'line 10';
    });
  });

  it('high below low', async () => {
    const lines = editedRow(20, (fields) => {
      [fields[2], fields[3]] = [fields[3]!, fields[2]!];
    });
    await refused({ [FEB_NAME]: zipOf(FEB_CSV, lines) }, (error) => {
      assert.ok(error instanceof InvalidKlineError, String(error));
      assert.equal(error.data.location, 'line 21');
      assert.ok(['high', 'low'].includes(error.data.field));
      return true;
    });
  });

  it('mixed units: rows switch from milliseconds to microseconds half-way', async () => {
    const lines = realCsvLines().map((line, index) => {
      if (index <= 20_000) return line;
      const fields = line.split(',');
      fields[0] = `${fields[0]}000`;
      fields[6] = `${fields[6]}999`;
      return fields.join(',');
    });
    await refused({ [FEB_NAME]: zipOf(FEB_CSV, lines) }, (error) => {
      assert.ok(error instanceof MixedTimestampUnitsError, String(error));
      assert.equal(error.data.lineNumber, 20_002);
      return true;
    });
  });

  it('silent nothing: a zip named for another month (the February CSV inside)', async () => {
    await refused(
      { [archiveFileName(SYMBOL, '2026-03')]: realZip() },
      (error) => {
        assert.ok(error instanceof ArchiveMismatchError, String(error));
        return /period 2026-02, not LINKUSDT and 2026-03/.test(error.message);
      },
      {},
    );
  });

  it('silent nothing: rows of another month under a consistent March name', async () => {
    const marchName = archiveFileName(SYMBOL, '2026-03');
    await refused(
      { [marchName]: zipOf(marchName.replace(/\.zip$/, '.csv'), realCsvLines()) },
      (error) => {
        assert.ok(error instanceof ArchiveMismatchError, String(error));
        return /2026-02-01T00:00:00.000Z, outside its period 2026-03/.test(error.message);
      },
      {},
    );
  });

  it('silent nothing: an empty CSV, and a header-only CSV', async () => {
    for (const lines of [[], [realCsvLines()[0]!]]) {
      await refused({ [FEB_NAME]: zipSync({ [FEB_CSV]: strToU8(lines.join('\n')) }) }, (error) => {
        assert.ok(error instanceof EmptyArchiveError, String(error));
        return error.message.includes(FEB_NAME);
      });
    }
  });

  it('silent nothing: a symbol the folder does not hold', async () => {
    const before = await lakeSnapshot(lake.dir);
    const source = archiveSource(new LocalArchiveSource(ARCHIVE_MONTH_DIR));
    await assert.rejects(ingest({ store: lake.store, source, symbols: ['NOSUCHUSDT'] }), (error) => {
      assert.ok(error instanceof SymbolNotInSourceError, String(error));
      assert.deepEqual(error.data, {
        source: `archive:${ARCHIVE_MONTH_DIR}`,
        symbol: 'NOSUCHUSDT',
        available: ARCHIVE_MONTH_SYMBOLS,
      });
      return /NOSUCHUSDT/.test(error.message) && /LINKUSDT/.test(error.hint ?? '');
    });
    assert.deepEqual(await lakeSnapshot(lake.dir), before);
  });

  it('silent nothing: a range the folder has no candle in fails, naming the symbol and why', async () => {
    await refused(
      { [FEB_NAME]: realZip() },
      (error) => {
        assert.ok(error instanceof NothingIngestedError, String(error));
        assert.equal(error.data.result.symbols[SYMBOL]!.status, 'nothing-in-range');
        return /LINKUSDT: .* has no LINKUSDT candle in 2026-03-01T00:00Z \.\. 2026-04-01T00:00Z/.test(
          error.message,
        );
      },
      { fromMs: MAR_1_MS, toMs: Date.UTC(2026, 3, 1) },
    );
  });

  it('silent nothing: --from after --to', async () => {
    await refused({ [FEB_NAME]: realZip() }, (error) => error instanceof InvalidIngestRangeError, {
      fromMs: MAR_1_MS,
      toMs: FEB_1_MS,
    });
  });

  it('silent nothing: an impossible date, and epoch seconds, are errors', () => {
    assert.throws(
      () => parseTimeMs('2026-02-30', '--from'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidTimeError);
        assert.deepEqual(error.data, { what: '--from', input: '2026-02-30', reason: 'no-such-date' });
        return /--from "2026-02-30" is not a real date/.test(error.message);
      },
    );
    assert.throws(
      () => parseTimeMs('1769904000', '--from'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidTimeError);
        assert.equal(error.data.reason, 'epoch-seconds');
        return /looks like epoch seconds \(2026-02-01T00:00:00.000Z\)/.test(error.message);
      },
    );
    assert.equal(parseTimeMs('1769904000000'), FEB_1_MS);
  });

  it('re-ingesting the same archive stores nothing and says so', async () => {
    const before = await lakeSnapshot(lake.dir);
    const result = await ingest({
      store: lake.store,
      source: archiveSource(new LocalArchiveSource(ARCHIVE_MONTH_DIR)),
      symbols: [SYMBOL],
      fromMs: FEB_1_MS,
    });
    assert.equal(result.symbols[SYMBOL]!.status, 'already-stored');
    assert.match(result.symbols[SYMBOL]!.reason, /all 40320 candles were already in the lake/);
    assert.deepEqual(await lakeSnapshot(lake.dir), before);
  });
});

describe('the synthetic market re-ingested', () => {
  it('a sub-range for one symbol (leader, laggard, or outside the universe) reproduces the stored candles: nothing changes', async () => {
    const dir = await tempDir('alpha15-integrity-synthetic-');
    const store = new LocalStore(dir);
    const symbols = ['BTCUSDT', 'SOLUSDT', 'XYZUSDT'];
    await ingest({ store, source: syntheticSource(symbols), symbols });
    const before = await lakeSnapshot(dir);
    // what `ingest --source synthetic --symbols <one> --from 2025-12-15 --to 2025-12-16` runs
    for (const symbol of symbols) {
      const result = await ingest({
        store,
        source: syntheticSource([symbol]),
        symbols: [symbol],
        fromMs: parseTimeMs('2025-12-15'),
        toMs: parseTimeMs('2025-12-16'),
      });
      assert.equal(result.symbols[symbol]!.status, 'already-stored', symbol);
      assert.ok(result.symbols[symbol]!.rowsFetched > 1400, symbol);
    }
    assert.deepEqual(await lakeSnapshot(dir), before);
  });
});

describe('a damaged lake says so and heals', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, ['bin/alpha15.js', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ALPHA15_STORE: '' },
    });
  /** Runs the CLI and returns its exit code and parsed --json stdout, whatever the exit code. */
  /** The --json documents these tests read: a command's result, or `{ error }` when it failed. */
  interface CliJsonBody {
    warnings?: string[];
    problems?: { kind: string; key: string }[];
    rebuilt?: unknown;
    remaining?: unknown;
    error?: { name: string; code: string; hint?: string };
  }
  async function cliJson(...args: string[]): Promise<{ code: number; body: CliJsonBody }> {
    try {
      const { stdout } = await cli(...args, '--json');
      return { code: 0, body: JSON.parse(stdout) };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, body: JSON.parse(failed.stdout) };
    }
  }

  it('a truncated partition: summary warns, ingest points at repair, verify lists exactly it, repair restores the lake', async () => {
    const { store, dir } = await realLake();
    const storeUrl = `file://${dir}`;
    const healthy = await lakeSnapshot(dir);
    const healthySummary = await cliJson('data', 'summary', '--store', storeUrl);
    assert.equal(healthySummary.code, 0);
    assert.equal(healthySummary.body.warnings, undefined);

    const key = partitionKey(SYMBOL, FEB_1_MS);
    await truncate(path.join(dir, key), 1_000_000);

    const warned = await summariseLake(store);
    assert.equal(warned.warnings?.length, 1);
    assert.match(warned.warnings![0]!, new RegExp(`${key} cannot be read`));
    await assert.rejects(
      ingest({
        store,
        source: archiveSource(new LocalArchiveSource(ARCHIVE_MONTH_DIR)),
        symbols: [SYMBOL],
        fromMs: FEB_1_MS,
      }),
      (error) => error instanceof CorruptPartitionError && /alpha15 data repair/.test(cliHint(error) ?? ''),
    );

    const verified = await cliJson('data', 'verify', '--store', storeUrl);
    assert.equal(verified.code, 1);
    assert.deepEqual(
      verified.body.problems?.map((problem) => [problem.kind, problem.key]),
      [['partition-unreadable', key]],
    );

    const repaired = await cliJson('data', 'repair', '--store', storeUrl);
    assert.equal(repaired.code, 0);
    assert.deepEqual(repaired.body.rebuilt, [
      { symbol: SYMBOL, partition: '2026-02', key, from: 'raw', rows: MONTH_ROWS },
    ]);
    assert.deepEqual(repaired.body.remaining, []);

    const clean = await cliJson('data', 'verify', '--store', storeUrl);
    assert.equal(clean.code, 0);
    assert.deepEqual(clean.body.problems, []);
    assert.deepEqual(await cliJson('data', 'summary', '--store', storeUrl), healthySummary);
    assert.deepEqual(
      await lakeSnapshot(dir),
      healthy,
      'the rebuilt partition is the original, byte for byte',
    );
  });

  it('a deleted partition under a stale watermark: ingest notices, refills it and fixes the watermark', async () => {
    const { store, dir } = await realLake();
    const healthy = await lakeSnapshot(dir);
    const summary = await summariseLake(store);
    await store.delete(partitionKey(SYMBOL, FEB_1_MS));
    assert.match(
      (await summariseLake(store)).warnings?.[0] ?? '',
      /in the watermark but its partition is missing/,
    );

    const result = await ingest({
      store,
      source: archiveSource(new LocalArchiveSource(ARCHIVE_MONTH_DIR)),
      symbols: [SYMBOL],
    });
    assert.equal(
      result.symbols[SYMBOL]!.fromMs,
      FEB_1_MS,
      'resumed at the lost partition, not after the watermark',
    );
    assert.equal(result.symbols[SYMBOL]!.rowsAdded, MONTH_ROWS);
    assert.deepEqual(await summariseLake(store), summary);
    assert.deepEqual(await lakeSnapshot(dir), healthy);
  });

  it('without raw archives, repair needs a source: it says so, and with --source re-fetches the partition', async () => {
    const dir = await tempDir('alpha15-integrity-repair-source-');
    const store = new LocalStore(dir);
    await ingest({ store, source: syntheticSource(['ETHUSDT']), symbols: ['ETHUSDT'] });
    const healthy = await lakeSnapshot(dir);
    const summary = await summariseLake(store);
    const [november] = await store.list('curated/klines/symbol=ETHUSDT/');
    await truncate(path.join(dir, november!), 100);

    const withoutSource = await repairLake(store);
    assert.deepEqual(withoutSource.rebuilt, []);
    assert.deepEqual(
      withoutSource.remaining.map((problem) => [problem.kind, problem.key]),
      [['partition-unreadable', november]],
    );
    const withSource = await repairLake(store, { source: syntheticSource(['ETHUSDT']) });
    assert.deepEqual(
      withSource.rebuilt.map((partition) => [partition.key, partition.from]),
      [[november, 'source']],
    );
    assert.deepEqual(withSource.remaining, []);
    assert.deepEqual(await summariseLake(store), summary);
    assert.deepEqual(await lakeSnapshot(dir), healthy);
  });

  it('the CLI exits non-zero when nothing matched: an unknown symbol, and --from after --to', async () => {
    const dir = await tempDir('alpha15-integrity-cli-');
    const source = `archive:${ARCHIVE_MONTH_DIR}`;
    const unknown = await cliJson(
      'ingest',
      '--source',
      source,
      '--symbols',
      'NOSUCHUSDT',
      '--store',
      `file://${dir}`,
    );
    assert.equal(unknown.code, 1);
    assert.equal(unknown.body.error?.name, 'SymbolNotInSourceError');
    const reversed = await cliJson(
      'ingest',
      '--source',
      source,
      '--symbols',
      SYMBOL,
      '--from',
      '2026-03-01',
      '--to',
      '2026-02-01',
      '--store',
      `file://${dir}`,
    );
    assert.equal(reversed.code, 1);
    assert.equal(reversed.body.error?.code, 'INGEST_RANGE_EMPTY');
    assert.deepEqual(await lakeSnapshot(dir), {});
  });
});

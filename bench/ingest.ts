/**
 * Archive-to-lake throughput: the shared real month (7 symbols, 282,240 rows) from zip archives into a
 * fresh local lake, end to end (read, sha256, unzip, CSV parse, Parquet encode, atomic writes, raw
 * copies, watermarks), beside pandas' read_csv of the same zips (Debian's /usr/bin/python3, when
 * `import pandas` works). Also the lake's read rate (readFrame of the whole month), which training uses.
 * Each side runs --runs times; the best run counts, the first (cold) one is shown too.
 *
 *   npm run bench:ingest [-- --runs 3] [--dir ../shared/data/binance-archive/2026-02] [--json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ingest } from '../src/app/ingest.js';
import { readFrame } from '../src/lake/reader.js';
import { LocalArchiveSource } from '../src/market/archive-source.js';
import { archiveSource } from '../src/market/source.js';
import { LocalStore } from '../src/store/local-store.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    dir: { type: 'string', default: path.resolve(repoRoot, '../shared/data/binance-archive/2026-02') },
    json: { type: 'boolean', default: false },
  },
});
const runs = Math.max(1, Number(flags.runs));
const archiveDir = path.resolve(flags.dir!);
const log = (line: string) => flags.json || console.error(line);

interface Run {
  rows: number;
  seconds: number;
  /** CPU time of the whole process (all threads): a fairer yardstick than wall time on a busy machine. */
  cpuSeconds: number;
}

async function ingestOnce(): Promise<Run & { readSeconds: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-bench-ingest-'));
  try {
    const store = new LocalStore(dir);
    const archives = new LocalArchiveSource(archiveDir);
    const symbols = await archives.symbols();
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const result = await ingest({ store, source: archiveSource(archives), symbols });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const rows = Object.values(result.symbols).reduce((sum, symbol) => sum + symbol.rowsAdded, 0);
    const firstMs = Math.min(...Object.values(result.symbols).map((symbol) => symbol.first ?? Infinity));
    const lastMs = Math.max(...Object.values(result.symbols).map((symbol) => symbol.last ?? -Infinity));
    const readStarted = performance.now();
    await readFrame(store, symbols, firstMs, lastMs + 60_000);
    return {
      rows,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      readSeconds: (performance.now() - readStarted) / 1000,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One pandas run; undefined with the reason when Debian's python3 has no pandas. */
function pandasRun(): (Run & { version: string }) | { skipped: string } {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import pandas'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { skipped: `${python} cannot import pandas` };
  const run = spawnSync(
    python,
    [path.join(repoRoot, 'bench/pandas_read_csv.py'), archiveDir, '--runs', '1'],
    { encoding: 'utf8' },
  );
  if (run.status !== 0)
    return { skipped: `pandas_read_csv.py failed: ${run.stderr.trim().split('\n').at(-1)}` };
  const parsed = JSON.parse(run.stdout) as {
    rows: number;
    seconds: number[];
    cpuSeconds: number[];
    pandas: string;
  };
  return {
    rows: parsed.rows,
    seconds: parsed.seconds[0]!,
    cpuSeconds: parsed.cpuSeconds[0]!,
    version: parsed.pandas,
  };
}

// alpha15 and pandas take turns, so both see the same load on a shared machine
const alpha15: (Run & { readSeconds: number })[] = [];
const pandasRuns: Run[] = [];
let pandasSkipped: string | undefined;
let pandasVersion = '';
let pandasRows = 0;
for (let i = 0; i < runs; i++) {
  const run = await ingestOnce();
  alpha15.push(run);
  log(
    `alpha15 ingest run ${i + 1}: ${run.rows} rows in ${run.seconds.toFixed(3)} s (cpu ${run.cpuSeconds.toFixed(3)} s) = ${Math.round(run.rows / run.seconds)} rows/s; readFrame ${run.readSeconds.toFixed(3)} s`,
  );
  if (pandasSkipped) continue;
  const pandas = pandasRun();
  if ('skipped' in pandas) {
    pandasSkipped = pandas.skipped;
    log(`pandas: skipped (${pandas.skipped})`);
    continue;
  }
  pandasRuns.push(pandas);
  pandasVersion = pandas.version;
  pandasRows = pandas.rows;
  log(
    `pandas ${pandas.version} read_csv run ${i + 1}: ${pandas.rows} rows in ${pandas.seconds.toFixed(3)} s (cpu ${pandas.cpuSeconds.toFixed(3)} s) = ${Math.round(pandas.rows / pandas.seconds)} rows/s`,
  );
}
const rows = alpha15[0]!.rows;
const best = (values: number[]) => Math.min(...values);
const bestSeconds = best(alpha15.map((run) => run.seconds));
const ingestRowsPerSecond = rows / bestSeconds;
const ingestRowsPerCpuSecond = rows / best(alpha15.map((run) => run.cpuSeconds));
const readRowsPerSecond = rows / best(alpha15.map((run) => run.readSeconds));
const pandasRowsPerSecond =
  pandasRuns.length > 0 ? pandasRows / best(pandasRuns.map((run) => run.seconds)) : undefined;
const pandasRowsPerCpuSecond =
  pandasRuns.length > 0 ? pandasRows / best(pandasRuns.map((run) => run.cpuSeconds)) : undefined;

const report = {
  archiveDir,
  rows,
  runs,
  ingest: {
    bestSeconds,
    coldSeconds: alpha15[0]!.seconds,
    rowsPerSecond: Math.round(ingestRowsPerSecond),
    coldRowsPerSecond: Math.round(rows / alpha15[0]!.seconds),
    rowsPerCpuSecond: Math.round(ingestRowsPerCpuSecond),
  },
  readFrame: { rowsPerSecond: Math.round(readRowsPerSecond) },
  pandasReadCsv: pandasRowsPerSecond
    ? {
        version: pandasVersion,
        rows: pandasRows,
        bestSeconds: best(pandasRuns.map((run) => run.seconds)),
        rowsPerSecond: Math.round(pandasRowsPerSecond),
        rowsPerCpuSecond: Math.round(pandasRowsPerCpuSecond!),
      }
    : { skipped: pandasSkipped },
  /** alpha15 end-to-end ingest rate over pandas' read_csv rate; the target is >= 1. */
  ratioToPandas: pandasRowsPerSecond ? Number((ingestRowsPerSecond / pandasRowsPerSecond).toFixed(3)) : null,
  /** The same ratio on CPU time, which a busy shared machine distorts less. */
  cpuRatioToPandas: pandasRowsPerCpuSecond
    ? Number((ingestRowsPerCpuSecond / pandasRowsPerCpuSecond).toFixed(3))
    : null,
};

if (flags.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  console.log(
    `ingest (archive -> lake, end to end): ${report.ingest.rowsPerSecond.toLocaleString('en')} rows/s best, ${report.ingest.coldRowsPerSecond.toLocaleString('en')} rows/s cold`,
  );
  console.log(
    `readFrame (lake -> grid):             ${report.readFrame.rowsPerSecond.toLocaleString('en')} rows/s`,
  );
  if (pandasRowsPerSecond) {
    console.log(
      `pandas read_csv (parse only):         ${Math.round(pandasRowsPerSecond).toLocaleString('en')} rows/s`,
    );
    console.log(
      `ratio ingest / pandas:                ${report.ratioToPandas} wall, ${report.cpuRatioToPandas} cpu (target >= 1)`,
    );
  }
}

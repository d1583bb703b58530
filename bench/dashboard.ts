/**
 * The local dashboard at a year of trading. The ledger is a year of minute ticks written through the
 * real Ledger API as the tick writes them (bench/support/year-ledger.ts): 525,600 decisions and tick
 * outcomes, 100,000 closed trades, a few open positions. It is built once into a folder and reused.
 *
 * The dashboard server runs in its own process (bench/support/serve.ts). Each round the bench ticks one
 * more minute into the ledger (due exits, decision, entries, outcome, as the trader does) and then sends
 * `--concurrency` simultaneous `GET /api/summary` (the reproduction used 200):
 *   - cold: right after the new minute is written, the first requests after a new ledger version;
 *   - freshness: how long after the write the server first answers with the new minute;
 *   - warm: once it does, the same burst again.
 * The reference, in the same run and on the same machine: a server process answering the same gzipped
 * bytes from memory (nothing looked at, nothing computed), hit with the same burst in every round. Both the absolute
 * figures and the ratio to that reference are printed, with the load average before and after.
 *
 * Before the server starts, the finished days are compacted as the daily Lambda does (`--no-compact`
 * skips it), day summaries included, so the first answer after a start counts the compacted days from
 * their summaries, not from 100,000 trade objects. The first answer after the start is held to its
 * target (2 s) on a line of its own: PASS or FAIL, with the trade count and the load average.
 *
 *   npm run bench:dashboard -- [--trades 100000] [--days 365] [--concurrency 200] [--rounds 8]
 *     [--ledger-dir <dir>] [--cpu-prof-dir <dir>] [--no-compact] [--json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_SYMBOLS } from '../src/config/defaults.js';
import type { DashboardSummary } from '../src/paper/dashboard/summary.js';
import { compactLedger } from '../src/app/compact-ledger.js';
import { DAY_MS, MINUTE_MS, parseTimeMs } from '../src/time.js';
import { YearLedger } from './support/year-ledger.js';

const { values: flags } = parseArgs({
  options: {
    trades: { type: 'string', default: '100000' },
    days: { type: 'string', default: '365' },
    concurrency: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '8' },
    'ledger-dir': { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
    'no-compact': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const log = (line: string) => flags.json || console.error(line);
const tradeCount = Number(flags.trades);
const days = Number(flags.days);
const concurrency = Number(flags.concurrency);
const rounds = Number(flags.rounds);
for (const [name, value] of Object.entries({ trades: tradeCount, days, concurrency, rounds }))
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number from 1`);
const ledgerDir =
  flags['ledger-dir'] ?? path.join(tmpdir(), `alpha15-bench-dashboard-${tradeCount}t-${days}d`);
const SERVE = fileURLToPath(new URL('./support/serve.ts', import.meta.url));
/** The server looks at the ledger at most once a second (its default minRefreshMs). */
const MIN_REFRESH_MS = 1_000;
const FRESHNESS_TIMEOUT_MS = 120_000;

const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(' ');

/** Starts a server process and resolves with the URL it prints. */
async function startServer(mode: 'dashboard' | 'static', target: string, profile: boolean) {
  const profiling =
    profile && flags['cpu-prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof-dir']}`] : [];
  const child = spawn(process.execPath, [...profiling, '--import', 'tsx', SERVE, mode, target], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${mode} server exited with code ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  return { url, child };
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Plain http GETs (lighter than fetch, so the bench measures the server more than its client). */
const agent = new Agent({ keepAlive: false, maxSockets: concurrency });
function timedGet(url: string, keepBody = false): Promise<{ ms: number; body?: Buffer }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { 'accept-encoding': 'gzip' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => keepBody && chunks.push(chunk));
      response.on('end', () =>
        response.statusCode === 200
          ? resolve({ ms: performance.now() - started, body: keepBody ? Buffer.concat(chunks) : undefined })
          : reject(new Error(`HTTP ${response.statusCode} from ${url}`)),
      );
    }).on('error', reject);
  });
}

async function burst(url: string): Promise<number[]> {
  const answers = await Promise.all(Array.from({ length: concurrency }, () => timedGet(url)));
  return answers.map((answer) => answer.ms);
}

async function summaryAt(url: string): Promise<{ ms: number; gzipped: Buffer; summary: DashboardSummary }> {
  const { ms, body } = await timedGet(url, true);
  return { ms, gzipped: body!, summary: JSON.parse(gunzipSync(body!).toString('utf8')) as DashboardSummary };
}

function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const quantiles = (values: readonly number[]) => ({
  p50Ms: percentile(values, 0.5),
  p95Ms: percentile(values, 0.95),
  maxMs: Math.max(...values),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const year = new YearLedger(ledgerDir, {
  symbols: [...DEFAULT_SYMBOLS],
  trades: tradeCount,
  days,
  firstMinuteMs: parseTimeMs('2025-01-01'),
  horizonMinutes: 15,
});
log(`ledger: ${ledgerDir}`);
const built = await year.build(log);
// what the daily ledger-compaction Lambda keeps doing in a deployment: every finished day rolled into
// Parquet, which the dashboard's first look reads instead of one JSON object per trade. `--no-compact`
// measures a ledger nobody compacted (a bench folder compacted before stays compacted).
if (!flags['no-compact']) {
  const compactStartedMs = performance.now();
  const compacted = await compactLedger({
    store: year.store,
    horizonMinutes: year.shape.horizonMinutes,
    nowMs: () => year.minuteMs(year.totalMinutes) + DAY_MS,
  });
  log(
    `ledger compaction: ${compacted.written} day files written, ${compacted.unchanged} unchanged ` +
      `(${((performance.now() - compactStartedMs) / 1000).toFixed(0)} s)`,
  );
}
// earlier runs ticked on past the year: carry on from the newest minute
const span = (await year.ledger.tickSpan())!;
let nextMinute = (span.toMs - year.shape.firstMinuteMs) / MINUTE_MS;
log(
  `ledger ${built} (${year.totalMinutes} minutes a year, ${nextMinute - year.totalMinutes} ticked since); load ${loadAverage()}`,
);

const loadBefore = loadAverage();
const dashboard = await startServer('dashboard', ledgerDir, true);
let reference: Awaited<ReturnType<typeof startServer>> | undefined;
const cold: number[] = [];
const warm: number[] = [];
const referenceLatencies: number[] = [];
const freshnessMs: number[] = [];
let startupMs: number;
let last: Awaited<ReturnType<typeof summaryAt>>;
try {
  // the server's very first answer: nothing cached yet, the whole ledger is read once
  last = await summaryAt(dashboard.url);
  startupMs = last.ms;
  log(`first answer after start: ${startupMs.toFixed(0)} ms, ${last.summary.totals.trades} trades`);
  // the reference: the same answer's bytes served from memory by a bare server, hit in every round
  const bytesFile = path.join(ledgerDir, 'bench-summary.json.gz');
  await writeFile(bytesFile, last.gzipped);
  reference = await startServer('static', bytesFile, false);
  for (let round = 1; round <= rounds; round++) {
    await sleep(MIN_REFRESH_MS);
    const minute = nextMinute++;
    await year.tick(minute);
    const writtenAt = performance.now();
    const expectedToMs = year.minuteMs(minute) + MINUTE_MS;
    const coldRound = await burst(dashboard.url);
    cold.push(...coldRound);
    for (;;) {
      last = await summaryAt(dashboard.url);
      if (last.summary.span?.toMs === expectedToMs) break;
      if (performance.now() - writtenAt > FRESHNESS_TIMEOUT_MS)
        throw new Error(`the dashboard did not show minute ${minute} within ${FRESHNESS_TIMEOUT_MS} ms`);
      await sleep(20);
    }
    freshnessMs.push(performance.now() - writtenAt);
    const warmRound = await burst(dashboard.url);
    warm.push(...warmRound);
    const referenceRound = await burst(reference.url);
    referenceLatencies.push(...referenceRound);
    log(
      `round ${round}/${rounds}: cold p95 ${percentile(coldRound, 0.95).toFixed(0)} ms, new minute shown after ` +
        `${freshnessMs.at(-1)!.toFixed(0)} ms, warm p95 ${percentile(warmRound, 0.95).toFixed(0)} ms, ` +
        `reference p95 ${percentile(referenceRound, 0.95).toFixed(0)} ms; ${last.summary.totals.trades} trades; ` +
        `load ${loadAverage()}`,
    );
  }
} finally {
  await stopServer(dashboard.child);
  if (reference) await stopServer(reference.child);
  agent.destroy();
}

const result = {
  machine: `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} vCPU, Node ${process.version}`,
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadAverage(),
  ledger: {
    days,
    closedTrades: last.summary.totals.trades,
    tickedMinutes: nextMinute,
    openPositions: last.summary.totals.openPositions,
  },
  concurrency,
  rounds,
  compacted: !flags['no-compact'],
  startupFirstAnswerMs: startupMs,
  targetStartupMs: 2_000,
  startupWithinTarget: startupMs <= 2_000,
  cold: quantiles(cold),
  freshness: quantiles(freshnessMs),
  warm: quantiles(warm),
  reference: quantiles(referenceLatencies),
  coldP95VsReference: percentile(cold, 0.95) / percentile(referenceLatencies, 0.95),
  warmP95VsReference: percentile(warm, 0.95) / percentile(referenceLatencies, 0.95),
  answerGzipKiB: last.gzipped.length / 1024,
  targetP95Ms: 200,
};
if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else
  console.log(
    [
      `${result.ledger.closedTrades} trades, ${result.ledger.tickedMinutes} ticked minutes; ${rounds} rounds of ${concurrency} concurrent GET /api/summary`,
      `  cold (right after a new minute): p50 ${result.cold.p50Ms.toFixed(0)} ms, p95 ${result.cold.p95Ms.toFixed(0)} ms (${result.coldP95VsReference.toFixed(2)}x reference)`,
      `  warm:                            p50 ${result.warm.p50Ms.toFixed(0)} ms, p95 ${result.warm.p95Ms.toFixed(0)} ms (${result.warmP95VsReference.toFixed(2)}x reference)`,
      `  new minute shown after:          p50 ${result.freshness.p50Ms.toFixed(0)} ms, max ${result.freshness.maxMs.toFixed(0)} ms; first answer after start ${startupMs.toFixed(0)} ms`,
      `  reference (the same ${result.answerGzipKiB.toFixed(0)} KiB gzipped, served from memory by a bare server): p50 ${result.reference.p50Ms.toFixed(0)} ms, p95 ${result.reference.p95Ms.toFixed(0)} ms`,
      `  ${result.machine}; load average ${result.loadAverageBefore} before, ${result.loadAverageAfter} after (target p95 < 200 ms)`,
      `${startupMs <= result.targetStartupMs ? 'PASS' : 'FAIL'}: first answer after restart ${startupMs.toFixed(0)} ms ` +
        `at ${result.ledger.closedTrades} trades (target ${result.targetStartupMs} ms, ` +
        `${result.compacted ? 'compacted' : 'not compacted'}; load average ${result.loadAverageBefore})`,
    ].join('\n'),
  );

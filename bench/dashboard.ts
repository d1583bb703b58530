/**
 * The local dashboard at a year of trading: a ledger of 100,000 closed trades (20 pairs, a year of exit
 * minutes, seeded prices), 20 open positions, the latest decision and a week of tick outcomes, served by
 * `startDashboardServer` and hit with rounds of concurrent `/api/summary` requests. Between rounds one
 * more trade closes, so every round after the first also pays for a look at the ledger and a
 * re-aggregation, as a live dashboard does. The reference, in the same run, is what every request cost
 * before the server aggregated and cached: reading the whole ledger and summarising it once.
 *
 *   npm run bench:dashboard -- [--trades 100000] [--concurrency 200] [--rounds 10] [--json]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SYMBOLS } from '../src/config/defaults.js';
import { closeTrade } from '../src/paper/close-trade.js';
import { LedgerView } from '../src/paper/dashboard/ledger-view.js';
import { startDashboardServer } from '../src/ui/dashboard/server.js';
import { summarise } from '../src/paper/dashboard/summary.js';
import { Ledger, tradeIdOf } from '../src/paper/ledger.js';
import type { Decision, Position, TickOutcome } from '../src/paper/records.js';
import { mulberry32 } from '../src/random.js';
import { LocalStore } from '../src/store/local-store.js';
import { DAY_MS, MINUTE_MS, parseTimeMs } from '../src/time.js';

const { values: flags } = parseArgs({
  options: {
    trades: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const log = (line: string) => flags.json || console.error(line);
const tradeCount = Number(flags.trades);
const concurrency = Number(flags.concurrency);
const rounds = Number(flags.rounds);
const symbols = [...DEFAULT_SYMBOLS];
const HORIZON_MS = 15 * MINUTE_MS;
const startMs = parseTimeMs('2025-01-01');
const yearMinutes = 365 * 24 * 60;
const TICK_DAYS = 7;

const random = mulberry32(15);
function position(index: number): Position {
  // spread over a year, one pair per entry minute, so every trade id is distinct
  const minute = Math.floor((index * yearMinutes) / tradeCount);
  const symbol = symbols[index % symbols.length]!;
  const entryTimeMs = startMs + minute * MINUTE_MS;
  const prediction = (random() - 0.5) * 0.01;
  return {
    tradeId: tradeIdOf(symbol, entryTimeMs),
    symbol,
    side: prediction >= 0 ? 'long' : 'short',
    entryTimeMs,
    exitTimeMs: entryTimeMs + HORIZON_MS,
    entryPrice: 100 * (1 + (random() - 0.5) * 0.2),
    prediction,
    calibratedPrediction: prediction,
    threshold: prediction >= 0 ? 0.002 : -0.002,
    modelId: '20250101T000000Z-abc123',
    notional: 1000,
    feeRatePerSide: 0.001,
    fill: 'close',
    slippageRatePerSide: 0,
    entryQuote: null,
  };
}

async function inBatches(count: number, size: number, write: (index: number) => Promise<unknown>) {
  for (let start = 0; start < count; start += size) {
    await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, i) => write(start + i)));
    if ((start / size) % 40 === 0) log(`  ${start + size} / ${count}`);
  }
}

/** One plain http GET (lighter than fetch, so the bench measures the server more than its client). */
const agent = new Agent({ keepAlive: false, maxSockets: Number(flags.concurrency) });
function timedGet(url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { 'accept-encoding': 'gzip' } }, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200
          ? resolve(performance.now() - started)
          : reject(new Error(`HTTP ${response.statusCode}`)),
      );
    }).on('error', reject);
  });
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-bench-dashboard-'));
try {
  const store = new LocalStore(dir);
  const ledger = new Ledger(store);
  log(`writing ${tradeCount} trades, ${symbols.length} open positions, ${TICK_DAYS} days of ticks...`);
  const closeOf = (index: number) => {
    const opened = position(index);
    const exitPrice = opened.entryPrice * (1 + (random() - 0.5) * 0.01);
    return closeTrade(
      opened,
      { fillTimeMs: opened.exitTimeMs, referencePrice: exitPrice, quote: null },
      opened.exitTimeMs + 2_000,
    );
  };
  await inBatches(tradeCount, 256, (index) => ledger.closePosition(closeOf(index)));
  const lastMinuteMs = startMs + (yearMinutes - 1) * MINUTE_MS;
  await Promise.all(
    symbols.map((symbol, i) =>
      ledger.openPosition({
        ...position(i),
        tradeId: tradeIdOf(symbol, lastMinuteMs - i * MINUTE_MS),
        symbol,
        entryTimeMs: lastMinuteMs - i * MINUTE_MS,
        exitTimeMs: lastMinuteMs - i * MINUTE_MS + HORIZON_MS,
      }),
    ),
  );
  const decision: Decision = {
    version: 1,
    minuteMs: lastMinuteMs,
    createdAtMs: lastMinuteMs + 62_000,
    modelId: '20250101T000000Z-abc123',
    predictions: symbols.map((symbol) => ({
      symbol,
      prediction: 0.001,
      calibratedPrediction: 0.001,
      longThreshold: 0.002,
      shortThreshold: -0.002,
      close: 100,
      action: 'none',
    })),
    staleSymbols: [],
    entries: [],
  };
  await ledger.createDecision(decision);
  const tickMinutes = (TICK_DAYS * DAY_MS) / MINUTE_MS;
  await inBatches(tickMinutes, 256, (i) => {
    const minuteMs = lastMinuteMs - (tickMinutes - 1 - i) * MINUTE_MS;
    const outcome: TickOutcome = {
      minuteMs,
      status: 'ok',
      modelId: decision.modelId,
      predicted: symbols.length,
      opened: 0,
      closed: 0,
      reconciledMinutesMs: [],
      staleSymbols: [],
      lateSymbols: [],
      quarantined: [],
      exitsPending: [],
      telemetryFailed: 0,
      durationMs: 150,
      finishedAtMs: minuteMs + 61_000,
    };
    return ledger.recordTick(outcome);
  });

  // the reference: one uncached read of the whole ledger and its aggregation, the old cost of every request
  const referenceStarted = performance.now();
  const reference = summarise(await new LedgerView(store).snapshot(), Date.now());
  const referenceMs = performance.now() - referenceStarted;
  log(
    `reference (whole ledger read and summarised once): ${referenceMs.toFixed(0)} ms, ${reference.totals.trades} trades`,
  );

  const dashboard = await startDashboardServer({ store });
  try {
    const summaryUrl = `${dashboard.url}api/summary`;
    const coldStarted = performance.now();
    const coldBody = await (await fetch(summaryUrl)).text();
    const coldMs = performance.now() - coldStarted;
    log(`first request (cold cache): ${coldMs.toFixed(0)} ms, ${(coldBody.length / 1024).toFixed(0)} KiB`);

    const latenciesMs: number[] = [];
    let extra = 0;
    for (let round = 0; round < rounds; round++) {
      // one more closed trade and past the refresh interval: this round looks at the ledger again
      await ledger.closePosition(closeOf(tradeCount + extra++));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const roundLatencies = await Promise.all(
        Array.from({ length: concurrency }, () => timedGet(summaryUrl)),
      );
      latenciesMs.push(...roundLatencies);
      log(
        `round ${round + 1}/${rounds}: p95 ${percentile(
          [...roundLatencies].sort((a, b) => a - b),
          0.95,
        ).toFixed(0)} ms`,
      );
    }
    latenciesMs.sort((a, b) => a - b);
    const result = {
      machine: `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} vCPU, load ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}`,
      trades: tradeCount + extra,
      concurrency,
      requests: latenciesMs.length,
      p50Ms: percentile(latenciesMs, 0.5),
      p95Ms: percentile(latenciesMs, 0.95),
      maxMs: latenciesMs.at(-1)!,
      coldFirstRequestMs: coldMs,
      referenceFullReadMs: referenceMs,
      summaryKiB: coldBody.length / 1024,
      targetP95Ms: 200,
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else
      console.log(
        `${result.requests} requests, ${concurrency} at a time, ${result.trades} trades: p50 ${result.p50Ms.toFixed(0)} ms, ` +
          `p95 ${result.p95Ms.toFixed(0)} ms (target < 200), max ${result.maxMs.toFixed(0)} ms; ` +
          `reference full read ${referenceMs.toFixed(0)} ms; answer ${result.summaryKiB.toFixed(0)} KiB; ${result.machine}`,
      );
  } finally {
    agent.destroy();
    await dashboard.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

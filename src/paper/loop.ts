/**
 * Runs the tick on every minute boundary of the SERVER's clock (`/api/v3/time`), a few seconds after
 * the boundary so the minute's candle has closed. Against the replay server at speed X the loop
 * therefore runs X times faster than real time. A tick in progress always finishes; an abort (Ctrl-C)
 * stops the loop between ticks.
 *
 * The loop outlives any exchange outage: a clock read that fails (refused, 5xx, hung past the client's
 * timeout) is retried with exponential backoff, never thrown, and when the exchange answers again the
 * minutes that could not be ticked are reported one by one. The first tick after the outage closes every
 * position that fell due meanwhile at its own exit minute's close (the tick's catch-up), so the ledger
 * holds what an uninterrupted run would have for every minute that was ticked.
 */
import { backoffDelayMs } from '../retry.js';
import { MINUTE_MS, floorToMinute, systemClock, type Clock } from '../time.js';
import { tick, type TickDeps, type TickResult } from './tick.js';

export interface PaperLoopOptions {
  deps: TickDeps;
  /** The tick to run each minute; default `tick`. The use case (src/app/paper-tick.ts) adds its rules. */
  runTick?: (nowMs: number, deps: TickDeps) => Promise<TickResult>;
  serverTimeMs: () => Promise<number>;
  /** Stop before the first tick whose server time is at or after this. */
  untilMs?: number;
  once?: boolean;
  signal?: AbortSignal;
  /** Server time after each minute boundary to wait before ticking. */
  tickDelayMs?: number;
  onTick?: (result: TickResult) => void;
  /** Called for a tick that threw; the loop carries on with the next minute (except with `once`). */
  onError?: (error: unknown, nowMs: number) => void;
  /** Called when the exchange clock cannot be read; the loop retries after `retryInMs` of real time. */
  onClockError?: (error: unknown, retryInMs: number) => void;
  /** Called once for each minute between two ticks that got no tick, with the last problem seen. */
  onMissedMinute?: (minuteMs: number, reason: string) => void;
  /** Longest real wait between server clock checks. */
  maxPollMs?: number;
  /** Real-time backoff between failed clock reads: doubles from initialMs up to maxMs. */
  backoff?: { initialMs: number; maxMs: number };
  /** Real time, which the loop sleeps on between clock reads (default: the system clock). */
  clock?: Clock;
}

export interface PaperLoopSummary {
  ticks: number;
  duplicates: number;
  failedTicks: number;
  /** Minutes between the first and the last tick that got no tick (outage or failed tick). */
  missedMinutes: number;
  /** Clock reads that failed (exchange unreachable). */
  clockFailures: number;
  opened: number;
  closed: number;
  netPnl: number;
  firstMinuteMs: number | null;
  lastMinuteMs: number | null;
  stoppedBy: 'once' | 'until' | 'signal';
}

const DEFAULT_BACKOFF = { initialMs: 1_000, maxMs: 30_000 };

export async function runPaperLoop(options: PaperLoopOptions): Promise<PaperLoopSummary> {
  const tickDelayMs = options.tickDelayMs ?? 2_000;
  const maxPollMs = options.maxPollMs ?? 1_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const summary: PaperLoopSummary = {
    ticks: 0,
    duplicates: 0,
    failedTicks: 0,
    missedMinutes: 0,
    clockFailures: 0,
    opened: 0,
    closed: 0,
    netPnl: 0,
    firstMinuteMs: null,
    lastMinuteMs: null,
    stoppedBy: 'signal',
  };
  const realClock = options.clock ?? systemClock;
  const clock = new ServerClock(options.serverTimeMs, realClock);
  /** Server time at which the next tick is due; undefined: tick as soon as the clock answers. */
  let dueMs: number | undefined;
  let clockFailuresInARow = 0;
  let retryInMs = backoff.initialMs;
  let lastProblem = 'no tick ran';
  for (;;) {
    if (options.signal?.aborted) return summary;
    let nowMs: number | undefined;
    try {
      nowMs =
        dueMs === undefined ? await clock.now() : await clock.waitUntil(dueMs, options.signal, maxPollMs);
    } catch (error) {
      // the exchange is unreachable: an outage of any length must not end a long-running trader
      if (options.once) throw error;
      summary.clockFailures++;
      lastProblem = `exchange unreachable: ${messageOf(error)}`;
      options.onClockError?.(error, retryInMs);
      if (!(await realClock.sleep(retryInMs, options.signal))) return summary;
      retryInMs = backoffDelayMs(++clockFailuresInARow, {
        baseMs: backoff.initialMs,
        maxMs: backoff.maxMs,
        jitter: 'none',
      });
      continue;
    }
    if (nowMs === undefined) return summary;
    clockFailuresInARow = 0;
    retryInMs = backoff.initialMs;
    if (options.untilMs !== undefined && nowMs >= options.untilMs) return { ...summary, stoppedBy: 'until' };
    dueMs = floorToMinute(nowMs) + MINUTE_MS + tickDelayMs;
    let result: TickResult;
    try {
      result = await (options.runTick ?? tick)(nowMs, options.deps);
    } catch (error) {
      // one failed minute (exchange or store unreachable) must not end a long-running trader: the next
      // tick repairs whatever this one left half-written
      if (options.once) throw error;
      summary.failedTicks++;
      lastProblem = `tick failed: ${messageOf(error)}`;
      options.onError?.(error, nowMs);
      continue;
    }
    if (summary.lastMinuteMs !== null) {
      for (
        let missedMs = summary.lastMinuteMs + MINUTE_MS;
        missedMs < result.minuteMs;
        missedMs += MINUTE_MS
      ) {
        summary.missedMinutes++;
        options.onMissedMinute?.(missedMs, lastProblem);
      }
    }
    if (result.status === 'duplicate') summary.duplicates++;
    // a minute skipped by rule (no champion yet) is neither ticked nor missed
    else if (result.status === 'ok') summary.ticks++;
    summary.opened += result.opened.length;
    summary.closed += result.closed.length;
    summary.netPnl += result.closed.reduce((sum, trade) => sum + trade.netPnl, 0);
    summary.firstMinuteMs ??= result.minuteMs;
    summary.lastMinuteMs = result.minuteMs;
    options.onTick?.(result);
    if (options.once) return { ...summary, stoppedBy: 'once' };
    if (options.untilMs !== undefined && dueMs >= options.untilMs) return { ...summary, stoppedBy: 'until' };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The server's clock, with its speed relative to ours estimated from successive readings. */
class ServerClock {
  private last: { serverMs: number; realMs: number } | undefined;
  private speed = 1;

  constructor(
    private readonly read: () => Promise<number>,
    private readonly realClock: Clock,
  ) {}

  async now(): Promise<number> {
    const serverMs = await this.read();
    const realMs = this.realClock.nowMs();
    if (this.last && realMs - this.last.realMs >= 5) {
      const observed = (serverMs - this.last.serverMs) / (realMs - this.last.realMs);
      if (Number.isFinite(observed) && observed > 0) this.speed = observed;
    }
    this.last = { serverMs, realMs };
    return serverMs;
  }

  /** Sleeps until the server clock reaches targetMs and returns that time; undefined when aborted first. */
  async waitUntil(
    targetMs: number,
    signal: AbortSignal | undefined,
    maxPollMs: number,
  ): Promise<number | undefined> {
    for (;;) {
      const nowMs = await this.now();
      if (nowMs >= targetMs) return nowMs;
      const realWaitMs = Math.min(maxPollMs, Math.max(1, (targetMs - nowMs) / this.speed));
      if (!(await this.realClock.sleep(realWaitMs, signal))) return undefined;
    }
  }
}

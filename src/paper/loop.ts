/**
 * Runs the tick on every minute boundary of the SERVER's clock (`/api/v3/time`), a few seconds after
 * the boundary so the minute's candle has closed. Against the replay server at speed X the loop
 * therefore runs X times faster than real time. A tick in progress always finishes; an abort (Ctrl-C)
 * stops the loop between ticks.
 */
import { MINUTE_MS, floorToMinute } from '../time.js';
import { tick, type TickDeps, type TickResult } from './tick.js';

export interface PaperLoopOptions {
  deps: TickDeps;
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
  /** Longest real wait between server clock checks. */
  maxPollMs?: number;
}

export interface PaperLoopSummary {
  ticks: number;
  duplicates: number;
  failedTicks: number;
  opened: number;
  closed: number;
  netPnl: number;
  firstMinuteMs: number | null;
  lastMinuteMs: number | null;
  stoppedBy: 'once' | 'until' | 'signal';
}

export async function runPaperLoop(options: PaperLoopOptions): Promise<PaperLoopSummary> {
  const tickDelayMs = options.tickDelayMs ?? 2_000;
  const maxPollMs = options.maxPollMs ?? 1_000;
  const summary: PaperLoopSummary = {
    ticks: 0,
    duplicates: 0,
    failedTicks: 0,
    opened: 0,
    closed: 0,
    netPnl: 0,
    firstMinuteMs: null,
    lastMinuteMs: null,
    stoppedBy: 'signal',
  };
  const clock = new ServerClock(options.serverTimeMs);
  for (;;) {
    if (options.signal?.aborted) return summary;
    const nowMs = await clock.now();
    if (options.untilMs !== undefined && nowMs >= options.untilMs) return { ...summary, stoppedBy: 'until' };
    let result: TickResult;
    try {
      result = await tick(nowMs, options.deps);
    } catch (error) {
      // one failed minute (exchange or store unreachable) must not end a long-running trader: the next
      // tick repairs whatever this one left half-written
      if (options.once) throw error;
      summary.failedTicks++;
      options.onError?.(error, nowMs);
      if (!(await clock.waitUntil(floorToMinute(nowMs) + MINUTE_MS + tickDelayMs, options.signal, maxPollMs)))
        return summary;
      continue;
    }
    if (result.status === 'duplicate') summary.duplicates++;
    else summary.ticks++;
    summary.opened += result.opened.length;
    summary.closed += result.closed.length;
    summary.netPnl += result.closed.reduce((sum, trade) => sum + trade.netPnl, 0);
    summary.firstMinuteMs ??= result.minuteMs;
    summary.lastMinuteMs = result.minuteMs;
    options.onTick?.(result);
    if (options.once) return { ...summary, stoppedBy: 'once' };
    const nextTickMs = floorToMinute(nowMs) + MINUTE_MS + tickDelayMs;
    if (options.untilMs !== undefined && nextTickMs >= options.untilMs)
      return { ...summary, stoppedBy: 'until' };
    if (!(await clock.waitUntil(nextTickMs, options.signal, maxPollMs))) return summary;
  }
}

/** The server's clock, with its speed relative to ours estimated from successive readings. */
class ServerClock {
  private last: { serverMs: number; realMs: number } | undefined;
  private speed = 1;

  constructor(private readonly read: () => Promise<number>) {}

  async now(): Promise<number> {
    const serverMs = await this.read();
    const realMs = performance.now();
    if (this.last && realMs - this.last.realMs >= 5) {
      const observed = (serverMs - this.last.serverMs) / (realMs - this.last.realMs);
      if (Number.isFinite(observed) && observed > 0) this.speed = observed;
    }
    this.last = { serverMs, realMs };
    return serverMs;
  }

  /** Sleeps until the server clock reaches targetMs; false when aborted first. */
  async waitUntil(targetMs: number, signal: AbortSignal | undefined, maxPollMs: number): Promise<boolean> {
    for (;;) {
      const nowMs = await this.now();
      if (nowMs >= targetMs) return true;
      const realWaitMs = Math.min(maxPollMs, Math.max(1, (targetMs - nowMs) / this.speed));
      if (!(await sleep(realWaitMs, signal))) return false;
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

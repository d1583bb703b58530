/**
 * A clock that moves only when someone sleeps on it: each sleep advances it by the time asked for,
 * at once. A loop driven by it runs as fast as its work, and the same way on every run, whatever the
 * machine's load.
 */
import type { Clock } from '../../src/time.js';

export class ManualClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];

  constructor(private timeMs = Date.UTC(2026, 0, 1)) {}

  nowMs(): number {
    return this.timeMs;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    // a turn of the event loop, so sockets and timers of the code under test still get theirs
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) return false;
    this.sleeps.push(ms);
    this.timeMs += ms;
    return true;
  }
}

/**
 * The replay server's simulated clock: it starts at `fromMs` and runs `speed` times faster than real
 * time, or, manual, stands still until moved. Real time comes in as a function so a test can drive it.
 */
export interface ReplayClock {
  /** Frozen: the clock moves only through setTimeMs. */
  readonly manual: boolean;
  nowMs(): number;
  /** Jumps to timeMs; a running clock runs on from there. */
  setTimeMs(timeMs: number): void;
}

export interface ReplayClockOptions {
  fromMs: number;
  /** Simulated milliseconds per real millisecond. */
  speed: number;
  manual: boolean;
  /** Real time, epoch ms (default Date.now). */
  realNowMs?: () => number;
}

export function replayClock(options: ReplayClockOptions): ReplayClock {
  const realNowMs = options.realNowMs ?? Date.now;
  // simulated anchorMs was the time at real time anchorRealMs
  let anchorMs = options.fromMs;
  let anchorRealMs = realNowMs();
  return {
    manual: options.manual,
    nowMs: () =>
      options.manual ? anchorMs : Math.floor(anchorMs + (realNowMs() - anchorRealMs) * options.speed),
    setTimeMs: (timeMs) => {
      anchorMs = timeMs;
      anchorRealMs = realNowMs();
    },
  };
}

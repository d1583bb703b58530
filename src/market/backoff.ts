/** Retry delays shared by the HTTP sources. */

/**
 * Exponential backoff with "full jitter": attempt n waits a uniform random time in [0, base * 2^n),
 * capped, so many clients retrying at once spread out instead of hammering the server in step.
 */
export function fullJitterDelayMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  return random() * Math.min(maxMs, baseMs * 2 ** attempt);
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

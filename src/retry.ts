/**
 * Retry delays, one policy for every client that retries: the Binance REST client and the archive
 * source, the S3 store's conditional writes, the OpenSearch sink and the paper loop's clock reads.
 */

/**
 * How a delay is drawn around `base · 2^attempt`: `full` uniform in [0, d) ("full jitter": many
 * clients retrying at once spread out instead of hammering the server in step), `spread` uniform in
 * [d/2, 3d/2) (keeps a floor under the wait), `none` exactly d.
 */
export type Jitter = 'full' | 'spread' | 'none';

export interface BackoffPolicy {
  baseMs: number;
  /** Ceiling of d, before jitter. */
  maxMs?: number;
  jitter: Jitter;
}

/** The wait before retry number `attempt` (0 for the first retry). */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const delayMs = Math.min(policy.maxMs ?? Infinity, policy.baseMs * 2 ** attempt);
  switch (policy.jitter) {
    case 'full':
      return random() * delayMs;
    case 'spread':
      return delayMs * (0.5 + random());
    case 'none':
      return delayMs;
  }
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

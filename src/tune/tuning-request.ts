/**
 * A request for a SageMaker tuning job: an object under `requests/tuning/` in the bucket, written by
 * `alpha15 tune --sagemaker` (or by hand) and read by lambdas/tuning-trigger. The body is optional
 * JSON; an empty object asks for the deployed defaults.
 */
import { TUNING_REQUESTS_PREFIX } from '../contracts/keys.js';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Alpha15Error } from '../errors.js';

export const tuningRequestSchema = z
  .object({
    /** Training jobs in total and at once (default: the alpha15:tuningMaxJobs / tuningMaxParallelJobs settings). */
    maxJobs: z.number().int().positive().max(500).optional(),
    maxParallelJobs: z.number().int().positive().max(100).optional(),
    /** Most epochs per fold of every trial. */
    epochs: z.number().int().positive().optional(),
    /** A search space as `alpha15 tune --space` takes it (default: the built-in space). */
    space: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type TuningRequest = z.infer<typeof tuningRequestSchema>;

export class InvalidTuningRequestError extends Alpha15Error {
  readonly code = 'INVALID_TUNING_REQUEST';
}

export function parseTuningRequest(key: string, bytes: Uint8Array | undefined): TuningRequest {
  const text = bytes === undefined ? '' : new TextDecoder().decode(bytes).trim();
  if (text === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidTuningRequestError(
      `${key} is not JSON`,
      'put an empty object or {"maxJobs": 20, "space": {...}}',
    );
  }
  const parsed = tuningRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidTuningRequestError(`${key}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** `requests/tuning/20261124T183020Z-1a2b3c.json`: unique, sorted by time. */
export function tuningRequestKey(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return `${TUNING_REQUESTS_PREFIX}${stamp}-${randomBytes(3).toString('hex')}.json`;
}

/** Writes a validated request into the store, where the deployed tuning trigger picks it up; returns its key. */
export async function putTuningRequest(
  store: { url: string; putIfAbsent(key: string, body: string): Promise<boolean> },
  request: TuningRequest,
  nowMs: number,
): Promise<string> {
  if (!store.url.startsWith('s3://')) {
    throw new InvalidTuningRequestError(
      `a SageMaker tuning request goes into the deployed bucket, but the store is ${store.url}`,
      "use the stack's bucket as the store, s3://<bucket> (the stack output TuningRequestPrefix names it)",
      { data: { reason: 'not-s3', storeUrl: store.url } },
    );
  }
  const parsed = tuningRequestSchema.parse(request);
  const key = tuningRequestKey(nowMs);
  if (!(await store.putIfAbsent(key, JSON.stringify(parsed, null, 2))))
    throw new InvalidTuningRequestError(`${key} already exists in ${store.url}`, 'run the command again');
  return key;
}

export { TUNING_REQUESTS_PREFIX };

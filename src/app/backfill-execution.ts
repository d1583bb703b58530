/**
 * Backfill on AWS from the user's machine: start an execution of the stack's state machine over the
 * planned (symbol, month) items, watch its Distributed Map run (items done and failed), and read the
 * per-item results the Map's ResultWriter left in the bucket. The items run `backfillItem` in the
 * backfill Lambda (lambdas/backfill/handler.ts), the same code as `alpha15 backfill --local`.
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { Alpha15Error } from '../errors.js';
import { backfillStateMachineName } from '../contracts/backfill.js';
import { defaultSleep } from '../retry.js';
import type { ObjectStore } from '../store/object-store.js';
import {
  backfillItemSchema,
  backfillTotals,
  type BackfillFailure,
  type BackfillItem,
  type BackfillItemResult,
  type BackfillSummary,
} from './backfill.js';

export class BackfillStateMachineNotFoundError extends Alpha15Error {
  readonly code = 'BACKFILL_STATE_MACHINE_NOT_FOUND';
}
export class BackfillExecutionError extends Alpha15Error {
  readonly code = 'BACKFILL_EXECUTION';
}
export class BackfillResultError extends Alpha15Error {
  readonly code = 'BACKFILL_RESULT';
}

/** The execution input the state machine reads: the Map's items, and the symbols whose watermarks it settles. */
export interface BackfillExecutionInput {
  items: BackfillItem[];
  symbols: string[];
}

export function executionInput(items: readonly BackfillItem[]): BackfillExecutionInput {
  return { items: [...items], symbols: [...new Set(items.map((item) => item.symbol))].sort() };
}

export async function findBackfillStateMachine(client: SFNClient, stackName: string): Promise<string> {
  const name = backfillStateMachineName(stackName);
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand({ nextToken }));
    const found = page.stateMachines?.find((machine) => machine.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new BackfillStateMachineNotFoundError(
    `no state machine named ${name} in this account and region`,
    'deploy the stack (npx cdk deploy), set AWS_REGION to its region, or name the state machine by its ARN (stack output BackfillStateMachineArn)',
    { data: { stateMachineName: name } },
  );
}

export async function startBackfillExecution(
  client: SFNClient,
  stateMachineArn: string,
  items: readonly BackfillItem[],
  nowMs: number = Date.now(),
): Promise<string> {
  const { executionArn } = await client.send(
    new StartExecutionCommand({
      stateMachineArn,
      name: `backfill-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}`,
      input: JSON.stringify(executionInput(items)),
    }),
  );
  if (!executionArn)
    throw new BackfillExecutionError('StartExecution returned no execution ARN', 'retry the command');
  return executionArn;
}

export interface ExecutionProgress {
  status: string;
  total: number;
  done: number;
  failed: number;
}

export interface WatchOptions {
  client: SFNClient;
  /** Opens the store of the bucket the results were written to (`s3://<bucket>`). */
  openResultStore: (bucket: string) => ObjectStore;
  executionArn: string;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (progress: ExecutionProgress) => void;
}

export interface ExecutionSummary extends BackfillSummary {
  executionArn: string;
  status: string;
  /** s3://bucket/key of the Map run's result manifest. */
  resultManifest: string | null;
  results: BackfillItemResult[];
}

/** Polls until the execution ends, then reads its item results. */
export async function watchBackfillExecution(options: WatchOptions): Promise<ExecutionSummary> {
  const { client, executionArn, onProgress } = options;
  const sleep = options.sleep ?? defaultSleep;
  for (;;) {
    const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
    const status = execution.status ?? 'UNKNOWN';
    const counts = await mapRunCounts(client, executionArn);
    onProgress?.({ status, ...counts });
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
      if (status !== 'SUCCEEDED') {
        throw new BackfillExecutionError(
          `backfill execution ${executionArn} ended ${status}: ${execution.error ?? ''} ${execution.cause ?? ''}`.trim(),
          'open the execution in the Step Functions console; items already ingested are skipped when you run the backfill again',
        );
      }
      return { executionArn, status, ...(await readResults(options, execution.output)) };
    }
    await sleep(options.pollMs ?? 5_000);
  }
}

async function mapRunCounts(client: SFNClient, executionArn: string) {
  const runs = await client.send(new ListMapRunsCommand({ executionArn }));
  const mapRunArn = runs.mapRuns?.[0]?.mapRunArn;
  if (!mapRunArn) return { total: 0, done: 0, failed: 0 };
  const { itemCounts } = await client.send(new DescribeMapRunCommand({ mapRunArn }));
  const failed = (itemCounts?.failed ?? 0) + (itemCounts?.timedOut ?? 0) + (itemCounts?.aborted ?? 0);
  return { total: itemCounts?.total ?? 0, done: (itemCounts?.succeeded ?? 0) + failed, failed };
}

const executionOutputSchema = z.looseObject({
  map: z.looseObject({
    ResultWriterDetails: z.object({ Bucket: z.string().min(3), Key: z.string().min(1) }),
  }),
});

const manifestSchema = z.looseObject({
  ResultFiles: z.looseObject({
    SUCCEEDED: z.array(z.looseObject({ Key: z.string() })).default([]),
    FAILED: z.array(z.looseObject({ Key: z.string() })).default([]),
  }),
});

const childResultSchema = z.looseObject({
  Input: z.string(),
  Output: z.string().optional(),
  Error: z.string().optional(),
  Cause: z.string().optional(),
});

const itemResultSchema = backfillItemSchema.extend({
  status: z.enum(['ingested', 'skipped']),
  rowsFetched: z.number().int().nonnegative(),
  rowsAdded: z.number().int().nonnegative(),
  partitionsWritten: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
  throttledRetries: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});

async function readResults(
  options: WatchOptions,
  outputText: string | undefined,
): Promise<BackfillSummary & { resultManifest: string; results: BackfillItemResult[] }> {
  const output = parseJson(outputText, executionOutputSchema, 'the execution output');
  const { Bucket, Key } = output.map.ResultWriterDetails;
  const store = options.openResultStore(Bucket);
  const manifest = parseJson(await readText(store, Key), manifestSchema, `result manifest ${Key}`);
  const results: BackfillItemResult[] = [];
  const failures: BackfillFailure[] = [];
  for (const [status, files] of Object.entries(manifest.ResultFiles)) {
    if (status !== 'SUCCEEDED' && status !== 'FAILED') continue;
    for (const file of files as { Key: string }[]) {
      const children = parseJson(
        await readText(store, file.Key),
        z.array(childResultSchema),
        `result file ${file.Key}`,
      );
      for (const child of children) {
        const item = parseJson(child.Input, backfillItemSchema, `an item input in ${file.Key}`);
        if (status === 'SUCCEEDED')
          results.push(parseJson(child.Output, itemResultSchema, `an item output in ${file.Key}`));
        else failures.push(failureFromCause(item, child.Error, child.Cause));
      }
    }
  }
  return { ...backfillTotals(results, failures), resultManifest: `s3://${Bucket}/${Key}`, results };
}

/** A Lambda failure's Cause is the JSON {errorType, errorMessage, ...}; anything else is kept as text. */
function failureFromCause(
  item: BackfillItem,
  error: string | undefined,
  cause: string | undefined,
): BackfillFailure {
  try {
    const parsed = JSON.parse(cause ?? '') as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string')
      return { ...item, error: error ?? 'Error', message: parsed.errorMessage };
  } catch {
    // not JSON: a States.* error with a plain-text cause
  }
  return { ...item, error: error ?? 'Error', message: cause ?? '' };
}

async function readText(store: ObjectStore, key: string): Promise<string> {
  const bytes = await store.get(key);
  if (!bytes)
    throw new BackfillResultError(
      `${store.url}/${key} is missing`,
      'the Map run wrote no result there; check its ResultWriter',
    );
  return new TextDecoder().decode(bytes);
}

function parseJson<Schema extends z.ZodType>(
  text: string | undefined,
  schema: Schema,
  what: string,
): z.infer<Schema> {
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    throw new BackfillResultError(
      `${what} is not JSON`,
      'check the state machine definition (infra/backfill.ts)',
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BackfillResultError(
      `${what} is malformed: ${issue.path.join('.') || '(root)'} ${issue.message}`,
      'check the state machine definition (infra/backfill.ts)',
    );
  }
  return parsed.data;
}

/**
 * The state machine's definition as Step Functions would take and run it. `aslProblems` is asl-validator
 * plus the States Language rules for retriers and catchers that its schema leaves open (unknown fields,
 * BackoffRate below 1, a JitterStrategy other than FULL or NONE, intervals that are not positive
 * integers). `runStates` interprets the JSONPath subset the definition uses (Task, Map, Pass, Succeed,
 * Fail; InputPath, Parameters, ResultPath, OutputPath; Retry and Catch with their attempt counts and
 * backoff, time simulated), calling each Task's Lambda through a callback and every AWS action the
 * machine's role takes through another.
 */
import { createRequire } from 'node:module';

const validate = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errors: { 'Error code': string; Message: string }[];
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  InputPath?: string | null;
  Parameters?: Json;
  ResultPath?: string | null;
  OutputPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
  ItemsPath?: string;
  ItemProcessor?: StatesDefinition;
  ToleratedFailurePercentage?: number;
  ResultWriter?: { Resource: string; Parameters: { Bucket: string; Prefix: string } };
  Error?: string;
  Cause?: string;
}

export interface StatesDefinition {
  StartAt: string;
  States: Record<string, State>;
}

const RETRIER_FIELDS = new Set([
  'ErrorEquals',
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
  'Comment',
]);
const CATCHER_FIELDS = new Set(['ErrorEquals', 'Next', 'ResultPath', 'Comment', 'Output', 'Assign']);

/** Everything Step Functions would refuse at CreateStateMachine, as messages naming the field. */
export function aslProblems(definition: unknown): string[] {
  const problems = validate(definition).errors.map((error) => `${error['Error code']}: ${error.Message}`);
  const visit = (states: Record<string, State>, path: string) => {
    for (const [name, state] of Object.entries(states)) {
      (state.Retry ?? []).forEach((retrier, index) => {
        const at = `${path}${name}.Retry[${index}]`;
        for (const field of Object.keys(retrier))
          if (!RETRIER_FIELDS.has(field)) problems.push(`${at}: unknown field ${field}`);
        const positiveInteger = (field: keyof Retrier) => {
          const value = retrier[field];
          if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1))
            problems.push(`${at}.${field} must be a positive integer, is ${JSON.stringify(value)}`);
        };
        positiveInteger('IntervalSeconds');
        positiveInteger('MaxDelaySeconds');
        if (
          retrier.MaxAttempts !== undefined &&
          !(Number.isInteger(retrier.MaxAttempts) && retrier.MaxAttempts >= 0)
        )
          problems.push(
            `${at}.MaxAttempts must be a non-negative integer, is ${JSON.stringify(retrier.MaxAttempts)}`,
          );
        if (
          retrier.BackoffRate !== undefined &&
          !(typeof retrier.BackoffRate === 'number' && retrier.BackoffRate >= 1)
        )
          problems.push(`${at}.BackoffRate must be at least 1.0, is ${JSON.stringify(retrier.BackoffRate)}`);
        if (retrier.JitterStrategy !== undefined && !['FULL', 'NONE'].includes(retrier.JitterStrategy))
          problems.push(
            `${at}.JitterStrategy must be FULL or NONE, is ${JSON.stringify(retrier.JitterStrategy)}`,
          );
        if (!Array.isArray(retrier.ErrorEquals) || retrier.ErrorEquals.length === 0)
          problems.push(`${at}.ErrorEquals must name at least one error`);
      });
      (state.Catch ?? []).forEach((catcher, index) => {
        for (const field of Object.keys(catcher))
          if (!CATCHER_FIELDS.has(field))
            problems.push(`${path}${name}.Catch[${index}]: unknown field ${field}`);
      });
      if (state.ItemProcessor) visit(state.ItemProcessor.States, `${path}${name}.ItemProcessor.`);
    }
  };
  const states = (definition as StatesDefinition | undefined)?.States;
  if (states) visit(states, '');
  return problems;
}

export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
    this.name = 'StatesError';
  }
}

export interface TaskOutcome {
  ok: boolean;
  result?: unknown;
  /** The Lambda's errorType (what Retry and Catch match) and message. */
  error?: { name: string; message: string };
}

export interface Machine {
  /** Invokes a Task's Lambda (the ARN in its Resource) with its input. */
  invokeLambda(functionArn: string, input: unknown): Promise<TaskOutcome>;
  /** Every AWS action the state machine's role takes (lambda:InvokeFunction, s3:PutObject...); throws if refused. */
  authorize(action: string, resource: string): Promise<void>;
  /** The result writer's objects. */
  writeObject(bucket: string, key: string, body: string): Promise<void>;
  /** The simulated wait before a retry, in seconds (recorded, not slept). */
  onRetry?(state: string, error: string, delaySeconds: number): void;
  /** The state machine's own ARN, for the Distributed Map's child executions. */
  stateMachineArn: string;
}

function readPath(input: unknown, path: string | null | undefined): unknown {
  if (path === null) return {};
  if (path === undefined || path === '$') return input;
  if (!path.startsWith('$.')) throw new Error(`the interpreter reads only $.a.b paths, not ${path}`);
  return path
    .slice(2)
    .split('.')
    .reduce<unknown>((value, name) => (value as Record<string, unknown> | undefined)?.[name], input);
}

function writePath(input: unknown, path: string | null | undefined, result: unknown): unknown {
  if (path === null) return input;
  if (path === undefined || path === '$') return result;
  const names = path.slice(2).split('.');
  const copy = structuredClone(input) as Record<string, unknown>;
  let target = copy;
  for (const name of names.slice(0, -1)) target = (target[name] ??= {}) as Record<string, unknown>;
  target[names.at(-1)!] = result;
  return copy;
}

function applyParameters(template: Json | undefined, input: unknown): unknown {
  if (template === undefined) return input;
  if (template === null || typeof template !== 'object') return template;
  if (Array.isArray(template)) return template.map((item) => applyParameters(item, input));
  return Object.fromEntries(
    Object.entries(template).map(([key, value]) =>
      key.endsWith('.$')
        ? [key.slice(0, -2), readPath(input, value as string)]
        : [key, applyParameters(value, input)],
    ),
  );
}

const matches = (errorEquals: string[], error: string) =>
  errorEquals.includes(error) ||
  errorEquals.includes('States.ALL') ||
  (errorEquals.includes('States.TaskFailed') && error !== 'States.Timeout');

/** Runs a state machine (or a Map's item processor) on one input; the output, or a StatesError. */
export async function runStates(
  definition: StatesDefinition,
  input: unknown,
  machine: Machine,
): Promise<unknown> {
  let name = definition.StartAt;
  let data = input;
  for (;;) {
    const state = definition.States[name];
    if (state === undefined) throw new Error(`no state ${name}`);
    const effective = readPath(data, state.InputPath);
    if (state.Type === 'Succeed') return effective;
    if (state.Type === 'Fail') throw new StatesError(state.Error ?? 'States.Fail', state.Cause ?? '');
    let next = state.Next;
    if (state.Type === 'Pass')
      data = writePath(data, state.ResultPath, applyParameters(state.Parameters, effective));
    else if (state.Type === 'Task' || state.Type === 'Map') {
      const attempt = () =>
        state.Type === 'Task'
          ? runTask(state, applyParameters(state.Parameters, effective), machine)
          : runMap(state, effective, machine);
      try {
        const result = await withRetries(name, state, attempt, machine);
        data = writePath(data, state.ResultPath, result);
      } catch (error) {
        if (!(error instanceof StatesError)) throw error;
        const catcher = (state.Catch ?? []).find((candidate) => matches(candidate.ErrorEquals, error.error));
        if (!catcher) throw error;
        data = writePath(data, catcher.ResultPath, { Error: error.error, Cause: error.cause });
        next = catcher.Next;
      }
    } else throw new Error(`the interpreter does not run ${state.Type} states (${name})`);
    data = readPath(data, state.OutputPath);
    if (state.End) return data;
    name = next!;
  }
}

async function withRetries(name: string, state: State, attempt: () => Promise<unknown>, machine: Machine) {
  const attempts = new Map<Retrier, number>();
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      const retrier = (state.Retry ?? []).find((candidate) => matches(candidate.ErrorEquals, error.error));
      const done = retrier ? (attempts.get(retrier) ?? 0) : 0;
      if (!retrier || done >= (retrier.MaxAttempts ?? 3)) throw error;
      attempts.set(retrier, done + 1);
      const backoff = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** done;
      const capped = Math.min(backoff, retrier.MaxDelaySeconds ?? Infinity);
      machine.onRetry?.(
        name,
        error.error,
        retrier.JitterStrategy === 'FULL' ? Math.random() * capped : capped,
      );
    }
  }
}

async function runTask(state: State, input: unknown, machine: Machine): Promise<unknown> {
  const resource = state.Resource ?? '';
  if (!/^arn:aws:lambda:/.test(resource))
    throw new Error(`the interpreter invokes Lambda ARNs only, not ${resource}`);
  await machine.authorize('lambda:InvokeFunction', resource);
  const outcome = await machine.invokeLambda(resource, input);
  if (!outcome.ok) throw new StatesError(outcome.error!.name, outcome.error!.message);
  return outcome.result;
}

/** A Distributed Map: one child execution per item, failures tolerated up to the threshold, results written. */
async function runMap(state: State, input: unknown, machine: Machine): Promise<unknown> {
  const items = readPath(input, state.ItemsPath) as unknown[];
  if (!Array.isArray(items))
    throw new StatesError('States.Runtime', `ItemsPath ${state.ItemsPath} is not an array`);
  await machine.authorize('states:StartExecution', machine.stateMachineArn);
  const succeeded: unknown[] = [];
  const failed: unknown[] = [];
  for (const item of items) {
    try {
      succeeded.push({
        Input: JSON.stringify(item),
        Output: JSON.stringify(await runStates(state.ItemProcessor!, item, machine)),
        Status: 'SUCCEEDED',
      });
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      failed.push({ Input: JSON.stringify(item), Error: error.error, Cause: error.cause, Status: 'FAILED' });
    }
  }
  const writer = state.ResultWriter;
  const mapRunId = 'rehearsal-map-run';
  let details: unknown;
  if (writer) {
    const { Bucket, Prefix } = writer.Parameters;
    const files = { 'SUCCEEDED_0.json': succeeded, 'FAILED_0.json': failed };
    for (const [file, results] of Object.entries(files)) {
      const key = `${Prefix}${mapRunId}/${file}`;
      await machine.authorize('s3:PutObject', `arn:aws:s3:::${Bucket}/${key}`);
      await machine.writeObject(Bucket, key, JSON.stringify(results));
    }
    const manifest = `${Prefix}${mapRunId}/manifest.json`;
    await machine.authorize('s3:PutObject', `arn:aws:s3:::${Bucket}/${manifest}`);
    await machine.writeObject(
      Bucket,
      manifest,
      JSON.stringify({
        DestinationBucket: Bucket,
        MapRunArn: mapRunId,
        ResultFiles: {
          FAILED: [{ Key: `${Prefix}${mapRunId}/FAILED_0.json`, Size: 0 }],
          SUCCEEDED: [{ Key: `${Prefix}${mapRunId}/SUCCEEDED_0.json`, Size: 0 }],
        },
      }),
    );
    details = { MapRunArn: mapRunId, ResultWriterDetails: { Bucket, Key: manifest } };
  }
  const failedPercent = items.length === 0 ? 0 : (100 * failed.length) / items.length;
  if (failedPercent > (state.ToleratedFailurePercentage ?? 0))
    throw new StatesError(
      'States.ExceedToleratedFailureThreshold',
      `${failed.length} of ${items.length} items failed`,
    );
  return details ?? succeeded.map((entry) => JSON.parse((entry as { Output: string }).Output));
}

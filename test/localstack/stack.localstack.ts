/**
 * Opt-in end-to-end check against LocalStack (`npm run test:localstack`, see docs/aws.md): deploys the
 * whole stack with `cdklocal`, then runs one ingestion and one paper tick in the DEPLOYED Lambdas, with
 * the replay server (real snapshot-c candles) standing in for Binance.
 *
 * Needs a running LocalStack that can start Lambda containers, and `cdklocal` (`npm i -g aws-cdk-local`).
 * When no LocalStack answers at LOCALSTACK_ENDPOINT (default http://localhost:4566) the suite is skipped
 * and says so loudly; it never fails for want of LocalStack. The training image is not built (SageMaker
 * is not emulated): the deploy points `alpha15:trainingImageUri` at a placeholder.
 *
 *   LOCALSTACK_ENDPOINT     where LocalStack listens (default http://localhost:4566)
 *   LOCALSTACK_HOST_ALIAS   how Lambda containers reach this machine (default host.docker.internal)
 *   LOCALSTACK_KEEP_STACK=1 leave the stack deployed afterwards
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CONTEXT_PREFIX } from '../../infra/settings.js';
import { STACK_NAME } from '../../infra/build-app.js';
import { symbolPartitionsPrefix } from '../../src/lake/layout.js';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { Ledger } from '../../src/paper/ledger.js';
import { openStore } from '../../src/store/open-store.js';
import { MINUTE_MS } from '../../src/time.js';
import {
  FEE_RATE_PER_SIDE,
  SNAPSHOT_C_DIR,
  SNAPSHOT_C_START_MS,
  SYMBOLS,
  THRESHOLD_RETURN,
  WINDOW_MINUTES,
} from '../paper/support/harness.js';
import { saveTinyChampion } from '../../fixtures/tiny-model.js';
import { scheduledEvent } from '../lambdas/support/events.js';
import { REPO_ROOT } from '../support/shared-data.js';

const ENDPOINT = (process.env.LOCALSTACK_ENDPOINT ?? 'http://localhost:4566').replace(/\/+$/, '');
const HOST_ALIAS = process.env.LOCALSTACK_HOST_ALIAS ?? 'host.docker.internal';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
/** The minute ticked: the replay clock sits just after it. */
const TICK_MINUTE_MS = SNAPSHOT_C_START_MS + 42 * MINUTE_MS;
const DEPLOY_TIMEOUT_MS = 30 * 60_000;

/** LocalStack's health endpoint, or why it did not answer. */
async function probeLocalStack(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const response = await fetch(`${ENDPOINT}/_localstack/health`, { signal: AbortSignal.timeout(2_000) });
    return response.ok
      ? { ok: true }
      : { ok: false, reason: `${ENDPOINT}/_localstack/health answered ${response.status}` };
  } catch (error) {
    return { ok: false, reason: `nothing answers at ${ENDPOINT} (${(error as Error).message})` };
  }
}

const probe = await probeLocalStack();
const skip = probe.ok
  ? false
  : `LocalStack suite SKIPPED: ${probe.reason}. Start LocalStack (docker run --rm -p 4566:4566 -v /var/run/docker.sock:/var/run/docker.sock localstack/localstack) or set LOCALSTACK_ENDPOINT; see docs/aws.md`;
if (skip) {
  const rule = '!'.repeat(100);
  process.stderr.write(`\n${rule}\n!! ${skip}\n${rule}\n\n`);
}

/** The AWS variables that point the SDK, the CDK CLI and our S3 store at LocalStack. */
const localStackEnv = {
  AWS_ENDPOINT_URL: ENDPOINT,
  AWS_ENDPOINT_URL_S3: ENDPOINT,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: REGION,
  AWS_DEFAULT_REGION: REGION,
  CDK_DEFAULT_ACCOUNT: ACCOUNT,
  CDK_DEFAULT_REGION: REGION,
};

let workDir: string;
let replay: ReplayServer;
let outputs: Record<string, string>;

function cdklocal(args: string[]): void {
  const run = spawnSync('cdklocal', [...args, '--no-notices'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...localStackEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: DEPLOY_TIMEOUT_MS,
  });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      "cdklocal is not installed: npm i -g aws-cdk-local (it wraps the project's pinned aws-cdk)",
    );
  }
  assert.equal(run.status, 0, `cdklocal ${args.join(' ')} failed`);
}

/** Invokes a deployed function synchronously through LocalStack's Lambda API and returns its result. */
async function invoke(functionName: string, event: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(
    `${ENDPOINT}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(120_000),
    },
  );
  const body = await response.text();
  assert.equal(response.headers.get('x-amz-function-error'), null, `${functionName} failed: ${body}`);
  assert.ok(response.ok, `${functionName} invoke answered ${response.status}: ${body}`);
  return JSON.parse(body) as Record<string, unknown>;
}

before(
  async () => {
    if (skip) return;
    Object.assign(process.env, localStackEnv);
    workDir = await mkdtemp(path.join(tmpdir(), 'alpha15-localstack-'));
    // listens on every interface: the Lambda containers call it through the host alias
    replay = await startReplayServer({
      source: { kind: 'rest-snapshot', dir: SNAPSHOT_C_DIR },
      symbols: SYMBOLS,
      fromMs: TICK_MINUTE_MS + MINUTE_MS + 3_000,
      manualClock: true,
      host: '0.0.0.0',
    });
    const binanceUrl = replay.url.replace('0.0.0.0', HOST_ALIAS);
    const context = {
      removalPolicy: 'destroy',
      symbols: SYMBOLS.join(','),
      binanceBaseUrl: binanceUrl,
      // an ECR URI in the form the setting accepts; nothing ever pulls it here
      trainingImageUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/alpha15-training:placeholder`,
    };
    const contextArgs = Object.entries(context).flatMap(([name, value]) => [
      '-c',
      `${CONTEXT_PREFIX}${name}=${value}`,
    ]);
    cdklocal(['bootstrap', `aws://${ACCOUNT}/${REGION}`, ...contextArgs]);
    const outputsFile = path.join(workDir, 'outputs.json');
    cdklocal([
      'deploy',
      STACK_NAME,
      '--require-approval',
      'never',
      '--outputs-file',
      outputsFile,
      ...contextArgs,
    ]);
    outputs = (JSON.parse(await readFile(outputsFile, 'utf8')) as Record<string, Record<string, string>>)[
      STACK_NAME
    ]!;
  },
  { timeout: DEPLOY_TIMEOUT_MS },
);

after(async () => {
  if (skip) return;
  await replay?.close();
  if (outputs && process.env.LOCALSTACK_KEEP_STACK !== '1') cdklocal(['destroy', STACK_NAME, '--force']);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

test(
  'the deployed ingestion Lambda merges the newest candles of every symbol into the lake',
  { skip },
  async () => {
    const scheduledMs = TICK_MINUTE_MS + MINUTE_MS;
    const result = await invoke(
      outputs.IngestFunctionName!,
      scheduledEvent(new Date(scheduledMs).toISOString()),
    );
    assert.ok((result.rowsAdded as number) > 0, JSON.stringify(result));
    const lake = openStore(`s3://${outputs.BucketName}`);
    for (const symbol of SYMBOLS) {
      assert.ok((await lake.list(symbolPartitionsPrefix(symbol))).length > 0, `${symbol} has a partition`);
    }
  },
);

test(
  'the deployed paper-tick Lambda ticks the minute with the champion from the bucket',
  { skip },
  async () => {
    const lake = openStore(`s3://${outputs.BucketName}`);
    const modelId = await saveTinyChampion(lake, {
      symbols: SYMBOLS,
      windowMinutes: WINDOW_MINUTES,
      thresholdReturn: THRESHOLD_RETURN,
      feeRatePerSide: FEE_RATE_PER_SIDE,
    });
    const result = await invoke(
      outputs.PaperTickFunctionName!,
      scheduledEvent(new Date(TICK_MINUTE_MS + MINUTE_MS).toISOString()),
    );
    assert.equal(result.status, 'ok', JSON.stringify(result));
    const outcome = await new Ledger(lake).getTick(TICK_MINUTE_MS);
    assert.equal(outcome?.modelId, modelId);
    assert.equal(outcome?.predicted, SYMBOLS.length);
  },
);

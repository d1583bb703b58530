/**
 * `alpha15 backfill` on AWS, against Step Functions' API mocked with aws-sdk-client-mock and the bucket's
 * result files in a mocked S3 bucket, laid out the way a Distributed Map's ResultWriter writes them: the
 * execution starts with the planned items, progress follows the map run's item counts, and the summary
 * is read from the result files, failed items included.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { planBackfill, type BackfillItemResult } from '../../src/app/backfill.js';
import {
  BackfillExecutionError,
  BackfillStateMachineNotFoundError,
  findBackfillStateMachine,
  startBackfillExecution,
  watchBackfillExecution,
  type ExecutionProgress,
} from '../../src/app/backfill-execution.js';
import { openStore } from '../../src/store/open-store.js';
import { mockBucket, type MockBucket } from '../lambdas/support/s3-bucket.js';

const MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Alpha15-backfill';
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:Alpha15-backfill:backfill-1';
const MAP_RUN_ARN = 'arn:aws:states:eu-west-1:123456789012:mapRun:Alpha15-backfill/BackfillMonths:run-1';
const RESULTS = 'backfill/results/run-1';

const sfn = mockClient(SFNClient);
let bucket: MockBucket;
before(() => {
  process.env.AWS_REGION = 'eu-west-1';
  bucket = mockBucket();
});
after(() => {
  bucket.restore();
  sfn.restore();
});

function itemResult(symbol: string, rowsAdded: number, status: 'ingested' | 'skipped'): BackfillItemResult {
  return {
    symbol,
    month: '2026-02',
    status,
    rowsFetched: rowsAdded,
    rowsAdded,
    partitionsWritten: rowsAdded > 0 ? 1 : 0,
    retries: 2,
    throttledRetries: 1,
    durationMs: 3_100,
  };
}

function putJson(key: string, value: unknown) {
  bucket.objects.set(key, new TextEncoder().encode(JSON.stringify(value)));
}

test('the state machine is found by the name the stack gives it, across pages of the listing', async () => {
  sfn
    .on(ListStateMachinesCommand)
    .callsFake((input: { nextToken?: string }) =>
      input.nextToken
        ? { stateMachines: [{ name: 'Alpha15-backfill', stateMachineArn: MACHINE_ARN }] }
        : { stateMachines: [{ name: 'Other', stateMachineArn: 'arn:x' }], nextToken: 'page-2' },
    );
  const client = new SFNClient({});
  assert.equal(await findBackfillStateMachine(client, 'Alpha15'), MACHINE_ARN);
  await assert.rejects(findBackfillStateMachine(client, 'Elsewhere'), BackfillStateMachineNotFoundError);
});

test('an execution starts over the planned items and the symbols to settle, and its summary comes from the result files', async () => {
  const items = planBackfill(['ALGOUSDT', 'LTCUSDT', 'NEARUSDT'], '2026-02', '2026-02');
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN });
  const client = new SFNClient({});
  assert.equal(await startBackfillExecution(client, MACHINE_ARN, items), EXECUTION_ARN);
  const started = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
  assert.equal(started.stateMachineArn, MACHINE_ARN);
  assert.deepEqual(JSON.parse(started.input!), { items, symbols: ['ALGOUSDT', 'LTCUSDT', 'NEARUSDT'] });

  let polls = 0;
  sfn.on(DescribeExecutionCommand).callsFake(() =>
    ++polls < 2
      ? { status: 'RUNNING' }
      : {
          status: 'SUCCEEDED',
          output: JSON.stringify({
            ...JSON.parse(started.input!),
            map: { ResultWriterDetails: { Bucket: 'alpha15-lake', Key: `${RESULTS}/manifest.json` } },
            settled: {},
          }),
        },
  );
  sfn.on(ListMapRunsCommand).resolves({
    mapRuns: [
      {
        mapRunArn: MAP_RUN_ARN,
        executionArn: EXECUTION_ARN,
        stateMachineArn: MACHINE_ARN,
        startDate: new Date(),
      },
    ],
  });
  sfn
    .on(DescribeMapRunCommand)
    .resolvesOnce({
      itemCounts: {
        total: 3,
        succeeded: 1,
        failed: 0,
        pending: 1,
        running: 1,
        timedOut: 0,
        aborted: 0,
        resultsWritten: 1,
      },
    })
    .resolves({
      itemCounts: {
        total: 3,
        succeeded: 2,
        failed: 1,
        pending: 0,
        running: 0,
        timedOut: 0,
        aborted: 0,
        resultsWritten: 3,
      },
    });
  putJson(`${RESULTS}/manifest.json`, {
    DestinationBucket: 'alpha15-lake',
    MapRunArn: MAP_RUN_ARN,
    ResultFiles: {
      FAILED: [{ Key: `${RESULTS}/FAILED_0.json`, Size: 1 }],
      PENDING: [],
      SUCCEEDED: [{ Key: `${RESULTS}/SUCCEEDED_0.json`, Size: 1 }],
    },
  });
  putJson(`${RESULTS}/SUCCEEDED_0.json`, [
    {
      Input: JSON.stringify(items[0]),
      Output: JSON.stringify(itemResult('ALGOUSDT', 40_320, 'ingested')),
      Status: 'SUCCEEDED',
    },
    {
      Input: JSON.stringify(items[1]),
      Output: JSON.stringify(itemResult('LTCUSDT', 0, 'skipped')),
      Status: 'SUCCEEDED',
    },
  ]);
  putJson(`${RESULTS}/FAILED_0.json`, [
    {
      Input: JSON.stringify(items[2]),
      Status: 'FAILED',
      Error: 'ArchiveChecksumError',
      Cause: JSON.stringify({
        errorType: 'ArchiveChecksumError',
        errorMessage: 'NEARUSDT-1m-2026-02.zip: checksum mismatch',
        trace: [],
      }),
    },
  ]);

  const progress: ExecutionProgress[] = [];
  const summary = await watchBackfillExecution({
    client,
    executionArn: EXECUTION_ARN,
    openResultStore: (name) => openStore(`s3://${name}`),
    sleep: async () => undefined,
    onProgress: (update) => progress.push(update),
  });
  assert.deepEqual(progress, [
    { status: 'RUNNING', total: 3, done: 1, failed: 0 },
    { status: 'SUCCEEDED', total: 3, done: 3, failed: 1 },
  ]);
  assert.equal(summary.resultManifest, `s3://alpha15-lake/${RESULTS}/manifest.json`);
  assert.equal(summary.items, 3);
  assert.equal(summary.succeeded, 2);
  assert.equal(summary.skipped, 1);
  assert.equal(summary.rowsAdded, 40_320);
  assert.equal(summary.retries, 4);
  assert.equal(summary.throttledRetries, 2);
  assert.deepEqual(summary.failures, [
    {
      symbol: 'NEARUSDT',
      month: '2026-02',
      error: 'ArchiveChecksumError',
      message: 'NEARUSDT-1m-2026-02.zip: checksum mismatch',
    },
  ]);
});

test('an execution that failed as a whole is an error naming its status and cause', async () => {
  sfn
    .on(DescribeExecutionCommand)
    .resolves({ status: 'FAILED', error: 'States.Runtime', cause: 'bad input' });
  sfn.on(ListMapRunsCommand).resolves({ mapRuns: [] });
  await assert.rejects(
    watchBackfillExecution({
      client: new SFNClient({}),
      executionArn: EXECUTION_ARN,
      openResultStore: (name) => openStore(`s3://${name}`),
    }),
    (error: Error) =>
      error instanceof BackfillExecutionError && /ended FAILED: States.Runtime bad input/.test(error.message),
  );
});

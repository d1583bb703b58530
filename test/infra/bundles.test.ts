/**
 * The tests run what ships. The app is synthesised once with the real esbuild bundling (cdk.json's
 * context, as `cdk synth` runs it), and every Lambda the assembly defines is loaded from its asset
 * folder in a fresh Node process where only the AWS SDK resolves from outside the bundle, as the Lambda
 * runtime provides it, then invoked with the event its rule delivers and the environment its construct
 * sets. The training entry point runs as the image runs it: the JavaScript training-container/build.ts
 * makes. Behind them stand local servers on 127.0.0.1: s3rver (path style), the replay server over the
 * real February 2026 archives in ../shared, the OpenSearch stand-in (it serves only requests SigV4-signed
 * with the sandbox's credentials, as the domain serves only its named roles), and a recording SageMaker
 * endpoint. One retrain-and-trade chain runs through all of them:
 *
 *   setup custom resource -> ingest -> training trigger -> training job -> promotion -> runs indexer -> paper tick
 *
 * A Lambda added to the app needs an entry in FIXTURES (typed by HandlerName, so it cannot be forgotten).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { HandlerName } from '../../infra/alpha15-function.js';
import { buildApp, cliEnvironment } from '../../infra/build-app.js';
import { BUNDLE_BUDGETS } from '../../infra/bundle-budgets.js';
import { dashboardsReaderRoleName, writerRoleName } from '../../src/telemetry/opensearch-setup-content.js';
import { readWatermark } from '../../src/lake/watermark.js';
import { partitionKey } from '../../src/lake/layout.js';
import { startReplayServer, type ReplayServer } from '../../src/market/replay-server.js';
import { Ledger } from '../../src/paper/ledger.js';
import { trainingJobRecordKey, promotionRecordKey } from '../../src/app/evaluate-and-promote.js';
import { getChampion, readModelMeta } from '../../src/model/registry.js';
import { S3Store } from '../../src/store/s3-store.js';
import { indexTemplates } from '../../src/telemetry/index-templates.js';
import { MINUTE_MS } from '../../src/time.js';
import { CHAMPION_KEY, RUNS_PREFIX } from '../../src/contracts/keys.js';
import { runIdOfKey } from '../../src/runs/run-record.js';
import { buildTrainingEntrypoint } from '../../training-container/build.js';
import {
  CHECKPOINT_LOCAL_PATH,
  encodeHyperparameters,
  parseHyperparameters,
  sagemakerPaths,
} from '../../src/contracts/sagemaker.js';
import { startArchiveSite } from '../support/archive-site.js';
import { startAwsJsonEndpoint, type AwsJsonEndpoint } from '../support/aws-json-endpoint.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { sendJson, startScriptedServer, type ScriptedServer } from '../market/support/http-server.js';
import { startLocalS3, type LocalS3 } from '../support/s3rver.js';
import { TINY_JOB_KNOBS, writeSageMakerTree } from '../support/sagemaker-job.js';
import { ARCHIVE_MONTH_DIR, REPO_ROOT, requireSharedData } from '../support/shared-data.js';
import { objectCreatedEvent, scheduledEvent, trainingJobStateChange } from '../lambdas/support/events.js';
import { aslProblems, runStates, type StatesDefinition } from './rehearsal/asl.js';
import { openSearchRequest, sageMakerRequests } from './rehearsal/aws-requests.js';
import { PermissionDeniedInRehearsal, TemplateAuthorizer } from './rehearsal/authorizer.js';
import { startS3Gate, type S3Gate } from './rehearsal/s3-gate.js';
import { TemplateResolver } from './rehearsal/template.js';

const run = promisify(execFile);
const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
/** Three of the real archive's symbols: the lake, the model and the tick trade these. */
const SYMBOLS = ['LINKUSDT', 'DOTUSDT', 'LTCUSDT'];
/** The ingest schedule fires here; it pulls the 3000 minutes before (the lake the job trains on). */
const INGEST_AT_MS = Date.UTC(2026, 1, 10, 12, 0);
const LAKE_MINUTES = 3_000;
/** The tick's schedule fires a few minutes after the ingested span. */
const TICK_AT_MS = INGEST_AT_MS + 6 * MINUTE_MS;

// --- the one synthesis: what `cdk synth` writes to cdk.out, every handler bundled by the local esbuild
const outdir = mkdtempSync(path.join(tmpdir(), 'alpha15-bundles-'));
const app = new App({ outdir, context: cdkJson.context });
const stack = buildApp(app, cliEnvironment({ CDK_DEFAULT_REGION: REGION }));
app.synth();
const resources = Template.fromStack(stack).toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;

interface BundledLambda {
  handler: HandlerName;
  /** Logical ids of the function and of the role it runs as. */
  functionId: string;
  role: string;
  assetDir: string;
  /** The function's environment as the construct sets it (CloudFormation references resolved locally). */
  environment: Record<string, string>;
}

/** Every function of the assembly that alpha15 bundles (the framework's own functions carry no service name). */
function bundledLambdas(): BundledLambda[] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .flatMap(([id, { Properties }]) => {
      const variables = (Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      const handler = variables?.POWERTOOLS_SERVICE_NAME as HandlerName | undefined;
      if (handler === undefined) return [];
      const key = (Properties.Code as { S3Key: string }).S3Key;
      return [
        {
          handler,
          functionId: id,
          role: (Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
          assetDir: path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`),
          environment: Object.fromEntries(
            Object.entries(variables!).map(([name, value]) => [name, deployed.string(value)]),
          ),
        },
      ];
    });
}

// --- the stand-ins and the sandboxes
let s3: LocalS3;
let bucket: string;
let lake: S3Store;
let replay: ReplayServer;
let openSearch: FakeOpenSearch;
let aws: AwsJsonEndpoint;
/** The archive site (data.binance.vision) over the shared archives, with one zip damaged in transit. */
let archiveSite: ScriptedServer;
let workDir: string;
let buildDir: string;
let trainingEntrypoint: string;
let lambdas: Map<HandlerName, BundledLambda>;
let deployed: TemplateResolver;
let authorizer: TemplateAuthorizer;
let gate: S3Gate;
const bucketId = Object.keys(resources).find(
  (id) => resources[id]!.Type === 'AWS::S3::Bucket' && id.startsWith('DataLakeBucket'),
)!;

before(async () => {
  requireSharedData();
  workDir = await mkdtemp(path.join(tmpdir(), 'alpha15-harness-'));
  // inside the repository, so the job's packages resolve from node_modules as from /opt/alpha15's in the image
  buildDir = await mkdtemp(path.join(REPO_ROOT, '.test-build-'));
  trainingEntrypoint = await buildTrainingEntrypoint(buildDir);
  s3 = await startLocalS3();
  bucket = await s3.createBucket();
  lake = new S3Store({ bucket, prefix: '', client: s3.client });
  replay = await startReplayServer({
    source: { kind: 'archives', dir: ARCHIVE_MONTH_DIR },
    symbols: SYMBOLS,
    manualClock: true,
  });
  openSearch = await startFakeOpenSearch({ requireSigV4: { ...SANDBOX_CREDENTIALS, region: REGION } });
  aws = await startAwsJsonEndpoint();
  archiveSite = await startArchiveSite(ARCHIVE_MONTH_DIR, { corrupt: ['NEARUSDT-1m-2026-02.zip'] });
  // the template as the deployed stack resolves it, its bucket the stand-in's; every AWS call of a bundle
  // or of the job passes the IAM gate as its role
  deployed = new TemplateResolver(
    { Resources: resources },
    { region: REGION, account: ACCOUNT, names: { [bucketId]: bucket } },
  );
  authorizer = new TemplateAuthorizer(deployed);
  gate = await startS3Gate(s3.endpoint, authorizer);
  lambdas = new Map(bundledLambdas().map((lambda) => [lambda.handler, lambda]));
});
after(async () => {
  await Promise.all([
    replay?.close(),
    openSearch?.close(),
    aws?.close(),
    archiveSite?.close(),
    gate?.close(),
  ]);
  await s3?.close();
  for (const dir of [outdir, workDir, buildDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The asset copied into a folder outside the repository, beside a node_modules that holds only
 * @aws-sdk (what the Lambda runtime adds): any other import the bundle did not include fails to load.
 */
async function sandbox(assetDir: string, name: string): Promise<string> {
  const root = path.join(workDir, `lambda-${name}`);
  await cp(assetDir, path.join(root, 'task'), { recursive: true });
  await mkdir(path.join(root, 'node_modules'), { recursive: true });
  await symlink(path.join(REPO_ROOT, 'node_modules/@aws-sdk'), path.join(root, 'node_modules/@aws-sdk'));
  return path.join(root, 'task', 'index.mjs');
}

/** What the Lambda runtime does for an ES module handler: import index.mjs, call `handler(event, context)`. */
const RUNNER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventFile, resultFile] = process.argv.slice(2);
const context = {
  functionName: 'alpha15-harness', functionVersion: '$LATEST', awsRequestId: 'harness-1',
  invokedFunctionArn: 'arn:aws:lambda:${REGION}:${ACCOUNT}:function:alpha15-harness', memoryLimitInMB: '512',
  logGroupName: '/aws/lambda/alpha15-harness', logStreamName: 'harness', callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60000,
};
let outcome;
try {
  const { handler } = await import(pathToFileURL(bundle).href);
  outcome = { ok: true, result: (await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context)) ?? null };
} catch (error) {
  outcome = { ok: false, error: { name: error?.name, message: String(error?.message ?? error) } };
}
writeFileSync(resultFile, JSON.stringify(outcome));
// the runtime freezes the sandbox after the response; here the process ends, open sockets or not
process.exit(0);
`;

type Outcome = ({ ok: true; result: unknown } | { ok: false; error: { name: string; message: string } }) & {
  /** What the handler printed on stdout and stderr: Powertools' JSON log lines. */
  logs: string;
};

let invocations = 0;
async function invoke(
  role: string,
  bundleFile: string,
  event: unknown,
  environment: Record<string, string>,
): Promise<Outcome> {
  const id = ++invocations;
  gate.principal = role;
  const sageMakerCallsBefore = aws.calls.length;
  const openSearchRequestsBefore = openSearch.requests.length;
  const runner = path.join(workDir, 'runner.mjs');
  await writeFile(runner, RUNNER);
  const eventFile = path.join(workDir, `event-${id}.json`);
  const resultFile = path.join(workDir, `result-${id}.json`);
  await writeFile(eventFile, JSON.stringify(event));
  const { stdout, stderr } = await run(process.execPath, [runner, bundleFile, eventFile, resultFile], {
    // a clean environment: nothing of the test runner's (no tsx loader, no repo on any path)
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...environment },
    cwd: path.dirname(bundleFile),
    timeout: 90_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  gate.principal = undefined;
  await requireAllowed(role, sageMakerCallsBefore, openSearchRequestsBefore);
  return {
    ...(JSON.parse(readFileSync(resultFile, 'utf8')) as Omit<Outcome, 'logs'>),
    logs: `${stdout}\n${stderr}`,
  } as Outcome;
}

/**
 * What AWS would have refused the role during a run: its S3 requests (refused at the gate), and its
 * SageMaker calls and OpenSearch requests, decided against its policies and the domain's access policy.
 */
async function requireAllowed(role: string, sageMakerCallsBefore: number, openSearchRequestsBefore: number) {
  const refused = gate.takeDenials();
  for (const call of aws.calls.slice(sageMakerCallsBefore))
    for (const request of sageMakerRequests(call.target, call.body, { region: REGION, account: ACCOUNT })) {
      const decision = await gate.authorizer.decide(role, request);
      if (decision.result !== 'Allowed') refused.push(decision);
    }
  const domainArn = deployed.arn(
    Object.keys(resources).find((id) => resources[id]!.Type === 'AWS::OpenSearchService::Domain')!,
  );
  for (const line of openSearch.requests.slice(openSearchRequestsBefore)) {
    const decision = await gate.authorizer.decide(role, openSearchRequest(line, domainArn));
    if (decision.result !== 'Allowed') refused.push(decision);
  }
  if (refused.length > 0) throw new PermissionDeniedInRehearsal(refused[0]!);
}

/**
 * The credentials Lambda gives every sandbox: s3rver's own key pair. The OpenSearch stand-in recomputes
 * each signature with them; the SageMaker stand-in only records that requests are signed.
 */
const SANDBOX_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The runtime's variables and the endpoints of the stand-ins, as the account would provide them. */
function runtimeEnvironment(): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: 'alpha15-harness',
    AWS_ENDPOINT_URL_S3: gate.url,
    AWS_ENDPOINT_URL_SAGEMAKER: aws.url,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ALPHA15_WASM_THREADS: '1',
  };
}

interface Fixture {
  /** The event the function's rule (or CloudFormation) delivers. */
  event(): unknown;
  /** Deploy-time values that point at the stand-ins instead of Binance or the real domain. */
  environment?(): Record<string, string>;
}

/** One entry per handler: the event it receives in AWS and what differs from its deployed environment. */
const FIXTURES: Record<HandlerName, Fixture> = {
  'opensearch-setup': {
    event: () => {
      const setup = Object.values(resources).find((r) => r.Type === 'Custom::Alpha15OpenSearchSetup')!;
      const properties = Object.fromEntries(
        Object.entries(setup.Properties).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.map((item) => deployed.string(item)) : deployed.string(value),
        ]),
      );
      return {
        RequestType: 'Create',
        ServiceToken: properties.ServiceToken,
        ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
        StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Alpha15/1`,
        RequestId: 'create-1',
        LogicalResourceId: 'ObservabilitySetupResource',
        ResourceType: 'Custom::Alpha15OpenSearchSetup',
        // the domain's endpoint is the stand-in's; everything else as the template passes it
        ResourceProperties: { ...properties, Endpoint: openSearch.url },
      };
    },
  },
  ingest: {
    event: () => scheduledEvent(new Date(INGEST_AT_MS).toISOString()),
    environment: () => ({
      SYMBOLS: SYMBOLS.join(','),
      // enough history in one run for the job to train on
      LOOKBACK_MINUTES: String(LAKE_MINUTES),
      ALPHA15_BINANCE_BASE_URL: replay.url,
    }),
  },
  'training-trigger': {
    event: () => objectCreatedEvent(bucket, 'requests/training/harness.json'),
    // the replayed lake is February 2026, outside the lookback that ends at the wall clock: the
    // minimum-data refusal has its own test below
    environment: () => ({ TRAINING_MIN_DAYS: '0' }),
  },
  'tuning-trigger': {
    event: () => objectCreatedEvent(bucket, TUNING_REQUEST_KEY),
  },
  promotion: {
    event: () => trainingJobStateChange(jobName(), 'Completed'),
  },
  backfill: {
    // one item of the state machine's Distributed Map; a symbol the ingest step above did not load
    event: () => ({ symbol: 'FILUSDT', month: '2026-02' }),
    environment: () => ({ ARCHIVE_BASE_URL: archiveSite.url }),
  },
  'ledger-compaction': {
    // the night after the paper tick's day
    event: () => scheduledEvent(new Date(Date.UTC(2026, 1, 11, 0, 30)).toISOString()),
  },
  'runs-indexer': {
    // the run record the training job wrote into the bucket
    event: () => objectCreatedEvent(bucket, runRecordKey!),
    environment: () => ({ OPENSEARCH_URL: openSearch.url }),
  },
  'paper-tick': {
    event: () => scheduledEvent(new Date(TICK_AT_MS).toISOString()),
    environment: () => ({
      SYMBOLS: SYMBOLS.join(','),
      ALPHA15_BINANCE_BASE_URL: replay.url,
      OPENSEARCH_URL: openSearch.url,
    }),
  },
};

const bundles = new Map<HandlerName, string>();
async function invokeHandler(handler: HandlerName, override: Record<string, string> = {}): Promise<Outcome> {
  const lambda = lambdas.get(handler);
  assert.ok(lambda, `the app defines a ${handler} function`);
  let bundleFile = bundles.get(handler);
  if (bundleFile === undefined) {
    bundleFile = await sandbox(lambda.assetDir, handler);
    bundles.set(handler, bundleFile);
  }
  const fixture = FIXTURES[handler];
  return invoke(lambda.role, bundleFile, fixture.event(), {
    ...lambda.environment,
    ...runtimeEnvironment(),
    ...fixture.environment?.(),
    ...override,
  });
}

function succeeded(outcome: Outcome): unknown {
  assert.ok(
    outcome.ok,
    `the handler failed: ${outcome.ok ? '' : `${outcome.error.name}: ${outcome.error.message}`}`,
  );
  return outcome.result;
}

const TUNING_REQUEST_KEY = 'requests/tuning/harness.json';

let createTrainingJob: Record<string, unknown> | undefined;
/** `runs/<id>.json` of the training job's run. */
let runRecordKey: string | undefined;
const jobName = () => createTrainingJob!.TrainingJobName as string;
/** The role the trigger passed to the job (its logical id: the deployed role's name here). */
const jobRoleId = () => String(createTrainingJob!.RoleArn).split('/').pop()!;

test('every Lambda the app defines has an event fixture, and each bundle stays within its size budget', async () => {
  assert.deepEqual(
    [...lambdas.keys()].sort(),
    Object.keys(FIXTURES).sort(),
    'add a fixture for a new handler',
  );
  for (const { handler, assetDir } of lambdas.values()) {
    const budget = BUNDLE_BUDGETS[handler];
    const codeBytes = (await stat(path.join(assetDir, 'index.mjs'))).size;
    const totalBytes = await directoryBytes(assetDir);
    assert.ok(codeBytes <= budget.codeBytes, `${handler}: index.mjs ${codeBytes} B > ${budget.codeBytes} B`);
    assert.ok(totalBytes <= budget.totalBytes, `${handler}: asset ${totalBytes} B > ${budget.totalBytes} B`);
  }
});

test('setup: a CloudFormation create, signed as the master user, installs the templates, both role mappings and the dashboards in the global tenant', async () => {
  const result = succeeded(await invokeHandler('opensearch-setup')) as { Data: { DashboardObjects: number } };
  // the stand-in verified every request's signature; Basic auth or a bad signature would be in here
  assert.deepEqual(openSearch.refused, []);
  assert.ok(openSearch.authorizations.length > 0);
  for (const authorization of openSearch.authorizations)
    assert.match(
      authorization ?? '',
      /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/es\/aws4_request/,
    );
  assert.deepEqual(
    [...openSearch.templates.keys()].sort(),
    indexTemplates('alpha15')
      .map((template) => template.name)
      .sort(),
  );
  const writers = openSearch.roleMappings.get(writerRoleName('alpha15'))?.backend_roles ?? [];
  // the writers grantWrite named: the tick, the runs indexer, and the operator role people assume
  assert.deepEqual(
    writers.map((arn) => /^arn:aws:iam::\d+:role\/([A-Za-z]+?)[0-9A-F]{8}$/.exec(arn)?.[1]).sort(),
    ['ObservabilityTelemetryOperatorRole', 'PaperTradingTickRole', 'RunsIndexingIndexerRole'],
  );
  const readers = openSearch.roleMappings.get(dashboardsReaderRoleName('alpha15'))?.backend_roles ?? [];
  assert.equal(readers.length, 1);
  assert.match(readers[0]!, /^arn:aws:iam::\d+:role\/ObservabilityDashboardsAuthAuthenticatedRole/);
  // replicas as the single node allows: every template and the existing indices auto-expand 0-1
  for (const [name, template] of openSearch.templates)
    assert.equal(template.template.settings?.auto_expand_replicas, '0-1', name);
  assert.deepEqual(openSearch.indexSettings.get('alpha15-*'), { index: { auto_expand_replicas: '0-1' } });
  assert.ok(result.Data.DashboardObjects > 0);
  assert.equal(openSearch.savedObjects.size, result.Data.DashboardObjects);
  for (const object of openSearch.savedObjects.values()) assert.equal(object.tenant, 'global');
});

test('ingest: the scheduled run pulls the real candles from the replay server into partitions and watermarks', async () => {
  replay.setTimeMs(INGEST_AT_MS + 2_000);
  const result = succeeded(await invokeHandler('ingest')) as { rowsAdded: number; missing: number };
  assert.equal(result.rowsAdded, SYMBOLS.length * LAKE_MINUTES);
  for (const symbol of SYMBOLS) {
    assert.ok(await lake.get(partitionKey(symbol, INGEST_AT_MS)), `${symbol} has its February partition`);
    assert.equal((await readWatermark(lake, symbol))?.lastOpenTimeMs, INGEST_AT_MS - MINUTE_MS);
  }
  // the run asks for one retrain, whatever the number of partitions it wrote
  assert.deepEqual(await lake.list('requests/'), ['requests/new-data/ingest.json']);
});

test('ingest from a region Binance refuses (HTTP 451) fails with a typed error naming the region and the setting', async (t) => {
  const refusing = await startScriptedServer((_request, response) =>
    sendJson(response, 451, { code: 0, msg: 'Service unavailable from a restricted location' }),
  );
  t.after(() => refusing.close());
  const outcome = await invokeHandler('ingest', { ALPHA15_BINANCE_BASE_URL: refusing.url });
  assert.equal(outcome.ok ? '' : outcome.error.name, 'BinanceRegionRestrictedError');
  assert.match(outcome.ok ? '' : outcome.error.message, /HTTP 451.*region/);
  assert.equal(refusing.requests.length, 1, 'not retried');
});

test('training trigger: a training request starts one spot job whose request the container accepts', async () => {
  aws.answers.set('SageMaker.ListTrainingJobs', () => ({ TrainingJobSummaries: [] }));
  aws.answers.set('SageMaker.CreateTrainingJob', (body) => ({
    TrainingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/${String(body.TrainingJobName)}`,
  }));
  const result = succeeded(await invokeHandler('training-trigger')) as { started: boolean };
  assert.equal(result.started, true);
  const call = aws.calls.find((recorded) => recorded.target === 'SageMaker.CreateTrainingJob');
  assert.ok(call, 'CreateTrainingJob reached SageMaker');
  assert.match(call.authorization ?? '', /^AWS4-HMAC-SHA256 /);
  createTrainingJob = call.body;
  // the hyperparameters are what the container's own schema parses
  const hyperparameters = parseHyperparameters(createTrainingJob.HyperParameters);
  assert.equal(hyperparameters.jobName, jobName());
  assert.equal(hyperparameters.store, `s3://${bucket}`);
  assert.deepEqual(createTrainingJob.CheckpointConfig, {
    S3Uri: `s3://${bucket}/sagemaker/checkpoints/${jobName()}/`,
    LocalPath: CHECKPOINT_LOCAL_PATH,
  });
  assert.equal(createTrainingJob.EnableManagedSpotTraining, true);
  assert.deepEqual(createTrainingJob.Environment, { AWS_REGION: REGION, AWS_DEFAULT_REGION: REGION });
  assert.equal((createTrainingJob.ResourceConfig as { InstanceType: string }).InstanceType, 'ml.g4dn.xlarge');
});

test('training trigger: with the deployed minimum of data it refuses a lake that is too short, naming the days it holds; a missing quota is reported, not retried', async () => {
  const created = () =>
    aws.calls.filter((recorded) => recorded.target === 'SageMaker.CreateTrainingJob').length;
  const before = created();
  const refused = succeeded(
    await invokeHandler('training-trigger', {
      TRAINING_MIN_DAYS: String(cdkJson.context['alpha15:trainingMinDays']),
    }),
  ) as { started: boolean; reason: string; detail: string };
  assert.deepEqual([refused.started, refused.reason], [false, 'not-enough-data']);
  assert.match(refused.detail, /^the lake holds 0\.0 days of the 30 a retrain needs within the last 90/);

  aws.answers.set('SageMaker.ListTrainingJobs', () => ({ TrainingJobSummaries: [] }));
  aws.answers.set('SageMaker.CreateTrainingJob', () => ({
    __type: 'ResourceLimitExceeded',
    message: 'The account-level service limit is 0 Instances',
  }));
  const quota = succeeded(await invokeHandler('training-trigger')) as { reason: string; detail: string };
  assert.equal(quota.reason, 'quota-exceeded');
  assert.match(quota.detail, /"ml\.g4dn\.xlarge for spot training job usage".*servicequotas/);
  assert.equal(created(), before + 1, 'one CreateTrainingJob, no retry');
  aws.answers.delete('SageMaker.CreateTrainingJob');
  aws.calls.length = 0;
});

test('tuning trigger: a tuning request in the bucket starts one tuning job whose trials the container accepts', async () => {
  await lake.put(TUNING_REQUEST_KEY, JSON.stringify({ maxJobs: 6, epochs: 2 }));
  aws.answers.set('SageMaker.CreateHyperParameterTuningJob', (body) => ({
    HyperParameterTuningJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:hyper-parameter-tuning-job/${String(body.HyperParameterTuningJobName)}`,
  }));
  const result = succeeded(await invokeHandler('tuning-trigger')) as {
    started: boolean;
    tuningJobName: string;
  };
  assert.equal(result.started, true);
  const call = aws.calls.find((recorded) => recorded.target === 'SageMaker.CreateHyperParameterTuningJob');
  assert.ok(call, 'CreateHyperParameterTuningJob reached SageMaker');
  assert.match(call.authorization ?? '', /^AWS4-HMAC-SHA256 /);
  const config = call.body.HyperParameterTuningJobConfig as {
    ResourceLimits: { MaxNumberOfTrainingJobs: number };
    TrainingJobEarlyStoppingType: string;
  };
  assert.equal(config.ResourceLimits.MaxNumberOfTrainingJobs, 6, 'the request body reached the job');
  assert.equal(config.TrainingJobEarlyStoppingType, 'Auto');
  const definition = call.body.TrainingJobDefinition as {
    StaticHyperParameters: Record<string, string>;
    Environment: Record<string, string>;
  };
  // the Lambda runtime's region reaches every trial's environment (its S3 client signs for it)
  assert.deepEqual(definition.Environment, { AWS_REGION: REGION, AWS_DEFAULT_REGION: REGION });
  const trial = parseHyperparameters({
    ...definition.StaticHyperParameters,
    _tuning_objective_metric: 'objective_ic',
  });
  assert.equal(trial.store, `s3://${bucket}`);
  assert.equal(trial.epochs, 2);
});

test('training job: the built entry point trains on the ingested lake in S3 and records its model', async () => {
  // the request's data range ends at the wall clock; the replayed lake holds February 2026, so the
  // range and the tiny model's knobs are the only values changed from what the trigger sent
  const root = await writeSageMakerTree(path.join(workDir, 'opt-ml'), {
    ...(createTrainingJob!.HyperParameters as Record<string, string>),
    ...encodeHyperparameters({
      jobName: jobName(),
      store: `s3://${bucket}`,
      symbols: SYMBOLS.join(','),
      fromMs: INGEST_AT_MS - LAKE_MINUTES * MINUTE_MS,
      toMs: INGEST_AT_MS,
      ...TINY_JOB_KNOBS,
    }),
  });
  gate.principal = jobRoleId();
  const trained = run(process.execPath, [trainingEntrypoint, 'train'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...(createTrainingJob!.Environment as Record<string, string>),
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_S3: gate.url,
      ALPHA15_WASM_THREADS: '1',
      SM_ROOT: root,
    },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  await trained.finally(() => (gate.principal = undefined));
  await requireAllowed(jobRoleId(), aws.calls.length, openSearch.requests.length);
  const record = JSON.parse(new TextDecoder().decode(await lake.get(trainingJobRecordKey(jobName())))) as {
    modelId: string;
  };
  assert.deepEqual((await readModelMeta(lake, record.modelId)).symbols, SYMBOLS);
  await stat(path.join(sagemakerPaths(root).model, 'models', record.modelId, 'meta.json'));
});

test('promotion: the completed job is evaluated and its model is the champion', async () => {
  const result = succeeded(await invokeHandler('promotion')) as {
    modelId: string;
    promoted: boolean;
    reason: string;
  };
  const record = JSON.parse(new TextDecoder().decode(await lake.get(trainingJobRecordKey(jobName())))) as {
    modelId: string;
  };
  assert.equal(result.modelId, record.modelId);
  // the bucket had no champion and the job never promotes itself: promotion made its model the first
  assert.deepEqual([result.promoted, result.reason], [true, 'no-champion']);
  assert.equal((await getChampion(lake))?.modelId, record.modelId);
  assert.ok(await lake.get(promotionRecordKey(jobName())), 'the decision is recorded');
});

test('runs indexer: the run record the training job wrote reaches the studies index under its run id; a redelivered event adds no document', async () => {
  const recorded = (await lake.list(RUNS_PREFIX)).filter((key) => key.endsWith('.json'));
  assert.equal(recorded.length, 1, 'the training job recorded one run');
  runRecordKey = recorded[0]!;
  const runId = runIdOfKey(runRecordKey)!;
  const bulkBefore = openSearch.requests.filter((request) => request === 'POST /_bulk').length;
  const result = succeeded(await invokeHandler('runs-indexer')) as { runId: string; kind: string };
  assert.deepEqual([result.runId, result.kind], [runId, 'train']);
  const runs = openSearch.documents.get('alpha15-runs');
  assert.deepEqual([...(runs?.keys() ?? [])], [runId]);
  assert.equal(runs!.get(runId)!.runId, runId);
  const bulkAuthorizations = openSearch.requests
    .map((request, index) => [request, openSearch.authorizations[index]] as const)
    .filter(([request]) => request === 'POST /_bulk')
    .slice(bulkBefore);
  assert.equal(bulkAuthorizations.length, 1);
  assert.match(
    bulkAuthorizations[0]![1] ?? '',
    /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/es\//,
  );

  // the index is the one the studies dashboard's index pattern (as the setup imported it) reads
  const pattern = openSearch.savedObjects.get('alpha15-runs') as unknown as {
    type: string;
    attributes: { title: string };
  };
  assert.equal(pattern.type, 'index-pattern');
  assert.ok(
    new RegExp(`^${pattern.attributes.title.replace(/\*/g, '.*')}$`).test('alpha15-runs'),
    `${pattern.attributes.title} matches the index the indexer writes`,
  );

  // EventBridge delivers at least once: the same event again overwrites the same document
  succeeded(await invokeHandler('runs-indexer'));
  assert.deepEqual([...openSearch.documents.get('alpha15-runs')!.keys()], [runId]);
});

test('paper tick: the every-minute tick trades with the champion, writes the ledger and indexes signed telemetry', async () => {
  replay.setTimeMs(TICK_AT_MS + 3_000);
  gate.takeReads();
  const result = succeeded(await invokeHandler('paper-tick')) as {
    status: string;
    minuteMs: number;
    opened: number;
  };
  const reads = gate.takeReads();
  assert.equal(result.status, 'ok');
  // each thing once per tick, counted at S3 (docs/paper-reliability.md states the count): the pointer
  // by the model loader alone, the open positions listed once, no object read twice
  assert.equal(reads.filter((read) => read === `get ${CHAMPION_KEY}`).length, 1, reads.join('\n'));
  assert.equal(reads.filter((read) => read === 'list paper/positions/').length, 1, reads.join('\n'));
  assert.deepEqual(
    reads.filter((read, i) => reads.indexOf(read) !== i),
    [],
    reads.join('\n'),
  );
  // a cold start with no position open yet: the minute's tick outcome, the pointer, the model's meta,
  // thresholds and four files, the positions' listing, the repair scan (4 listings), the minute's
  // decision and the overlap rule's trades; then one check per entry opened that its trade is not recorded
  assert.equal(reads.length, 15 + result.opened, reads.join('\n'));
  const minuteMs = TICK_AT_MS - MINUTE_MS;
  assert.equal(result.minuteMs, minuteMs);
  const ledger = new Ledger(lake);
  const decision = await ledger.getDecision(minuteMs);
  assert.equal(decision?.modelId, (await getChampion(lake))?.modelId);
  // every symbol was fresh and got a number from the model
  assert.deepEqual(
    (decision?.predictions ?? [])
      .filter((p) => Number.isFinite(p.prediction))
      .map((p) => p.symbol)
      .sort(),
    [...SYMBOLS].sort(),
  );
  assert.equal((await ledger.getTick(minuteMs))?.status, 'ok');
  const predictions = openSearch.documents.get('alpha15-predictions');
  assert.equal(predictions?.size, SYMBOLS.length, 'one prediction document per symbol');
  const bulkAuthorizations = openSearch.requests
    .map((request, index) => [request, openSearch.authorizations[index]] as const)
    .filter(([request]) => request === 'POST /_bulk')
    .map(([, authorization]) => authorization ?? '');
  assert.ok(bulkAuthorizations.length > 0);
  for (const authorization of bulkAuthorizations)
    assert.match(authorization, /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/es\/aws4_request/);
});

test('the harness catches a broken bundle: the tick asset without its wasm binary fails to run', async () => {
  const tick = lambdas.get('paper-tick')!;
  const broken = path.join(workDir, 'broken-paper-tick');
  await cp(tick.assetDir, broken, { recursive: true });
  const wasmDir = path.join(broken, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const removed = (await readdir(wasmDir)).filter((name) => name.endsWith('.wasm'));
  for (const name of removed) await rm(path.join(wasmDir, name));
  assert.ok(removed.length > 0);
  const bundleFile = await sandbox(broken, 'broken-paper-tick');
  // the next minute, so the tick does not stop at "already ticked" before it needs the model
  replay.setTimeMs(TICK_AT_MS + MINUTE_MS + 3_000);
  const outcome = await invoke(
    tick.role,
    bundleFile,
    scheduledEvent(new Date(TICK_AT_MS + MINUTE_MS).toISOString()),
    {
      ...tick.environment,
      ...runtimeEnvironment(),
      ...FIXTURES['paper-tick'].environment!(),
    },
  );
  assert.equal(outcome.ok, false, `a bundle without its wasm must not pass: ${JSON.stringify(outcome)}`);
  assert.match(outcome.ok ? '' : outcome.error.message, /wasm/i);
});

test('backfill: a Map item downloads its month from the archive site, checksum verified, into the lake; a corrupt zip fails only its own item', async () => {
  const result = succeeded(await invokeHandler('backfill')) as { status: string; rowsAdded: number };
  assert.deepEqual([result.status, result.rowsAdded], ['ingested', 40_320]);
  assert.equal((await readWatermark(lake, 'FILUSDT'))?.partitions['2026-02']?.rows, 40_320);
  const backfill = lambdas.get('backfill')!;
  const outcome = await invoke(
    backfill.role,
    bundles.get('backfill')!,
    { symbol: 'NEARUSDT', month: '2026-02' },
    {
      ...backfill.environment,
      ...runtimeEnvironment(),
      ...FIXTURES.backfill.environment!(),
    },
  );
  // the error name is what the state machine's Retry and the result file see
  assert.equal(outcome.ok ? '' : outcome.error.name, 'ArchiveChecksumError');
  assert.equal(await readWatermark(lake, 'NEARUSDT'), undefined);
  // the log line carries the error's stable code and its facts as fields, for a log query to count
  const failures = outcome.logs
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map(
      (line) =>
        JSON.parse(line) as { level: string; failure?: { code?: string; data?: { fileName?: string } } },
    )
    .filter((line) => line.level === 'ERROR');
  assert.deepEqual(
    failures.map((line) => [line.failure?.code, line.failure?.data?.fileName]),
    [['ARCHIVE_CHECKSUM', 'NEARUSDT-1m-2026-02.zip']],
  );
});

test('backfill state machine: its Map runs each item through the shipped bundle as its Retry and Catch rules say, writes the result files and settles the watermarks, every call allowed to its role', async () => {
  const machineId = Object.keys(resources).find(
    (id) => resources[id]!.Type === 'AWS::StepFunctions::StateMachine',
  )!;
  const machine = resources[machineId]!.Properties as {
    DefinitionString: unknown;
    RoleArn: { 'Fn::GetAtt': [string] };
  };
  const definition = JSON.parse(deployed.string(machine.DefinitionString)) as StatesDefinition;
  assert.deepEqual(aslProblems(definition), []);
  const machineRole = machine.RoleArn['Fn::GetAtt'][0];
  const backfill = lambdas.get('backfill')!;
  const environment = {
    ...backfill.environment,
    ...runtimeEnvironment(),
    ...FIXTURES.backfill.environment!(),
  };
  // the Lambda service throttles ALGOUSDT's first two invocations, as a new account's concurrency would
  const throttles = new Map([['ALGOUSDT', 2]]);
  const retries: string[] = [];
  const output = (await runStates(
    definition,
    {
      items: [
        { symbol: 'ALGOUSDT', month: '2026-02' },
        { symbol: 'NEARUSDT', month: '2026-02' },
      ],
      symbols: ['ALGOUSDT', 'NEARUSDT'],
    },
    {
      stateMachineArn: deployed.arn(machineId),
      authorize: (action, resource) => authorizer.require(machineRole, [{ action, resource }]),
      invokeLambda: async (functionArn, input) => {
        assert.equal(functionArn, deployed.arn(backfill.functionId), 'the Task invokes the item function');
        const symbol = (input as { symbol?: string }).symbol ?? '';
        const throttled = throttles.get(symbol) ?? 0;
        if (throttled > 0) {
          throttles.set(symbol, throttled - 1);
          return { ok: false, error: { name: 'Lambda.TooManyRequestsException', message: 'Rate Exceeded.' } };
        }
        return invoke(backfill.role, bundles.get('backfill')!, input, environment);
      },
      writeObject: (_bucket, key, body) => lake.put(key, body),
      onRetry: (state, error, delaySeconds) => {
        retries.push(`${state} ${error}`);
        // the first retrier: 2 s, then 4 s, with full jitter
        assert.ok(delaySeconds <= 2 * 2 ** (retries.length - 1), `${delaySeconds} s`);
      },
    },
  )) as { map: { ResultWriterDetails: { Key: string } }; settled: unknown };
  // throttling was retried by the definition's first retrier; the corrupt zip is no retryable error
  assert.deepEqual(retries, [
    'IngestMonth Lambda.TooManyRequestsException',
    'IngestMonth Lambda.TooManyRequestsException',
  ]);
  assert.equal((await readWatermark(lake, 'ALGOUSDT'))?.partitions['2026-02']?.rows, 40_320);
  assert.equal(await readWatermark(lake, 'NEARUSDT'), undefined);
  const manifestKey = output.map.ResultWriterDetails.Key;
  assert.ok(manifestKey.startsWith('backfill/results/'));
  const failedKey = manifestKey.replace(/manifest\.json$/, 'FAILED_0.json');
  const failed = JSON.parse(new TextDecoder().decode(await lake.get(failedKey))) as {
    Input: string;
    Error: string;
  }[];
  assert.deepEqual(
    failed.map((entry) => [JSON.parse(entry.Input).symbol, entry.Error]),
    [['NEARUSDT', 'ArchiveChecksumError']],
  );
  assert.ok(output.settled !== undefined, 'the closing task ran');
  // what the machine's role did: invoke the item function, start the Map's child executions, write results
  const actions = new Set(
    authorizer.decisions
      .filter((decision) => decision.role === machineRole)
      .map((decision) => decision.action),
  );
  assert.deepEqual([...actions].sort(), ['lambda:InvokeFunction', 's3:PutObject', 'states:StartExecution']);
});

test('ledger compaction: the nightly run compacts the finished days of the ledger the tick wrote', async () => {
  const result = succeeded(await invokeHandler('ledger-compaction')) as {
    fromDay: string | null;
    toDay: string | null;
    written: number;
  };
  const openEntries = (await new Ledger(lake).openPositions()).map((position) => position.entryTimeMs);
  if (openEntries.length === 0) {
    // the tick's day (2026-02-10) ended before the run: its decisions are the one file written
    assert.deepEqual([result.fromDay, result.toDay, result.written], ['2026-02-10', '2026-02-10', 1]);
    assert.ok(await lake.get('paper/curated/decisions/day=2026-02-10/part.parquet'));
  } else {
    // a position the tick opened is still open: its day waits
    assert.deepEqual([result.fromDay, result.written], [null, 0]);
  }
});

test('the rehearsal catches a missing permission: without its s3:GetObject the runs indexer is refused, named with the resource', async () => {
  const indexer = lambdas.get('runs-indexer')!;
  const planted = structuredClone(resources);
  for (const resource of Object.values(planted)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const properties = resource.Properties as {
      Roles: { Ref: string }[];
      PolicyDocument: { Statement: { Action: unknown }[] };
    };
    if (!properties.Roles.some((role) => role.Ref === indexer.role)) continue;
    properties.PolicyDocument.Statement = properties.PolicyDocument.Statement.filter(
      (statement) => statement.Action !== 's3:GetObject',
    );
  }
  gate.authorizer = new TemplateAuthorizer(
    new TemplateResolver(
      { Resources: planted },
      { region: REGION, account: ACCOUNT, names: { [bucketId]: bucket } },
    ),
  );
  try {
    await assert.rejects(invokeHandler('runs-indexer'), (error: unknown) => {
      assert.ok(error instanceof PermissionDeniedInRehearsal);
      assert.equal(error.decision.action, 's3:GetObject');
      assert.equal(error.decision.resource, `arn:aws:s3:::${bucket}/${runRecordKey}`);
      assert.equal(error.decision.role, indexer.role);
      assert.match(
        error.message,
        /^RunsIndexingIndexerRole[0-9A-F]{8} may not s3:GetObject on arn:aws:s3:::/,
      );
      return true;
    });
  } finally {
    gate.authorizer = authorizer;
  }
});

test("what the platform does as each role is allowed too: Lambda logs and failure destinations, the job's image, logs, output and checkpoints", async () => {
  for (const { handler, functionId, role } of lambdas.values()) {
    const properties = resources[functionId]!.Properties as { LoggingConfig?: { LogGroup?: unknown } };
    const logGroup = deployed.string(properties.LoggingConfig!.LogGroup);
    const stream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroup}:log-stream:2026/02/10/[$LATEST]abc`;
    await authorizer.require(role, [
      { action: 'logs:CreateLogStream', resource: stream },
      { action: 'logs:PutLogEvents', resource: stream },
    ]);
    const invokeConfig = Object.values(resources).find(
      (resource) =>
        resource.Type === 'AWS::Lambda::EventInvokeConfig' &&
        (resource.Properties.FunctionName as { Ref?: string }).Ref === functionId,
    );
    const destination = (
      invokeConfig?.Properties.DestinationConfig as { OnFailure?: { Destination: unknown } } | undefined
    )?.OnFailure;
    // the async ones send what they failed to handle to their queue, as the function's role
    if (destination)
      await authorizer.require(role, [
        { action: 'sqs:SendMessage', resource: deployed.string(destination.Destination) },
      ]);
    // the gate decided this function's own S3 requests (the setup function talks only to OpenSearch, and
    // the training trigger, in this chain, only to SageMaker)
    if (handler !== 'opensearch-setup' && handler !== 'training-trigger')
      assert.ok(
        authorizer.decisions.some((decision) => decision.role === role && decision.action.startsWith('s3:')),
        `${handler}'s S3 requests passed the IAM gate`,
      );
  }
  // SageMaker runs the job as its role: pulls the image, writes logs and metrics, uploads the output,
  // syncs the checkpoints, all where the trigger's request says
  const job = createTrainingJob as {
    AlgorithmSpecification: { TrainingImage: string };
    OutputDataConfig: { S3OutputPath: string };
    CheckpointConfig: { S3Uri: string };
  };
  const [registry, repositoryAndTag] = job.AlgorithmSpecification.TrainingImage.split(/\/(.*)/s) as [
    string,
    string,
  ];
  const repository = `arn:aws:ecr:${registry.split('.')[3]}:${registry.split('.')[0]}:repository/${repositoryAndTag.split(':')[0]}`;
  const s3Object = (uri: string) => `arn:aws:s3:::${uri.replace(/^s3:\/\//, '')}`;
  const checkpoints = new URL(job.CheckpointConfig.S3Uri);
  const logStream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/TrainingJobs:log-stream:${jobName()}/algo-1`;
  await authorizer.require(jobRoleId(), [
    { action: 'ecr:GetAuthorizationToken', resource: '*' },
    { action: 'ecr:BatchGetImage', resource: repository },
    { action: 'ecr:GetDownloadUrlForLayer', resource: repository },
    { action: 'logs:CreateLogStream', resource: logStream },
    { action: 'logs:PutLogEvents', resource: logStream },
    {
      action: 'cloudwatch:PutMetricData',
      resource: '*',
      context: { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' },
    },
    {
      action: 's3:PutObject',
      resource: s3Object(
        `${job.OutputDataConfig.S3OutputPath.replace(/\/?$/, '/')}${jobName()}/output/model.tar.gz`,
      ),
    },
    {
      action: 's3:ListBucket',
      resource: `arn:aws:s3:::${checkpoints.host}`,
      context: { 's3:prefix': checkpoints.pathname.slice(1) },
    },
    { action: 's3:PutObject', resource: s3Object(`${job.CheckpointConfig.S3Uri}checkpoint-1.json`) },
    { action: 's3:GetObject', resource: s3Object(`${job.CheckpointConfig.S3Uri}checkpoint-1.json`) },
  ]);
});

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

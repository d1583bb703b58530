import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { TRAINING_METRIC_DEFINITIONS } from '../../infra/training.js';
import { loadConfig } from '../../src/config/load.js';
import { writeKlines } from '../../src/lake/writer.js';
import { generateSyntheticMarket } from '../../src/market/synthetic.js';
import { readCheckpoint } from '../../src/model/checkpoint.js';
import { loadPredictor } from '../../src/model/predictor.js';
import {
  decidePromotion,
  evaluationSchema,
  EVALUATION_FILE,
  trainingJobRecordKey,
  trainingJobRecordSchema,
} from '../../src/app/evaluate-and-promote.js';
import { getChampion, getModelFile, readModelMeta, setChampion } from '../../src/model/registry.js';
import { trainModel } from '../../src/app/train.js';
import { openStore } from '../../src/store/open-store.js';
import { MINUTE_MS } from '../../src/time.js';
import { buildTrainingEntrypoint } from '../../training-container/build.js';
import { runSageMakerTraining } from '../../src/app/training-job.js';
import {
  configOverrides,
  encodeHyperparameters,
  parseHyperparameters,
  sagemakerPaths,
  type TrainingHyperparameters,
} from '../../src/contracts/sagemaker.js';
import { listRuns } from '../../src/runs/runs-index.js';
import { planTuningJob, type TuningSettings } from '../../src/app/start-tuning.js';
import { tuningJobRequest } from '../../src/aws/sagemaker-tuning-jobs.js';
import type { SageMakerJobSettings } from '../../src/contracts/sagemaker-job-env.js';
import { leadLagOptions, LEAD_LAG_SYMBOLS, SYNTHETIC_START_MS } from '../support/model-fixtures.js';
import { runCli } from '../support/cli.js';
import { TINY_JOB_KNOBS, writeSageMakerTree } from '../support/sagemaker-job.js';
import { REPO_ROOT } from '../support/shared-data.js';

const run = promisify(execFile);

const TUNING_SETTINGS: Omit<SageMakerJobSettings, 'metricDefinitions'> & TuningSettings = {
  bucketName: 'alpha15-lake',
  storeUrl: 's3://alpha15-lake',
  symbols: LEAD_LAG_SYMBOLS,
  jobRoleArn: 'arn:aws:iam::123456789012:role/alpha15-job',
  imageUri: 'image',
  instanceType: 'ml.g5.xlarge',
  volumeSizeGb: 30,
  maxRuntimeSeconds: 3600,
  maxWaitSeconds: 7200,
  lookbackDays: 30,
  holdoutDays: 7,
  maxJobs: 4,
  maxParallelJobs: 2,
  walkForwardFolds: 2,
  jobPrefix: 'a15tune-',
  outputPrefix: 'sagemaker/output/',
  region: 'eu-west-1',
};

const MINUTES = 3_000;
let workDir: string;
let storeUrl: string;
/** The entry point as the image runs it: built by training-container/build.ts, beside node_modules. */
let builtEntrypoint: string;
let buildDir: string;

before(async () => {
  // inside the repository, so packages resolve from its node_modules as from /opt/alpha15's in the image
  buildDir = await mkdtemp(path.join(REPO_ROOT, '.test-build-'));
  builtEntrypoint = await buildTrainingEntrypoint(buildDir);
  workDir = await mkdtemp(path.join(tmpdir(), 'alpha15-sagemaker-'));
  storeUrl = `file://${path.join(workDir, 'bucket')}`;
  const store = openStore(storeUrl);
  for (const columns of generateSyntheticMarket(leadLagOptions(MINUTES, 21)))
    await writeKlines(store, columns);
});
after(async () => {
  await rm(workDir, { recursive: true, force: true });
  await rm(buildDir, { recursive: true, force: true });
});

/** A SageMaker directory tree with the given hyperparameters (as SageMaker writes them: all strings). */
function sagemakerTree(name: string, hyperparameters: Record<string, string>): Promise<string> {
  return writeSageMakerTree(path.join(workDir, name), hyperparameters);
}

function tinyJob(jobName: string, overrides: Partial<TrainingHyperparameters> = {}): Record<string, string> {
  return encodeHyperparameters({
    jobName,
    store: storeUrl,
    symbols: LEAD_LAG_SYMBOLS.join(','),
    fromMs: SYNTHETIC_START_MS,
    toMs: SYNTHETIC_START_MS + MINUTES * MINUTE_MS,
    ...TINY_JOB_KNOBS,
    ...overrides,
  });
}

/** The values SageMaker would chart for a metric: its definition's regex over the job's output lines. */
function capturedMetric(lines: string[], name: string): number[] {
  const pattern = new RegExp(
    TRAINING_METRIC_DEFINITIONS.find((definition) => definition.Name === name)!.Regex,
  );
  return lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match ? [Number(match[1])] : [];
  });
}

test('a job on a local SageMaker tree writes a loadable model, parseable metric lines and the promotion evidence', async () => {
  const root = await sagemakerTree('first-job', tinyJob('alpha15-20260105-0000'));
  const lines: string[] = [];
  const result = await runSageMakerTraining(root, { writeLine: (line) => lines.push(line), env: {} });
  assert.ok(result.ok, `the job failed: ${'failure' in result ? result.failure : ''}`);

  const modelStore = openStore(`file://${sagemakerPaths(root).model}`);
  const predictor = await loadPredictor(modelStore, result.modelId);
  try {
    assert.deepEqual(predictor.meta.symbols, LEAD_LAG_SYMBOLS);
    const window = new Float32Array(predictor.meta.windowMinutes * predictor.meta.channels);
    assert.equal((await predictor.predictWindow(window)).length, LEAD_LAG_SYMBOLS.length);
  } finally {
    predictor.dispose();
  }

  // every metric SageMaker charts is found by its definition's regex, with the value the registry holds
  const meta = await readModelMeta(openStore(storeUrl), result.modelId);
  const captured = (name: string) => capturedMetric(lines, name);
  assert.deepEqual(captured('epoch'), [1]);
  assert.equal(captured('train_loss').length, 1);
  assert.ok(Math.abs(captured('validation_ic').at(-1)! - meta.validation.ic) < 1e-9);
  assert.ok(Math.abs(captured('validation_hit_rate').at(-1)! - meta.validation.hitRate) < 1e-9);

  const store = openStore(storeUrl);
  const record = trainingJobRecordSchema.parse(
    JSON.parse(new TextDecoder().decode(await store.get(trainingJobRecordKey('alpha15-20260105-0000')))),
  );
  assert.equal(record.modelId, result.modelId);
  const evaluation = evaluationSchema.parse(
    JSON.parse(new TextDecoder().decode(await getModelFile(store, result.modelId, EVALUATION_FILE))),
  );
  assert.equal(evaluation.champion, null, 'the first model has no champion to compare with');
  // the job's role may not write models/champion.json: even a first model waits for promotion
  assert.equal(await getChampion(store), undefined, 'the job leaves the champion pointer to promotion');
  assert.equal(decidePromotion(evaluation, undefined).reason, 'no-champion');
  await setChampion(store, result.modelId); // what the promotion step then does
  const epochLog = await readFile(path.join(sagemakerPaths(root).checkpoints, 'epochs.jsonl'), 'utf8');
  assert.equal(epochLog.trim().split('\n').length, 1, 'the epoch log is kept with the spot checkpoints');
});

test('a later job scores the champion on its own validation window and leaves the champion pointer to promotion', async () => {
  const store = openStore(storeUrl);
  const championBefore = await getChampion(store);
  assert.ok(championBefore, 'the previous test made a champion');
  const root = await sagemakerTree('second-job', tinyJob('alpha15-20260105-0100', { seed: 99 }));
  const result = await runSageMakerTraining(root, { writeLine: () => {}, env: {} });
  assert.ok(result.ok);

  const evaluation = evaluationSchema.parse(
    JSON.parse(new TextDecoder().decode(await getModelFile(store, result.modelId, EVALUATION_FILE))),
  );
  const meta = await readModelMeta(store, result.modelId);
  assert.equal(evaluation.champion?.modelId, championBefore.modelId);
  assert.deepEqual(evaluation.window, meta.split.validation);
  assert.ok(evaluation.samples > 0);
  assert.ok(Number.isFinite(evaluation.champion!.score.ic) && Number.isFinite(evaluation.candidate.ic));
  assert.notEqual(
    evaluation.champion!.score.ic,
    evaluation.candidate.ic,
    'two different models score differently',
  );
  assert.equal(
    (await getChampion(store))?.modelId,
    championBefore.modelId,
    'the container never replaces a champion',
  );
});

interface LogLine {
  level: string;
  failure: { name: string; code: string; data: Record<string, unknown> };
}

test('bad hyperparameters write the failure file, name the parameter, and train nothing', async () => {
  const root = await sagemakerTree('bad-job', { ...tinyJob('alpha15-20260105-0200'), epochs: 'many' });
  const lines: string[] = [];
  const result = await runSageMakerTraining(root, { writeLine: (line) => lines.push(line), env: {} });
  assert.equal(result.ok, false);
  const failure = await readFile(sagemakerPaths(root).failure, 'utf8');
  assert.match(failure, /^InvalidHyperparametersError: invalid hyperparameter epochs/);
  // the log carries the error as fields: its stable code and the parameter at fault
  const logged = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);
  assert.equal(logged.length, 1);
  assert.equal(logged[0]!.failure.name, 'InvalidHyperparametersError');
  assert.equal(logged[0]!.failure.code, 'INVALID_HYPERPARAMETERS');
  assert.equal(logged[0]!.failure.data.parameter, 'epochs');
  await assert.rejects(stat(sagemakerPaths(root).model), { code: 'ENOENT' });
  assert.equal(await openStore(storeUrl).get(trainingJobRecordKey('alpha15-20260105-0200')), undefined);
});

test('alpha15 train --sagemaker-root runs the same entry point on a local tree and reports the job as JSON', async () => {
  const root = await sagemakerTree('cli-job', tinyJob('alpha15-20260105-0300', { seed: 5 }));
  const { code, stdout, stderr } = await runCli(['train', '--sagemaker-root', root, '--json'], {
    timeoutMs: 0,
  });
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout) as { ok: boolean; modelId: string; jobName: string };
  assert.equal(result.ok, true);
  assert.equal(result.jobName, 'alpha15-20260105-0300');
  // with --json the metric lines move to stderr, so stdout stays one JSON document
  assert.match(stderr, /\[alpha15-metric\] epoch=1/);
  const record = trainingJobRecordSchema.parse(
    JSON.parse(new TextDecoder().decode(await openStore(storeUrl).get(trainingJobRecordKey(result.jobName)))),
  );
  assert.equal(record.modelId, result.modelId);
  await stat(path.join(sagemakerPaths(root).model, 'models', result.modelId, 'meta.json'));
});

/** Runs the built entry point as SageMaker runs the image (`<image> train`), on a local tree. */
function runBuiltEntrypoint(root: string): Promise<number | undefined> {
  // SM_ROOT points the entry point at the local tree instead of /opt/ml; no tsx: plain node on the build
  return run(process.execPath, [builtEntrypoint, 'train'], {
    cwd: REPO_ROOT,
    env: { ...process.env, SM_ROOT: root },
  }).then(
    () => 0,
    (error: { code?: number }) => error.code,
  );
}

test('the built container entry point exits non-zero with the failure file when the hyperparameters are bad', async () => {
  const root = await sagemakerTree('entrypoint-bad-job', {
    ...tinyJob('alpha15-20260105-0400'),
    store: 'ftp://nowhere',
  });
  assert.equal(await runBuiltEntrypoint(root), 1);
  assert.match(
    await readFile(sagemakerPaths(root).failure, 'utf8'),
    /^InvalidHyperparametersError: invalid hyperparameter store/,
  );
});

test('a spot job restarted with its checkpoints directory resumes after the last saved epoch and trains only the epochs left', async () => {
  const hyperparameters = tinyJob('alpha15-20260105-0500', { epochs: 2, seed: 13 });
  const root = await sagemakerTree('spot-restart', hyperparameters);
  const checkpoints = sagemakerPaths(root).checkpoints;
  // The reclaimed first attempt: the config the container builds from the same hyperparameters, stopped
  // by its signal during epoch 2, so /opt/ml/checkpoints holds epoch 1 as SageMaker would restore it.
  const parsed = parseHyperparameters(hyperparameters);
  const abort = new AbortController();
  await trainModel({
    config: loadConfig({ env: {}, flags: configOverrides(parsed) }),
    store: openStore(storeUrl),
    fromMs: parsed.fromMs,
    toMs: parsed.toMs,
    backend: 'wasm',
    save: false,
    checkpointDir: checkpoints,
    signal: abort.signal,
    log: () => {},
    onEpoch: () => abort.abort(),
  });
  assert.equal((await readCheckpoint(checkpoints))?.current.progress.epoch, 1);

  const lines: string[] = [];
  const result = await runSageMakerTraining(root, { writeLine: (line) => lines.push(line), env: {} });
  assert.ok(result.ok, `the job failed: ${'failure' in result ? result.failure : ''}`);
  assert.match(
    lines.join('\n'),
    /resuming from the checkpoint in .*spot-restart\/checkpoints: epoch 1 of 2 done/,
  );
  assert.deepEqual(capturedMetric(lines, 'epoch'), [2], 'only the epoch left is trained');
  const meta = await readModelMeta(openStore(storeUrl), result.modelId);
  assert.equal(meta.epochs, 2, 'the model counts the restored epoch and the new one');
  assert.equal((await readCheckpoint(checkpoints))?.current.progress.epoch, 2);
});

test('on a GPU instance the built entry point refuses to train without a GPU: failure file, non-zero exit, nothing trained', async () => {
  // wasm is what loads here, as it would in an image whose tfjs-node-gpu failed to load
  const root = await sagemakerTree('gpu-required', tinyJob('alpha15-20260105-0600', { backend: 'auto' }));
  await writeFile(
    sagemakerPaths(root).resourceConfig,
    JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'], current_instance_type: 'ml.g4dn.xlarge' }),
  );
  assert.equal(await runBuiltEntrypoint(root), 1);
  assert.match(
    await readFile(sagemakerPaths(root).failure, 'utf8'),
    /^GpuNotInUseError: ml\.g4dn\.xlarge has a GPU but the job would train on the CPU: backend wasm.*allowCpu=true/,
  );
  await assert.rejects(stat(sagemakerPaths(root).checkpoints), { code: 'ENOENT' }, 'no training step ran');
  assert.equal(await openStore(storeUrl).get(trainingJobRecordKey('alpha15-20260105-0600')), undefined);

  // the same job with allowCpu trains on purpose
  const allowed = await sagemakerTree(
    'gpu-waived',
    tinyJob('alpha15-20260105-0601', { backend: 'auto', allowCpu: 'true', seed: 3 }),
  );
  await writeFile(
    sagemakerPaths(allowed).resourceConfig,
    JSON.stringify({ current_instance_type: 'ml.g4dn.xlarge' }),
  );
  assert.equal(await runBuiltEntrypoint(allowed), 0);
});

test('SIGTERM mid-epoch: the built entry point stops at the next step, checkpoints it, saves no model and exits 143', async () => {
  // enough epochs that the signal lands mid-run; the first metric line says training is under way
  const root = await sagemakerTree('sigterm', tinyJob('alpha15-20260105-0700', { epochs: 500, seed: 21 }));
  const child = spawn(process.execPath, [builtEntrypoint, 'train'], {
    cwd: REPO_ROOT,
    env: { ...process.env, SM_ROOT: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (/\[alpha15-metric\] epoch=1\b/.test(stdout)) {
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(`the job ended before its first epoch: ${stdout}`));
      }
    }, 20);
  });
  child.kill('SIGTERM');
  // SageMaker's 30 s between SIGTERM and SIGKILL is met by stopping at the next step, which the
  // checkpoint below proves (the interrupted step is the one in flight), not by timing this child on a
  // loaded machine; the race only keeps a hung job from hanging the test
  const code = await Promise.race([
    exited,
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 180_000)),
  ]);
  if (code === 'hung') child.kill('SIGKILL');
  assert.equal(code, 143);

  const checkpoint = await readCheckpoint(sagemakerPaths(root).checkpoints);
  assert.ok(checkpoint, 'a checkpoint is in /opt/ml/checkpoints');
  const { epoch, inFlight } = checkpoint.current.progress;
  assert.ok(epoch >= 1 && epoch < 500, `stopped part-way (checkpoint after epoch ${epoch})`);
  assert.equal(inFlight?.epoch, epoch + 1, 'the step the signal interrupted is checkpointed');
  assert.ok((await readdir(sagemakerPaths(root).checkpoints)).includes('epochs.jsonl'));
  assert.match(
    await readFile(sagemakerPaths(root).failure, 'utf8'),
    /^TrainingStoppedError: stopped by SIGTERM/,
  );
  await assert.rejects(stat(sagemakerPaths(root).model), { code: 'ENOENT' }, 'a stopped job saves no model');
  assert.equal(await openStore(storeUrl).get(trainingJobRecordKey('alpha15-20260105-0700')), undefined);
});

test('a tuning trial records itself under its own job name, leaves the champion to promotion and prints the objective last', async () => {
  const trialStoreUrl = `file://${path.join(workDir, 'tuning-bucket')}`;
  const trialStore = openStore(trialStoreUrl);
  for (const columns of generateSyntheticMarket(leadLagOptions(MINUTES, 21)))
    await writeKlines(trialStore, columns);
  // as SageMaker hands a trial its hyperparameters: the tuning job's static ones, one sampled value, its own key
  const hyperparameters = {
    ...tinyJob('a15tune-20260105-0000', { store: trialStoreUrl, walkForwardFolds: 2 }),
    learningRate: '0.002',
    _tuning_objective_metric: 'objective_ic',
  };
  const trialJob = 'a15tune-20260105-0000-001-1a2b3c4d';
  const request = tuningJobRequest(
    'a15tune-20260105-0000',
    planTuningJob({}, SYNTHETIC_START_MS, TUNING_SETTINGS),
    { ...TUNING_SETTINGS, metricDefinitions: TRAINING_METRIC_DEFINITIONS },
  );
  const objectiveName = request.HyperParameterTuningJobConfig!.HyperParameterTuningJobObjective!.MetricName!;

  const root = await sagemakerTree('tuning-trial', hyperparameters);
  const lines: string[] = [];
  const result = await runSageMakerTraining(root, {
    writeLine: (line) => lines.push(line),
    env: { TRAINING_JOB_NAME: trialJob },
  });
  assert.ok(result.ok, `the trial failed: ${'failure' in result ? result.failure : ''}`);
  assert.equal(result.jobName, trialJob);
  const record = trainingJobRecordSchema.parse(
    JSON.parse(new TextDecoder().decode(await trialStore.get(trainingJobRecordKey(trialJob)))),
  );
  assert.equal(record.modelId, result.modelId);
  assert.equal(await getChampion(trialStore), undefined, 'a trial never makes itself champion');
  // its run is a trial of the tuning job's study with the tunable values it ran with (the sampled
  // learning rate, and here the tiny model's static knobs), by config path: the studies dashboard groups it
  const [run, ...others] = await listRuns(trialStore);
  assert.deepEqual(others, []);
  assert.deepEqual(
    [run!.kind, run!.study, run!.modelId],
    ['tune-trial', 'a15tune-20260105-0000', result.modelId],
  );
  assert.deepEqual(run!.params, {
    'training.learningRate': 0.002,
    windowMinutes: TINY_JOB_KNOBS.windowMinutes,
    'model.filters': TINY_JOB_KNOBS.filters,
    'model.blocks': TINY_JOB_KNOBS.blocks,
    'training.sampleStrideMinutes': TINY_JOB_KNOBS.sampleStrideMinutes,
  });

  // the request's objective regex over the container's real output: one value per epoch, the fold mean last
  const objectiveRegex = new RegExp(
    request.TrainingJobDefinition!.AlgorithmSpecification!.MetricDefinitions!.find(
      (definition) => definition.Name === objectiveName,
    )!.Regex!,
  );
  const objective = lines.flatMap((line) => {
    const match = objectiveRegex.exec(line);
    return match ? [Number(match[1])] : [];
  });
  const meta = await readModelMeta(trialStore, result.modelId);
  assert.equal(objective.length, meta.folds.length + 1, "each fold's epoch, then the final value");
  const foldMean = meta.folds.reduce((sum, fold) => sum + fold.val.ic, 0) / meta.folds.length;
  assert.ok(
    Math.abs(objective.at(-1)! - foldMean) < 1e-9,
    'SageMaker takes the last value: the walk-forward mean',
  );
});

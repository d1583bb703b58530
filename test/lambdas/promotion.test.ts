import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { sha256Hex } from '../../src/checksum.js';
import { modelKey } from '../../src/model/artifacts.js';
import { ChampionDigestMismatchError, ModelDigestMismatchError } from '../../src/model/registry-errors.js';
import {
  EVALUATION_FILE,
  promotionRecordKey,
  trainingJobRecordKey,
  type Evaluation,
} from '../../src/app/evaluate-and-promote.js';
import { CHAMPION_HISTORY_PREFIX, CHAMPION_KEY } from '../../src/contracts/keys.js';
import { trainModel } from '../../src/app/train.js';
import { openStore } from '../../src/store/open-store.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { CandidateRecordMissingError, promoteFinishedJob } from '../../src/app/promote-finished-job.js';
import { trainingJobStateChangeSchema } from '../../lambdas/shared/events.js';
import { leadLagOptions, syntheticFrame, tempStore, tinyConfig } from '../support/model-fixtures.js';
import { lambdaContext, trainingJobStateChange } from './support/events.js';
import { mockBucket, type MockBucket } from './support/s3-bucket.js';

const CHAMPION_ID = '20261101T000000Z-aaaaaa';
const CANDIDATE_ID = '20261124T190000Z-bbbbbb';
const JOB = 'alpha15-20261124-1830';
const NOW_MS = Date.parse('2026-11-24T20:00:00Z');
const WINDOW = { fromMs: Date.parse('2026-11-10T00:00:00Z'), toMs: Date.parse('2026-11-24T00:00:00Z') };

let trainedStore: LocalStore;
let cleanup: () => Promise<void>;
let trainedId: string;
let bucket: MockBucket;
const lake = () => openStore('s3://alpha15-lake');

before(async () => {
  ({ store: trainedStore, cleanup } = await tempStore());
  const trained = await trainModel({
    frame: syntheticFrame(leadLagOptions(4_000, 5)),
    config: tinyConfig({ training: { epochs: 1, sampleStrideMinutes: 8 } }),
    store: trainedStore,
    backend: 'wasm',
  });
  trainedId = trained.modelId;
});
after(() => cleanup());
beforeEach(async () => {
  bucket?.restore();
  bucket = mockBucket();
  await copyModel(CHAMPION_ID);
  await copyModel(CANDIDATE_ID);
  await lake().put(
    CHAMPION_KEY,
    JSON.stringify({ modelId: CHAMPION_ID, promotedAtMs: Date.parse('2026-11-01T00:00:00Z') }),
  );
});

/** The trained model's files under another id, in the mocked bucket. */
async function copyModel(id: string): Promise<void> {
  for (const key of await trainedStore.list(`models/${trainedId}/`)) {
    const file = key.slice(`models/${trainedId}/`.length);
    let text = new TextDecoder().decode((await trainedStore.get(key))!);
    if (file === 'meta.json') text = text.replaceAll(trainedId, id);
    await lake().put(modelKey(id, file), file === 'weights.bin' ? (await trainedStore.get(key))! : text);
  }
}

/** What the training job leaves behind: the job → model record and both scores on one window. */
async function jobResult(candidateIc: number, championIc: number): Promise<void> {
  const evaluation: Evaluation = {
    candidateId: CANDIDATE_ID,
    window: WINDOW,
    samples: 5_000,
    candidate: { ic: candidateIc, rankIc: candidateIc, hitRate: 0.52 },
    champion: { modelId: CHAMPION_ID, score: { ic: championIc, rankIc: championIc, hitRate: 0.51 } },
  };
  await lake().put(modelKey(CANDIDATE_ID, EVALUATION_FILE), JSON.stringify(evaluation));
  await lake().put(
    trainingJobRecordKey(JOB),
    JSON.stringify({ jobName: JOB, modelId: CANDIDATE_ID, finishedAtMs: NOW_MS }),
  );
}

const event = (status: 'Completed' | 'Failed' | 'Stopped', failureReason?: string) => {
  const { detail } = trainingJobStateChangeSchema.parse(trainingJobStateChange(JOB, status, failureReason));
  return {
    jobName: detail.TrainingJobName,
    status: detail.TrainingJobStatus,
    failureReason: detail.FailureReason,
  };
};
const championId = () => (JSON.parse(bucket.text(CHAMPION_KEY)!) as { modelId: string }).modelId;

test('a candidate better than the champion on the same window becomes champion, with history kept', async () => {
  await jobResult(0.08, 0.05);
  const outcome = await promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS });
  assert.equal(outcome.promoted, true);
  assert.equal(championId(), CANDIDATE_ID);
  const history = [...bucket.objects.keys()].filter((key) => key.startsWith(CHAMPION_HISTORY_PREFIX));
  assert.equal(history.length, 1);
  assert.equal(JSON.parse(bucket.text(history[0]!)!).previousModelId, CHAMPION_ID);
  assert.equal(JSON.parse(bucket.text(promotionRecordKey(JOB))!).reason, 'better');
});

test('a worse model is not promoted and the decision is recorded', async () => {
  await jobResult(0.03, 0.05);
  const outcome = await promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS });
  assert.equal(outcome.promoted, false);
  assert.equal(championId(), CHAMPION_ID);
  assert.deepEqual(
    [...bucket.objects.keys()].filter((key) => key.startsWith(CHAMPION_HISTORY_PREFIX)),
    [],
  );
  const record = JSON.parse(bucket.text(promotionRecordKey(JOB))!);
  assert.equal(record.reason, 'not-better');
  assert.match(record.detail, /IC 0\.0300 vs champion 0\.0500/);
});

test('a failed job is recorded with its reason and never promoted, even when it left a better model', async () => {
  await jobResult(0.5, 0.05);
  const outcome = await promoteFinishedJob(event('Failed', 'AlgorithmError: out of memory'), {
    store: lake(),
    nowMs: NOW_MS,
  });
  assert.deepEqual(
    { promoted: outcome.promoted, reason: 'reason' in outcome ? outcome.reason : undefined },
    { promoted: false, reason: 'job-failed' },
  );
  assert.equal(championId(), CHAMPION_ID);
  assert.equal(JSON.parse(bucket.text(promotionRecordKey(JOB))!).detail, 'AlgorithmError: out of memory');
});

test('a completed job that left no record of its model is an error, not a silent skip', async () => {
  await assert.rejects(
    promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS }),
    CandidateRecordMissingError,
  );
  assert.equal(championId(), CHAMPION_ID);
});

/** Replaces a model's weights (one bit flipped); with `consistentMeta` also the digest in its meta.json. */
async function tamperWeights(id: string, consistentMeta: boolean): Promise<string> {
  const original = (await lake().get(modelKey(id, 'weights.bin')))!;
  const tampered = original.map((byte, index) => (index === 16 ? byte ^ 1 : byte));
  await lake().put(modelKey(id, 'weights.bin'), tampered);
  if (consistentMeta) {
    const meta = JSON.parse(bucket.text(modelKey(id, 'meta.json'))!) as { files: Record<string, string> };
    meta.files['weights.bin'] = sha256Hex(tampered);
    await lake().put(modelKey(id, 'meta.json'), JSON.stringify(meta));
  }
  return sha256Hex(original);
}

test('promotion refuses a champion whose weights changed under its pointer, and keeps the pointer', async () => {
  await jobResult(0.08, 0.05);
  const weightsSha256 = await tamperWeights(CHAMPION_ID, true);
  const pointer = JSON.stringify({ modelId: CHAMPION_ID, promotedAtMs: 1, weightsSha256 });
  await lake().put(CHAMPION_KEY, pointer);
  await assert.rejects(
    promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS }),
    ChampionDigestMismatchError,
  );
  assert.equal(bucket.text(CHAMPION_KEY), pointer);
});

test('a candidate whose weights no longer match its meta.json is never promoted', async () => {
  await jobResult(0.08, 0.05);
  await tamperWeights(CANDIDATE_ID, false);
  await assert.rejects(
    promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS }),
    ModelDigestMismatchError,
  );
  assert.equal(championId(), CHAMPION_ID);
});

test('a promoted pointer carries the digest of the weights it names', async () => {
  await jobResult(0.08, 0.05);
  await promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS });
  const pointer = JSON.parse(bucket.text(CHAMPION_KEY)!) as { modelId: string; weightsSha256: string };
  assert.equal(pointer.modelId, CANDIDATE_ID);
  assert.equal(pointer.weightsSha256, sha256Hex((await lake().get(modelKey(CANDIDATE_ID, 'weights.bin')))!));
});

test('the deployed handler promotes from the SageMaker state-change event', async () => {
  Object.assign(process.env, {
    STORE_URL: 's3://alpha15-lake',
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const { handler } = await import('../../lambdas/promotion/handler.js');
  await jobResult(0.09, 0.05);
  const outcome = (await handler(trainingJobStateChange(JOB, 'Completed'), lambdaContext)) as {
    promoted: boolean;
  };
  assert.equal(outcome.promoted, true);
  assert.equal(championId(), CANDIDATE_ID);
});

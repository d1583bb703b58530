/**
 * The promotion step after a training job ends (src/app/promote-finished-job.ts), the promotion
 * Lambda's use case, on a temporary file store holding a real trained model under two ids: the
 * champion rule, the recorded decisions and the digest checks. The deployed handler is
 * test/lambdas/promotion.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { sha256Hex } from '../../src/checksum.js';
import { modelKey } from '../../src/model/artifacts.js';
import { ChampionDigestMismatchError, ModelDigestMismatchError } from '../../src/model/registry-errors.js';
import { promotionRecordKey } from '../../src/app/evaluate-and-promote.js';
import { CHAMPION_HISTORY_PREFIX, CHAMPION_KEY } from '../../src/contracts/keys.js';
import { LocalStore } from '../../src/store/local-store.js';
import { CandidateRecordMissingError, promoteFinishedJob } from '../../src/app/promote-finished-job.js';
import {
  CANDIDATE_ID,
  CHAMPION_ID,
  JOB,
  NOW_MS,
  promotionScene,
  putJobResult,
  type PromotionScene,
} from '../support/promotion-fixtures.js';

let scene: PromotionScene;
let lakeDir: string | undefined;
let store: LocalStore;
const lake = () => store;

before(async () => {
  scene = await promotionScene();
});
after(async () => {
  await scene.cleanup();
  if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
});
beforeEach(async () => {
  if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
  lakeDir = await mkdtemp(path.join(tmpdir(), 'alpha15-promotion-'));
  store = new LocalStore(lakeDir);
  await scene.setUp(store);
});
const jobResult = (candidateIc: number, championIc: number) => putJobResult(lake(), candidateIc, championIc);

const event = (status: 'Completed' | 'Failed' | 'Stopped', failureReason?: string) => ({
  jobName: JOB,
  status,
  failureReason,
});
const text = async (key: string) => new TextDecoder().decode((await lake().get(key))!);
const championId = async () => (JSON.parse(await text(CHAMPION_KEY)) as { modelId: string }).modelId;

test('a candidate better than the champion on the same window becomes champion, with history kept', async () => {
  await jobResult(0.08, 0.05);
  const outcome = await promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS });
  assert.equal(outcome.promoted, true);
  assert.equal(await championId(), CANDIDATE_ID);
  const history = await lake().list(CHAMPION_HISTORY_PREFIX);
  assert.equal(history.length, 1);
  assert.equal(JSON.parse(await text(history[0]!)).previousModelId, CHAMPION_ID);
  assert.equal(JSON.parse(await text(promotionRecordKey(JOB))).reason, 'better');
});

test('a worse model is not promoted and the decision is recorded', async () => {
  await jobResult(0.03, 0.05);
  const outcome = await promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS });
  assert.equal(outcome.promoted, false);
  assert.equal(await championId(), CHAMPION_ID);
  assert.deepEqual(await lake().list(CHAMPION_HISTORY_PREFIX), []);
  const record = JSON.parse(await text(promotionRecordKey(JOB)));
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
  assert.equal(await championId(), CHAMPION_ID);
  assert.equal(JSON.parse(await text(promotionRecordKey(JOB))).detail, 'AlgorithmError: out of memory');
});

test('a completed job that left no record of its model is an error, not a silent skip', async () => {
  await assert.rejects(
    promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS }),
    CandidateRecordMissingError,
  );
  assert.equal(await championId(), CHAMPION_ID);
});

/** Replaces a model's weights (one bit flipped); with `consistentMeta` also the digest in its meta.json. */
async function tamperWeights(id: string, consistentMeta: boolean): Promise<string> {
  const original = (await lake().get(modelKey(id, 'weights.bin')))!;
  const tampered = original.map((byte, index) => (index === 16 ? byte ^ 1 : byte));
  await lake().put(modelKey(id, 'weights.bin'), tampered);
  if (consistentMeta) {
    const meta = JSON.parse(await text(modelKey(id, 'meta.json'))) as { files: Record<string, string> };
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
  assert.equal(await text(CHAMPION_KEY), pointer);
});

test('a candidate whose weights no longer match its meta.json is never promoted', async () => {
  await jobResult(0.08, 0.05);
  await tamperWeights(CANDIDATE_ID, false);
  await assert.rejects(
    promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS }),
    ModelDigestMismatchError,
  );
  assert.equal(await championId(), CHAMPION_ID);
});

test('a promoted pointer carries the digest of the weights it names', async () => {
  await jobResult(0.08, 0.05);
  await promoteFinishedJob(event('Completed'), { store: lake(), nowMs: NOW_MS });
  const pointer = JSON.parse(await text(CHAMPION_KEY)) as { modelId: string; weightsSha256: string };
  assert.equal(pointer.modelId, CANDIDATE_ID);
  assert.equal(pointer.weightsSha256, sha256Hex((await lake().get(modelKey(CANDIDATE_ID, 'weights.bin')))!));
});

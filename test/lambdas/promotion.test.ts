/**
 * The promotion Lambda's handler (lambdas/promotion/handler.ts) over the bucket: a training job's state
 * change promotes through the use case (test/app/promote-finished-job.test.ts), a tuning job's end
 * through its best trial (test/app/promote-best-trial.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { promotionRecordKey } from '../../src/app/evaluate-and-promote.js';
import { CHAMPION_KEY } from '../../src/contracts/keys.js';
import { openStore } from '../../src/store/open-store.js';
import {
  CANDIDATE_ID,
  CHAMPION_ID,
  JOB,
  promotionScene,
  putJobResult,
  type PromotionScene,
} from '../support/promotion-fixtures.js';
import { lambdaContext, trainingJobStateChange } from './support/events.js';
import { mockBucket, type MockBucket } from './support/s3-bucket.js';

let scene: PromotionScene;
let bucket: MockBucket;
const lake = () => openStore('s3://alpha15-lake');

before(async () => {
  scene = await promotionScene();
});
after(async () => {
  bucket?.restore();
  await scene.cleanup();
});
beforeEach(async () => {
  bucket?.restore();
  bucket = mockBucket();
  await scene.setUp(lake());
});

const championId = () => (JSON.parse(bucket.text(CHAMPION_KEY)!) as { modelId: string }).modelId;

test('the deployed handler promotes from the SageMaker state-change event', async () => {
  Object.assign(process.env, {
    STORE_URL: 's3://alpha15-lake',
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const { handler } = await import('../../lambdas/promotion/handler.js');
  await putJobResult(lake(), 0.09, 0.05);
  const outcome = (await handler(trainingJobStateChange(JOB, 'Completed'), lambdaContext)) as {
    promoted: boolean;
  };
  assert.equal(outcome.promoted, true);
  assert.equal(championId(), CANDIDATE_ID);
});

test('the deployed handler hands a tuning job that did not complete no candidate, and records nothing', async () => {
  const { handler } = await import('../../lambdas/promotion/handler.js');
  const outcome = await handler(
    {
      version: '0',
      'detail-type': 'SageMaker HyperParameter Tuning Job State Change',
      source: 'aws.sagemaker',
      time: '2026-11-25T02:00:00Z',
      detail: {
        HyperParameterTuningJobName: 'a15tune-20261124-1830',
        HyperParameterTuningJobStatus: 'Stopped',
      },
    },
    lambdaContext,
  );
  assert.deepEqual(outcome, {
    tuningJobName: 'a15tune-20261124-1830',
    promoted: false,
    reason: 'no-candidate',
    detail: 'tuning job a15tune-20261124-1830 is Stopped',
  });
  assert.equal(championId(), CHAMPION_ID);
  assert.equal(bucket.text(promotionRecordKey('a15tune-20261124-1830')), undefined);
});

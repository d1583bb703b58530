/**
 * A promotion scene shared by the use case's test (a file store) and the handler's (the mocked bucket):
 * one really trained model under two ids, the champion and the candidate, and what a finished training
 * job leaves behind.
 */
import { trainModel } from '../../src/app/train.js';
import {
  EVALUATION_FILE,
  trainingJobRecordKey,
  type Evaluation,
} from '../../src/app/evaluate-and-promote.js';
import { CHAMPION_KEY } from '../../src/contracts/keys.js';
import { modelKey } from '../../src/model/artifacts.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { leadLagOptions, syntheticFrame, tempStore, tinyConfig } from './model-fixtures.js';

export const CHAMPION_ID = '20261101T000000Z-aaaaaa';
export const CANDIDATE_ID = '20261124T190000Z-bbbbbb';
export const JOB = 'alpha15-20261124-1830';
export const NOW_MS = Date.parse('2026-11-24T20:00:00Z');
const WINDOW = { fromMs: Date.parse('2026-11-10T00:00:00Z'), toMs: Date.parse('2026-11-24T00:00:00Z') };

export interface PromotionScene {
  /** Puts the champion and the candidate (the trained model's files under their ids) and the champion pointer. */
  setUp(lake: ObjectStore): Promise<void>;
  cleanup(): Promise<void>;
}

/** Trains the tiny model once; `setUp` copies it into each lake. */
export async function promotionScene(): Promise<PromotionScene> {
  const { store: trainedStore, cleanup } = await tempStore();
  const trained = await trainModel({
    frame: syntheticFrame(leadLagOptions(4_000, 5)),
    config: tinyConfig({ training: { epochs: 1, sampleStrideMinutes: 8 } }),
    store: trainedStore,
    backend: 'wasm',
  });
  trained.predictor.dispose();
  const trainedId = trained.modelId;

  /** The trained model's files under another id. */
  const copyModel = async (lake: ObjectStore, id: string): Promise<void> => {
    for (const key of await trainedStore.list(`models/${trainedId}/`)) {
      const file = key.slice(`models/${trainedId}/`.length);
      const bytes = (await trainedStore.get(key))!;
      const text = new TextDecoder().decode(bytes);
      await lake.put(
        modelKey(id, file),
        file === 'weights.bin' ? bytes : file === 'meta.json' ? text.replaceAll(trainedId, id) : text,
      );
    }
  };
  return {
    async setUp(lake) {
      await copyModel(lake, CHAMPION_ID);
      await copyModel(lake, CANDIDATE_ID);
      await lake.put(
        CHAMPION_KEY,
        JSON.stringify({ modelId: CHAMPION_ID, promotedAtMs: Date.parse('2026-11-01T00:00:00Z') }),
      );
    },
    cleanup,
  };
}

/** What the training job leaves behind: the job → model record and both scores on one window. */
export async function putJobResult(
  lake: ObjectStore,
  candidateIc: number,
  championIc: number,
): Promise<void> {
  const evaluation: Evaluation = {
    candidateId: CANDIDATE_ID,
    window: WINDOW,
    samples: 5_000,
    candidate: { ic: candidateIc, rankIc: candidateIc, hitRate: 0.52 },
    champion: { modelId: CHAMPION_ID, score: { ic: championIc, rankIc: championIc, hitRate: 0.51 } },
  };
  await lake.put(modelKey(CANDIDATE_ID, EVALUATION_FILE), JSON.stringify(evaluation));
  await lake.put(
    trainingJobRecordKey(JOB),
    JSON.stringify({ jobName: JOB, modelId: CANDIDATE_ID, finishedAtMs: NOW_MS }),
  );
}

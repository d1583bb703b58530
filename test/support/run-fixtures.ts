/** Run records for the tests of the runs index and of what reads it. */
import { configSchema } from '../../src/config/schema.js';
import type { NewRun } from '../../src/runs/runs-index.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');

/** Trial `index` of study-a: even trials completed, odd ones pruned; validation IC 0.01 × index. */
export function trialRun(index: number, learningRate: number): NewRun {
  const config = configSchema.parse({ training: { learningRate } });
  return {
    kind: 'tune-trial',
    study: 'study-a',
    status: index % 2 === 0 ? 'completed' : 'pruned',
    config,
    params: { 'training.learningRate': learningRate },
    data: { fromMs: T0, toMs: T0 + 86_400_000 },
    gitRevision: null,
    backend: 'wasm',
    modelId: null,
    startedAtMs: T0 + index * 1000,
    durationMs: 1234,
    epochs: [
      {
        fold: 0,
        epoch: 1,
        trainLoss: 1,
        valLoss: 1.1,
        ic: 0.01 * index,
        rankIc: 0,
        hitRate: 0.5,
        learningRate,
      },
    ],
    final: { valIc: 0.01 * index, testIc: Number.NaN },
  };
}

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sha256Hex } from '../../src/checksum.js';
import { modelKey } from '../../src/model/artifacts.js';
import { getChampion, setChampion } from '../../src/model/registry.js';
import { ChampionDigestMismatchError } from '../../src/model/registry-errors.js';
import { cachedModelLoader } from '../../src/paper/champion.js';
import type { LocalStore } from '../../src/store/local-store.js';
import { saveTinyChampion } from '../../fixtures/tiny-model.js';
import { tempStore } from '../support/model-fixtures.js';

let store: LocalStore;
let cleanup: () => Promise<void>;
let modelId: string;

before(async () => {
  ({ store, cleanup } = await tempStore());
  modelId = await saveTinyChampion(store, {
    symbols: ['BTCUSDT', 'ETHUSDT'],
    windowMinutes: 16,
    thresholdReturn: 0.001,
    feeRatePerSide: 0.001,
  });
});
after(() => cleanup());

test('the tick refuses a champion whose weights changed after its promotion, even with a consistent meta.json', async () => {
  const weights = (await store.get(modelKey(modelId, 'weights.bin')))!;
  assert.equal((await getChampion(store))?.weightsSha256, sha256Hex(weights));
  assert.equal((await cachedModelLoader(store)()).id, modelId);

  // a writer of the model directory swaps the weights and rewrites meta.json to match them
  const swapped = weights.map((byte, index) => (index === 4 ? byte ^ 0x40 : byte));
  await store.put(modelKey(modelId, 'weights.bin'), swapped);
  const meta = JSON.parse(new TextDecoder().decode(await store.get(modelKey(modelId, 'meta.json')))) as {
    files: Record<string, string>;
  };
  meta.files['weights.bin'] = sha256Hex(swapped);
  await store.put(modelKey(modelId, 'meta.json'), JSON.stringify(meta));

  await assert.rejects(cachedModelLoader(store)(), ChampionDigestMismatchError);
  // promoting again (a person who checked the weights) takes their digest and trading resumes
  await setChampion(store, modelId);
  assert.equal((await cachedModelLoader(store)()).id, modelId);
});

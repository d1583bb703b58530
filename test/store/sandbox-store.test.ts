import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SandboxStore, SandboxWriteError } from '../../src/store/sandbox-store.js';
import { withTempStore } from '../support/lake.js';

const text = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

test('a sandbox reads other keys from the base, keeps its prefixes apart and cannot write outside them', async () => {
  await withTempStore(async (base) => {
    await base.put('curated/klines/a.parquet', 'lake');
    await base.put('models/champion.json', 'real champion');
    const sandbox = new SandboxStore(base, 'simulations/s1/', ['models/']);

    assert.equal(text(await sandbox.get('curated/klines/a.parquet')), 'lake');
    assert.equal(await sandbox.get('models/champion.json'), undefined, 'the real registry is not visible');
    await sandbox.put('models/champion.json', 'simulated champion');
    assert.equal(text(await base.get('simulations/s1/models/champion.json')), 'simulated champion');
    assert.equal(text(await base.get('models/champion.json')), 'real champion', 'and stays untouched');
    assert.equal(await sandbox.putIfAbsent('models/champion.json', 'again'), false);

    assert.deepEqual(await sandbox.list('models/'), ['models/champion.json']);
    assert.deepEqual(await sandbox.list(''), ['curated/klines/a.parquet', 'models/champion.json']);

    await assert.rejects(sandbox.put('curated/klines/a.parquet', 'overwritten'), SandboxWriteError);
    await assert.rejects(sandbox.delete('curated/klines/a.parquet'), SandboxWriteError);
    assert.equal(text(await base.get('curated/klines/a.parquet')), 'lake');
    await sandbox.delete('models/champion.json');
    assert.equal(await base.get('simulations/s1/models/champion.json'), undefined);
  });
});

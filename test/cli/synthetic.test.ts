import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalArchiveSource } from '../../src/market/archive-source.js';
import { runCli } from '../support/cli.js';

describe('alpha15 synthetic', () => {
  it('writes verified archives of every symbol and reports the planted IC per laggard as JSON', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-synthetic-cli-'));
    try {
      const { code, stdout, stderr } = await runCli([
        'synthetic',
        '--out',
        dir,
        '--symbols',
        'BTCUSDT,ETHUSDT,SOLUSDT',
        '--days',
        '1',
        '--from',
        '2026-03-01',
        '--strength',
        '0.3',
        '--gap-rate',
        '0',
        '--json',
      ]);
      assert.equal(code, 0, stderr);
      const result = JSON.parse(stdout);
      assert.equal(result.files, 3);
      assert.deepEqual(Object.keys(result.expectedIc), ['ETHUSDT', 'SOLUSDT']);
      for (const ic of Object.values<number>(result.expectedIc)) assert.ok(ic > 0.1 && ic < 0.3, `IC ${ic}`);
      const source = new LocalArchiveSource(dir);
      assert.deepEqual(await source.symbols(), ['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
      for (const symbol of ['BTCUSDT', 'ETHUSDT', 'SOLUSDT']) {
        const file = await source.read(symbol, '2026-03');
        assert.ok(file.checksumVerified);
        assert.equal(file.columns.openTimeMs.length, 1440);
        assert.equal(result.rows[symbol], 1440);
        assert.equal(file.columns.openTimeMs[0], Date.UTC(2026, 2, 1));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

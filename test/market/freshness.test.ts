import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { klinesBodySchema } from '../../src/market/binance-schema.js';
import { StaleSymbolError } from '../../src/market/errors.js';
import { checkColumnsFreshness, checkFreshness, requireFresh } from '../../src/market/freshness.js';
import { klinesToColumns } from '../../src/market/kline-columns.js';
import { REST_SNAPSHOTS_DIR } from '../support/shared-data.js';

const STALE_AFTER_MINUTES = 3;

function loadSnapshot(snapshot: string) {
  const dir = path.join(REST_SNAPSHOTS_DIR, snapshot);
  return readdirSync(dir)
    .filter((name) => /^[A-Z0-9]+\.json$/.test(name))
    .map((name) =>
      klinesToColumns(
        name.replace('.json', ''),
        klinesBodySchema.parse(JSON.parse(readFileSync(path.join(dir, name), 'utf8'))),
      ),
    );
}

describe('freshness', () => {
  for (const snapshot of ['snapshot-a', 'snapshot-b']) {
    it(`in ${snapshot}, BGBPUSDC is stale at the capture time and every other symbol is fresh`, () => {
      const all = loadSnapshot(snapshot);
      // the capture ran just after the newest candle closed
      const captureTimeMs =
        Math.max(...all.map((columns) => columns.openTimeMs[columns.openTimeMs.length - 1]!)) + 60_000;
      const stale = all
        .map((columns) => checkColumnsFreshness(columns, captureTimeMs, STALE_AFTER_MINUTES))
        .filter((status) => status.stale);
      assert.deepEqual(
        stale.map((status) => status.symbol),
        ['BGBPUSDC'],
      );
      assert.equal(stale[0]!.lastOpenTimeMs, Date.parse('2020-11-17T11:59:00Z'));
      assert.ok(stale[0]!.ageMinutes > 365 * 24 * 60, 'more than a year old');
      assert.throws(
        () => requireFresh(stale[0]!),
        (error: unknown) =>
          error instanceof StaleSymbolError &&
          /BGBPUSDC is stale: its newest candle opened 2020-11-17T11:59/.test(error.message),
      );
    });
  }

  it('a candle that closed within the limit is fresh; one minute more and it is stale', () => {
    const lastOpenTimeMs = Date.UTC(2026, 1, 1, 12, 0);
    const closedMs = lastOpenTimeMs + 60_000;
    assert.equal(checkFreshness('BTCUSDT', lastOpenTimeMs, closedMs + 3 * 60_000, 3).stale, false);
    assert.equal(checkFreshness('BTCUSDT', lastOpenTimeMs, closedMs + 3 * 60_000 + 1, 3).stale, true);
    requireFresh(checkFreshness('BTCUSDT', lastOpenTimeMs, closedMs + 30_000, 3));
  });

  it('a symbol without any candle is stale', () => {
    const status = checkFreshness('NEWUSDT', undefined, Date.now(), 3);
    assert.equal(status.stale, true);
    assert.throws(() => requireFresh(status), /NEWUSDT has no candles/);
  });
});

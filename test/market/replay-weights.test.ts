import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { usedWeightPerMinute } from '../../src/market/replay-weights.js';

const MINUTE_MS = 60_000;

describe('replay request weights', () => {
  it("adds each endpoint's Binance weight to the real minute's total", () => {
    const realNowMs = 100 * MINUTE_MS + 5_000;
    const used = usedWeightPerMinute(() => realNowMs);
    assert.equal(used.add('/api/v3/klines'), 2);
    assert.equal(used.add('/api/v3/time'), 3);
    assert.equal(used.add('/api/v3/exchangeInfo'), 23);
    assert.equal(used.add('/api/v3/ticker/bookTicker'), 25);
  });

  it('counts 1 for any other path, unknown ones included', () => {
    const used = usedWeightPerMinute(() => 7 * MINUTE_MS);
    assert.equal(used.add('/api/v3/ping'), 1);
    assert.equal(used.add('/no/such/path'), 2);
  });

  it('starts again from zero when the real minute changes, not after 60 s from the first request', () => {
    let realNowMs = 100 * MINUTE_MS + 59_000;
    const used = usedWeightPerMinute(() => realNowMs);
    assert.equal(used.add('/api/v3/exchangeInfo'), 20);
    realNowMs += 1_000;
    assert.equal(used.add('/api/v3/klines'), 2);
    realNowMs += 58_000;
    assert.equal(used.add('/api/v3/klines'), 4);
  });
});

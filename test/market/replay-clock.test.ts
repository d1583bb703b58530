import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayClock } from '../../src/market/replay-clock.js';

const FROM_MS = Date.UTC(2026, 1, 10, 12, 0, 0);

/** Real time that moves only when the test says so. */
function realTime(startMs = 1_000_000) {
  let nowMs = startMs;
  return { nowMs: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

describe('replay clock', () => {
  it('a running clock advances speed times faster than real time from fromMs', () => {
    const real = realTime();
    const clock = replayClock({ fromMs: FROM_MS, speed: 60, manual: false, realNowMs: real.nowMs });
    assert.equal(clock.nowMs(), FROM_MS);
    real.advance(1_000);
    assert.equal(clock.nowMs(), FROM_MS + 60_000);
  });

  it('a running clock moved by setTimeMs runs on from the new time', () => {
    const real = realTime();
    const clock = replayClock({ fromMs: FROM_MS, speed: 2, manual: false, realNowMs: real.nowMs });
    real.advance(5_000);
    clock.setTimeMs(FROM_MS - 3_600_000);
    assert.equal(clock.nowMs(), FROM_MS - 3_600_000);
    real.advance(500);
    assert.equal(clock.nowMs(), FROM_MS - 3_600_000 + 1_000);
  });

  it('a slow clock floors to whole simulated milliseconds', () => {
    const real = realTime();
    const clock = replayClock({ fromMs: FROM_MS, speed: 0.3, manual: false, realNowMs: real.nowMs });
    real.advance(5);
    assert.equal(clock.nowMs(), FROM_MS + 1);
  });

  it('a manual clock stands still in real time and moves only through setTimeMs', () => {
    const real = realTime();
    const clock = replayClock({ fromMs: FROM_MS, speed: 60, manual: true, realNowMs: real.nowMs });
    real.advance(3_600_000);
    assert.equal(clock.nowMs(), FROM_MS);
    clock.setTimeMs(FROM_MS + 60_000);
    real.advance(3_600_000);
    assert.equal(clock.nowMs(), FROM_MS + 60_000);
    assert.equal(clock.manual, true);
  });
});

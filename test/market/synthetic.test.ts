import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFeatures } from '../../src/features/features.js';
import { forwardReturns } from '../../src/features/targets.js';
import { alignToGrid } from '../../src/lake/grid.js';
import type { KlineColumns } from '../../src/market/kline.js';
import {
  InvalidSyntheticOptionsError,
  expectedLeadLagIc,
  generateSyntheticMarket,
  type SyntheticMarketOptions,
} from '../../src/market/synthetic.js';
import { pearson } from '../../src/statistics.js';
import { MINUTE_MS, parseTimeMs } from '../../src/time.js';

const FOUR_WEEKS = 28 * 1440;
const OPTIONS: SyntheticMarketOptions = {
  symbols: ['LEADUSDT', 'LAGAUSDT', 'LAGBUSDT', 'LAGCUSDT'],
  startTimeMs: parseTimeMs('2026-02-01'),
  minutes: FOUR_WEEKS,
  seed: 7,
  plantedAlpha: { leader: 'LEADUSDT', lagMinutes: 5, strength: 0.3 },
};
const market = generateSyntheticMarket(OPTIONS);

function logReturns(columns: KlineColumns): Float64Array {
  return Float64Array.from({ length: columns.close.length - 1 }, (_, i) =>
    Math.log(columns.close[i + 1]! / columns.close[i]!),
  );
}

function kurtosis(values: Float64Array): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  let m2 = 0;
  let m4 = 0;
  for (const value of values) {
    m2 += (value - mean) ** 2;
    m4 += (value - mean) ** 4;
  }
  return m4 / values.length / (m2 / values.length) ** 2;
}

describe('synthetic market', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const again = generateSyntheticMarket(OPTIONS);
    assert.deepEqual(again, market);
    const other = generateSyntheticMarket({ ...OPTIONS, seed: 8, minutes: 100 });
    assert.notDeepEqual(Array.from(other[0]!.close), Array.from(market[0]!.close.subarray(0, 100)));
  });

  it('produces consistent, positive candles with plausible volumes on the minute grid', () => {
    for (const columns of market) {
      for (let row = 0; row < columns.close.length; row++) {
        const [open, high, low, close] = [
          columns.open[row]!,
          columns.high[row]!,
          columns.low[row]!,
          columns.close[row]!,
        ];
        assert.equal(columns.openTimeMs[row], OPTIONS.startTimeMs + row * MINUTE_MS);
        assert.ok(
          low > 0 && high >= Math.max(open, close) && low <= Math.min(open, close),
          `${columns.symbol} row ${row}`,
        );
        const volume = columns.volume[row]!;
        assert.ok(
          volume >= 0 && columns.takerBuyBaseVolume[row]! <= volume && Number.isInteger(columns.trades[row]),
        );
        if (volume > 0) {
          const averagePrice = columns.quoteVolume[row]! / volume;
          assert.ok(
            averagePrice >= low * 0.999 && averagePrice <= high * 1.001,
            'quote volume is volume times a price of the minute',
          );
        }
      }
    }
  });

  it('has fat tails, volatility clustering and correlated coins', () => {
    const returns = market.map(logReturns);
    for (const coinReturns of returns) {
      assert.ok(kurtosis(coinReturns) > 4, `kurtosis ${kurtosis(coinReturns)}`);
      const absolute = coinReturns.map(Math.abs);
      const clustering = pearson(absolute.subarray(1), absolute.subarray(0, -1));
      assert.ok(clustering > 0.05, `autocorrelation of |r| ${clustering}`);
    }
    const crossCorrelation = pearson(returns[1]!, returns[2]!);
    assert.ok(crossCorrelation > 0.2, `cross-correlation ${crossCorrelation}`);
  });

  it('trades more and moves more in the busy hours around 14:00 UTC than around 02:00', () => {
    const volumeByHour = new Float64Array(24);
    const absoluteReturnByHour = new Float64Array(24);
    const columns = market[1]!;
    const returns = logReturns(columns);
    columns.quoteVolume.forEach((quote, row) => {
      const hour = new Date(columns.openTimeMs[row]!).getUTCHours();
      volumeByHour[hour]! += quote;
      absoluteReturnByHour[hour]! += Math.abs(returns[row - 1] ?? 0);
    });
    assert.ok(volumeByHour[14]! > 1.5 * volumeByHour[2]!, `volume ${volumeByHour[14]} vs ${volumeByHour[2]}`);
    assert.ok(
      absoluteReturnByHour[14]! > 1.3 * absoluteReturnByHour[2]!,
      `|r| ${absoluteReturnByHour[14]} vs ${absoluteReturnByHour[2]}`,
    );
  });

  it('plants a lead-lag whose measured IC is close to the documented theoretical value', () => {
    const frame = alignToGrid(market, OPTIONS.startTimeMs, OPTIONS.startTimeMs + FOUR_WEEKS * MINUTE_MS);
    const targets = forwardReturns(frame, 15);
    const leaderClose = frame.columns.LEADUSDT!.close;
    const lag = OPTIONS.plantedAlpha!.lagMinutes;
    const rows = Array.from({ length: frame.length - lag - 15 }, (_, i) => i + lag);
    const predictor = rows.map((row) => Math.log(leaderClose[row]! / leaderClose[row - lag]!));
    for (const laggard of ['LAGAUSDT', 'LAGBUSDT', 'LAGCUSDT']) {
      const coin = frame.symbols.indexOf(laggard);
      const forward = rows.map((row) => targets.values[row * frame.symbols.length + coin]!);
      const measured = pearson(predictor, forward);
      const expected = expectedLeadLagIc(OPTIONS, laggard, 15);
      assert.ok(expected > 0.1 && expected < 0.2, `expected IC ${expected}`);
      assert.ok(
        Math.abs(measured - expected) < 0.04,
        `${laggard}: measured ${measured}, expected ${expected}`,
      );
    }
    const plain = generateSyntheticMarket({ ...OPTIONS, plantedAlpha: undefined });
    const plainLeader = plain[0]!.close;
    const plainLaggard = plain[1]!.close;
    const plainIc = pearson(
      rows.map((row) => Math.log(plainLeader[row]! / plainLeader[row - lag]!)),
      rows.map((row) => plainLaggard[row + 15]! / plainLaggard[row]! - 1),
    );
    assert.ok(Math.abs(plainIc) < 0.03, `no planted alpha, IC ${plainIc}`);
    assert.equal(expectedLeadLagIc({ ...OPTIONS, plantedAlpha: undefined }, 'LAGAUSDT', 15), 0);
  });

  it('a lead-lag planted from a given minute leaves every earlier candle as the market without it, and acts after', () => {
    const halfway = OPTIONS.startTimeMs + (FOUR_WEEKS / 2) * MINUTE_MS;
    const late = generateSyntheticMarket({
      ...OPTIONS,
      plantedAlpha: { ...OPTIONS.plantedAlpha!, fromMs: halfway },
    });
    const plain = generateSyntheticMarket({ ...OPTIONS, plantedAlpha: undefined });
    const firstLateRow = FOUR_WEEKS / 2;
    late.forEach((columns, coin) => {
      assert.deepEqual(columns.close.subarray(0, firstLateRow), plain[coin]!.close.subarray(0, firstLateRow));
    });
    const lag = OPTIONS.plantedAlpha!.lagMinutes;
    const leadLagIc = (fromRow: number, toRow: number) => {
      const rows = Array.from({ length: toRow - fromRow }, (_, i) => fromRow + i);
      const leader = late[0]!.close;
      const laggard = late[1]!.close;
      return pearson(
        rows.map((row) => Math.log(leader[row]! / leader[row - lag]!)),
        rows.map((row) => laggard[row + 15]! / laggard[row]! - 1),
      );
    };
    const before = leadLagIc(lag, firstLateRow - 15);
    const after = leadLagIc(firstLateRow, FOUR_WEEKS - 15);
    assert.ok(Math.abs(before) < 0.03, `before the lead-lag starts, IC ${before}`);
    assert.ok(after > expectedLeadLagIc(OPTIONS, 'LAGAUSDT', 15) - 0.05, `after it starts, IC ${after}`);
    assert.throws(
      () =>
        generateSyntheticMarket({
          ...OPTIONS,
          plantedAlpha: { ...OPTIONS.plantedAlpha!, fromMs: halfway + 1 },
        }),
      InvalidSyntheticOptionsError,
    );
  });

  it('drops about gapRate of the minutes in short runs, leaving the other candles unchanged', () => {
    const gappy = generateSyntheticMarket({ ...OPTIONS, gapRate: 0.02 });
    gappy.forEach((columns, coin) => {
      const missingShare = 1 - columns.close.length / FOUR_WEEKS;
      assert.ok(missingShare > 0.01 && missingShare < 0.04, `missing ${missingShare}`);
      const full = market[coin]!;
      for (let row = 0; row < columns.close.length; row += 97) {
        const minute = (columns.openTimeMs[row]! - OPTIONS.startTimeMs) / MINUTE_MS;
        assert.equal(columns.close[row], full.close[minute]);
      }
    });
    const frame = alignToGrid(gappy, OPTIONS.startTimeMs, OPTIONS.startTimeMs + FOUR_WEEKS * MINUTE_MS);
    const features = buildFeatures(frame);
    const validShare = features.valid.reduce((a, b) => a + b, 0) / features.valid.length;
    assert.ok(validShare > 0.9 && validShare < 0.98, `valid share ${validShare}`);
  });

  it('rejects options it cannot honour', () => {
    assert.throws(
      () =>
        generateSyntheticMarket({
          ...OPTIONS,
          plantedAlpha: { leader: 'NOPEUSDT', lagMinutes: 5, strength: 0.3 },
        }),
      InvalidSyntheticOptionsError,
    );
    assert.throws(
      () => generateSyntheticMarket({ ...OPTIONS, startTimeMs: OPTIONS.startTimeMs + 1 }),
      InvalidSyntheticOptionsError,
    );
    assert.throws(
      () => generateSyntheticMarket({ ...OPTIONS, symbols: ['AUSDT', 'AUSDT'] }),
      InvalidSyntheticOptionsError,
    );
  });
});

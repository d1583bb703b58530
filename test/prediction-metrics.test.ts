import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coinMetrics, meanCoinMetrics } from '../src/prediction-metrics.js';
import { averageRanks, pearson, weightedCorrelation, weightedPearson } from '../src/statistics.js';

test('Pearson IC is 1 for a positive linear relation and -1 for a negative one', () => {
  const x = [0.1, -0.3, 0.7, 0.2, -0.9];
  assert.ok(
    Math.abs(
      pearson(
        x,
        x.map((v) => 3 * v - 2),
      ) - 1,
    ) < 1e-12,
  );
  assert.ok(
    Math.abs(
      pearson(
        x,
        x.map((v) => -v),
      ) + 1,
    ) < 1e-12,
  );
});

test('tied values share the average of the ranks they span', () => {
  assert.deepEqual(Array.from(averageRanks([10, 20, 20, 5, 20])), [2, 4, 4, 1, 4]);
});

test('rank IC is 1 for any monotone relation, even where Pearson is not', () => {
  const x = Array.from({ length: 50 }, (_, i) => i / 10 - 2);
  const y = x.map((v) => Math.exp(3 * v));
  const predictions = Float32Array.from(x);
  const realised = Float32Array.from(y);
  const metrics = coinMetrics(predictions, realised, new Uint8Array(50).fill(1), 1);
  assert.ok(Math.abs(metrics.rankIc[0]! - 1) < 1e-12);
  assert.ok(metrics.ic[0]! < 0.9);
});

test('masked-out entries do not count, however wrong they are', () => {
  // two coins, [sample][coin]; coin 0 is perfect where masked in and absurd where masked out
  const predictions = Float32Array.from([1, 0.5, 2, -0.5, 3, 0.1, -100, 9]);
  const realised = Float32Array.from([1, -0.2, 2, 0.4, 3, 0.3, 100, -9]);
  const mask = Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 0]);
  const metrics = coinMetrics(predictions, realised, mask, 2);
  assert.deepEqual(metrics.count, [3, 3]);
  assert.ok(Math.abs(metrics.ic[0]! - 1) < 1e-6);
  assert.equal(metrics.hitRate[0], 1);
  // coin 1: signs (+,-), (-,+), (+,+) → one hit in three
  assert.ok(Math.abs(metrics.hitRate[1]! - 1 / 3) < 1e-12);
});

test('a flat return has no direction and is left out of the hit rate', () => {
  const metrics = coinMetrics(
    Float32Array.from([0.1, 0.2, -0.3]),
    Float32Array.from([0, 0.5, 0.4]),
    [1, 1, 1],
    1,
  );
  assert.equal(metrics.hitRate[0], 0.5);
});

test('a coin with constant predictions has no IC, and the mean skips it', () => {
  const predictions = Float32Array.from([0.5, 1, 0.5, 2, 0.5, 3]);
  const realised = Float32Array.from([0.1, 1, 0.2, 2, 0.3, 3]);
  const metrics = coinMetrics(predictions, realised, new Uint8Array(6).fill(1), 2);
  assert.ok(Number.isNaN(metrics.ic[0]!));
  assert.ok(Math.abs(meanCoinMetrics(metrics).ic - 1) < 1e-6);
});

test('the weighted correlation equals the plain correlation of the data with each point repeated weight times', () => {
  const x = [0.3, -1.2, 0.8, 2.1, -0.4, 0.05];
  const y = [0.1, -0.7, 1.1, 1.4, 0.3, -0.2];
  const w = [3, 1, 2, 5, 1, 4];
  const repeatedX = x.flatMap((value, i) => new Array<number>(w[i]!).fill(value));
  const repeatedY = y.flatMap((value, i) => new Array<number>(w[i]!).fill(value));
  assert.ok(Math.abs(weightedPearson(x, y, w) - pearson(repeatedX, repeatedY)) < 1e-12);
  assert.ok(Math.abs(weightedPearson(x, y, [1, 1, 1, 1, 1, 1]) - pearson(x, y)) < 1e-12);
  assert.ok(Number.isNaN(weightedPearson([1, 1], [1, 2], [1, 1])), 'no spread: undefined');
});

test('the G-Research weighted correlation pools every real entry across coins, each weighted by its coin', () => {
  // [sample][coin], 2 coins with weights 6.78 and 1; the last entry of coin 1 is masked out
  const predictions = Float32Array.from([0.1, -0.3, 0.4, 0.2, -0.2, 0.9]);
  const realised = Float32Array.from([0.05, -0.1, 0.2, 0.3, -0.3, -5]);
  const mask = Uint8Array.from([1, 1, 1, 1, 1, 0]);
  const direct = weightedPearson(
    [0.1, -0.3, 0.4, 0.2, -0.2].map(Math.fround),
    [0.05, -0.1, 0.2, 0.3, -0.3].map(Math.fround),
    [6.78, 1, 6.78, 1, 6.78],
  );
  assert.ok(Math.abs(weightedCorrelation(predictions, realised, mask, [6.78, 1]) - direct) < 1e-12);
});

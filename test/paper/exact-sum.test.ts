/**
 * The dashboard's totals are exact sums, so totals merged from per-day summaries are the totals of the
 * trades added one by one, in any order, to the last bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExactSum } from '../../src/paper/dashboard/exact-sum.js';

const sumOf = (terms: readonly number[]) => terms.reduce((sum, term) => sum.add(term), new ExactSum()).value;

test('an exact sum is the correctly rounded sum, where adding in order loses the small terms', () => {
  const terms = [1e16, 1, 1, -1e16];
  assert.equal(
    terms.reduce((a, b) => a + b, 0),
    0,
  );
  assert.equal(sumOf(terms), 2);
  assert.equal(sumOf([0.1, 0.2, 0.3]), 0.6);
  assert.equal(sumOf([]), 0);
});

test('the order of the terms and how they were grouped change no bit', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5) * 10 ** Math.floor(seed % 9);
  const terms = Array.from({ length: 2000 }, random);
  const inOrder = sumOf(terms);
  assert.equal(sumOf([...terms].reverse()), inOrder);
  assert.equal(sumOf([...terms].sort((a, b) => a - b)), inOrder);
  const merged = new ExactSum();
  for (let start = 0; start < terms.length; start += 137) {
    const part = new ExactSum();
    for (const term of terms.slice(start, start + 137)) part.add(term);
    merged.addSum(new ExactSum(part.toJSON()));
  }
  assert.equal(merged.value, inOrder);
  // the terms are ones whose plain sum does depend on the order
  const naive = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  assert.notEqual(naive(terms), naive([...terms].sort((a, b) => a - b)));
});

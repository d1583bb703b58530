/**
 * What one tick reads from the store, counted at the store: each thing once. The champion pointer is
 * read by the model loader alone, the open positions are listed once, and no object is read twice.
 * test/infra/bundles.test.ts counts the same on the shipped bundle against S3; docs/paper-reliability.md
 * states the count.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paperTick } from '../../src/app/paper-tick.js';
import { CHAMPION_KEY } from '../../src/contracts/keys.js';
import type { Body, ObjectStore } from '../../src/store/object-store.js';
import { MINUTE_MS } from '../../src/time.js';
import { openBench, SNAPSHOT_C_START_MS } from './support/harness.js';

/** Records every read (get, list) the tick makes of the store it wraps. */
class CountingStore implements ObjectStore {
  reads: string[] = [];
  constructor(private readonly inner: ObjectStore) {}
  get url() {
    return this.inner.url;
  }
  get(key: string) {
    this.reads.push(`get ${key}`);
    return this.inner.get(key);
  }
  list(prefix: string) {
    this.reads.push(`list ${prefix}`);
    return this.inner.list(prefix);
  }
  put(key: string, body: Body) {
    return this.inner.put(key, body);
  }
  putIfAbsent(key: string, body: Body) {
    return this.inner.putIfAbsent(key, body);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
}

const FIRST_MINUTE_MS = SNAPSHOT_C_START_MS + 40 * MINUTE_MS;

test('a warm tick reads the champion pointer once, lists the open positions once and reads no object twice', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const store = new CountingStore(bench.store);
  const deps = bench.deps({ store });
  // the first ticks load the model and open positions; the counted one has positions to hold and close
  for (let minuteMs = FIRST_MINUTE_MS; minuteMs < FIRST_MINUTE_MS + 20 * MINUTE_MS; minuteMs += MINUTE_MS)
    assert.equal((await paperTick(bench.nowAfter(minuteMs), deps)).status, 'ok');
  store.reads = [];
  const countedMs = FIRST_MINUTE_MS + 20 * MINUTE_MS;
  const result = await paperTick(bench.nowAfter(countedMs), deps);
  const reads = store.reads;
  assert.equal(result.status, 'ok');
  const held = await bench.store.list('paper/positions/');
  assert.ok(result.closed.length + held.length > 0, 'the tick had positions to close or hold');

  assert.equal(reads.filter((read) => read === `get ${CHAMPION_KEY}`).length, 1, reads.join('\n'));
  assert.equal(reads.filter((read) => read === 'list paper/positions/').length, 1, reads.join('\n'));
  const repeated = reads.filter((read, i) => reads.indexOf(read) !== i);
  assert.deepEqual(repeated, [], reads.join('\n'));
  // 11 fixed: the minute's tick outcome (the duplicate check), the pointer, the model's meta and
  // thresholds, the positions' listing, the repair scan (decisions and ticks, yesterday and today), this
  // minute's decision and the trades the overlap rule looks at; then each position open at the start
  // (held now or closed now, less those opened now) and, per entry opened now, the check that its trade
  // is not recorded already
  assert.equal(reads.length, 11 + held.length + result.closed.length, reads.join('\n'));
});

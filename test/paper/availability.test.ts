import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tick } from '../../src/paper/tick.js';
import { JsonlSink } from '../../src/telemetry/jsonl-sink.js';
import { MINUTE_MS } from '../../src/time.js';
import { openBench, SNAPSHOT_C_START_MS, SYMBOLS } from './support/harness.js';

const FIRST_MINUTE_MS = SNAPSHOT_C_START_MS + 40 * MINUTE_MS;

test('when every symbol is a minute late the tick names the late symbols and says why nothing was predicted', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const logged: string[] = [];
  const deps = { ...bench.deps(), log: (message: string) => logged.push(message) };
  // the exchange's newest candle is FIRST_MINUTE_MS, while the tick runs one minute later
  const nowMs = bench.nowAfter(FIRST_MINUTE_MS) + MINUTE_MS;
  const result = await tick(nowMs, deps);
  const outcome = result.outcome!;
  assert.equal(outcome.predicted, 0);
  assert.deepEqual(outcome.lateSymbols, SYMBOLS);
  assert.deepEqual(outcome.staleSymbols, []);
  assert.match(outcome.untradableReason ?? '', /no symbol has a candle for 2021-12-22T19:20Z/);
  assert.match(outcome.untradableReason ?? '', /5 late/);
  assert.ok(
    logged.some((line) => line.includes('late') && line.includes('ADAUSDT')),
    logged.join('\n'),
  );
  // a normal minute has no reason and no late symbol
  const normal = (await tick(bench.nowAfter(FIRST_MINUTE_MS + 2 * MINUTE_MS), deps)).outcome!;
  assert.equal(normal.predicted, SYMBOLS.length);
  assert.deepEqual(normal.lateSymbols, []);
  assert.equal(normal.untradableReason, undefined);
});

test('three concurrent ticks per minute write each prediction, trade and tick line once to the JSONL sink', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const dir = path.join(bench.dir, 'jsonl');
  // three runners on one store, each with its own sink appending to the same files
  const runners = [0, 1, 2].map(() => bench.deps({ store: bench.store, sink: new JsonlSink({ dir }) }));
  const minutes = 20;
  for (
    let minuteMs = FIRST_MINUTE_MS;
    minuteMs < FIRST_MINUTE_MS + minutes * MINUTE_MS;
    minuteMs += MINUTE_MS
  ) {
    const nowMs = bench.nowAfter(minuteMs);
    await Promise.all(runners.map((deps) => tick(nowMs, deps)));
  }
  const lines = async (stream: string) =>
    (await readFile(path.join(dir, stream, '2021-12-22.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { _id: string; status?: string });
  const predictions = await lines('predictions');
  assert.equal(predictions.length, minutes * SYMBOLS.length);
  assert.equal(new Set(predictions.map((line) => line._id)).size, predictions.length);
  const ticks = await lines('ticks');
  assert.equal(ticks.length, minutes);
  const trades = await lines('trades');
  const keys = trades.map((line) => `${line._id} ${line.status}`);
  assert.equal(new Set(keys).size, keys.length, 'no trade line twice');
});

test('a corrupt position is quarantined with its reason and every other position keeps trading', async (t) => {
  const bench = await openBench();
  t.after(() => bench.close());
  const logged: string[] = [];
  const deps = { ...bench.deps(), log: (message: string) => logged.push(message) };
  let minuteMs = FIRST_MINUTE_MS;
  // trade until some positions are open
  for (; (await deps.ledger.openPositions()).length < 2; minuteMs += MINUTE_MS)
    await tick(bench.nowAfter(minuteMs), deps);
  const [victim, ...others] = await deps.ledger.openPositions();
  const victimKey = `paper/positions/${victim!.tradeId}.json`;
  await writeFile(path.join(bench.dir, victimKey), '{"tradeId": "truncated');

  const result = await tick(bench.nowAfter(minuteMs), deps);
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.outcome!.quarantined, [victimKey]);
  assert.ok(
    logged.some((line) => line.includes('quarantined') && line.includes(victimKey)),
    logged.join('\n'),
  );
  assert.equal(await bench.store.get(victimKey), undefined);
  const moved = await bench.store.get(`paper/quarantine/${victimKey}`);
  assert.equal(new TextDecoder().decode(moved), '{"tradeId": "truncated');
  const reason = JSON.parse(
    new TextDecoder().decode(await bench.store.get(`paper/quarantine/${victimKey}.reason.json`)),
  ) as { key: string; reason: string };
  assert.equal(reason.key, victimKey);
  assert.match(reason.reason, /not JSON/);

  // the following ticks close the other positions at their exits as usual
  for (let i = 0; i < 16; i++) {
    minuteMs += MINUTE_MS;
    const next = await tick(bench.nowAfter(minuteMs), deps);
    assert.deepEqual(next.outcome!.quarantined, []);
  }
  const closed = new Set((await deps.ledger.listTrades(0, Infinity)).map((trade) => trade.tradeId));
  for (const position of others) assert.ok(closed.has(position.tradeId), position.tradeId);
  assert.deepEqual(await readdir(path.join(bench.dir, 'paper/quarantine/paper/positions')), [
    `${victim!.tradeId}.json`,
    `${victim!.tradeId}.json.reason.json`,
  ]);
});

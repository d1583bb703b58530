import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { klinesBodySchema, serverTimeBodySchema } from '../../src/market/binance-schema.js';
import { columnsToKlines, klinesToColumns } from '../../src/market/kline-columns.js';
import { REST_SNAPSHOTS_DIR } from '../support/shared-data.js';

const snapshotFiles = ['snapshot-a', 'snapshot-b', 'snapshot-c'].flatMap((snapshot) =>
  readdirSync(path.join(REST_SNAPSHOTS_DIR, snapshot))
    .filter((name) => name.endsWith('.json'))
    .map((name) => path.join(REST_SNAPSHOTS_DIR, snapshot, name)),
);

describe('captured Binance REST bodies', () => {
  it('includes all three snapshots and the retry file', () => {
    assert.ok(snapshotFiles.length >= 60, `found ${snapshotFiles.length} files`);
    assert.ok(snapshotFiles.some((file) => file.endsWith('SOLUSDT.retry.json')));
  });

  it('every klines body parses and converts to sorted, duplicate-free minute columns', () => {
    for (const file of snapshotFiles) {
      const symbol = path.basename(file).split('.')[0]!;
      const klines = klinesBodySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      assert.ok(klines.length > 0 && klines.length <= 1000, file);
      const columns = klinesToColumns(symbol, klines);
      assert.equal(
        columns.openTimeMs.length,
        klines.length,
        `${file}: the capture holds no duplicate minutes`,
      );
      for (let row = 0; row < klines.length; row++) {
        assert.equal(columns.openTimeMs[row]! % 60_000, 0);
        if (row > 0) assert.ok(columns.openTimeMs[row]! > columns.openTimeMs[row - 1]!);
        assert.equal(klines[row]!.closeTimeMs, klines[row]!.openTimeMs + 59_999);
        assert.equal(columns.close[row], Number(klines[row]!.close));
        assert.ok(columns.low[row]! <= columns.high[row]!);
      }
    }
  });

  it('columns turn back into klines with the same numbers', () => {
    const file = snapshotFiles.find((name) => name.endsWith(path.join('snapshot-a', 'SHIBUSDT.json')))!;
    const klines = klinesBodySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    const roundTrip = columnsToKlines(klinesToColumns('SHIBUSDT', klines));
    assert.equal(roundTrip.length, klines.length);
    roundTrip.forEach((kline, row) => {
      const original = klines[row]!;
      assert.equal(kline.openTimeMs, original.openTimeMs);
      assert.equal(kline.closeTimeMs, original.closeTimeMs);
      for (const field of ['open', 'high', 'low', 'close', 'volume', 'quoteVolume'] as const) {
        assert.equal(Number(kline[field]), Number(original[field]));
        assert.match(kline[field], /^\d+(\.\d+)?$/);
      }
    });
  });

  it('the retry capture overlaps the first SOLUSDT request and merges without duplicates', () => {
    const first = klinesBodySchema.parse(
      JSON.parse(readFileSync(path.join(REST_SNAPSHOTS_DIR, 'snapshot-a/SOLUSDT.json'), 'utf8')),
    );
    const retry = klinesBodySchema.parse(
      JSON.parse(readFileSync(path.join(REST_SNAPSHOTS_DIR, 'snapshot-a/SOLUSDT.retry.json'), 'utf8')),
    );
    const merged = klinesToColumns('SOLUSDT', [...first, ...retry]);
    const distinct = new Set([...first, ...retry].map((kline) => kline.openTimeMs));
    assert.equal(merged.openTimeMs.length, distinct.size);
    assert.ok(distinct.size < first.length + retry.length);
    // the later response wins for a minute both contain
    const lastRetry = retry[retry.length - 1]!;
    assert.equal(merged.close[merged.close.length - 1], Number(lastRetry.close));
  });

  it('server time bodies parse', () => {
    for (const name of ['server-time-0.json', 'server-time-1.json']) {
      const body = serverTimeBodySchema.parse(
        JSON.parse(readFileSync(path.join(REST_SNAPSHOTS_DIR, name), 'utf8')),
      );
      assert.ok(body.serverTime > Date.parse('2021-12-01') && body.serverTime < Date.parse('2022-01-01'));
    }
  });

  it('a body with a number where Binance sends a string is rejected with its path', () => {
    const result = klinesBodySchema.safeParse([
      [1640044740000, 46892.63, '1', '1', '1', '1', 1640044799999, '1', 1, '1', '1', '0'],
    ]);
    assert.equal(result.success, false);
    assert.deepEqual(result.error!.issues[0]!.path, [0, 1]);
  });
});

/**
 * Strict parsing of Binance's kline CSV (issue 25, item 6): every field of the row has a rule, only the
 * exact header is a header, and CR-only line ends are named. Each case edits one real row of the
 * shared month.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { archiveFileName, parseKlineCsv } from '../../src/market/archive.js';
import { InvalidKlineError, MalformedCsvRowError } from '../../src/market/errors.js';
import { KLINE_CSV_HEADER } from '../../src/market/kline-csv.js';
import { MAX_PRICE, MAX_VOLUME } from '../../src/market/kline-rules.js';
import { ARCHIVE_MONTH_DIR } from '../support/shared-data.js';

const SYMBOL = 'NEARUSDT';
const [HEADER = '', ...ROWS] = new TextDecoder()
  .decode(
    unzipSync(readFileSync(path.join(ARCHIVE_MONTH_DIR, archiveFileName(SYMBOL, '2026-02'))))[
      `${SYMBOL}-1m-2026-02.csv`
    ]!,
  )
  .trimEnd()
  .split('\n');

/** The first `count` real rows, without a header, with row `row` (0-based) edited. */
function rows(count: number, row: number, edit: (fields: string[]) => void): string {
  const lines = ROWS.slice(0, count).map((line) => line.split(','));
  edit(lines[row]!);
  return `${lines.map((fields) => fields.join(',')).join('\n')}\n`;
}

const parse = (csv: string) => parseKlineCsv(SYMBOL, csv, 'test.csv');

function rejects(csv: string, kind: typeof MalformedCsvRowError | typeof InvalidKlineError, message: RegExp) {
  assert.throws(
    () => parse(csv),
    (error: unknown) => {
      assert.ok(error instanceof kind, String(error));
      assert.match((error as Error).message, message);
      return true;
    },
  );
}

describe('strict kline CSV', () => {
  it('the shared file has exactly the header the parser skips', () => {
    assert.equal(HEADER, KLINE_CSV_HEADER);
    assert.equal(parse(`${HEADER}\n${ROWS.slice(0, 3).join('\n')}\n`).openTimeMs.length, 3);
  });

  it('a header-less file whose first row starts with a space keeps no row hidden: it is refused', () => {
    rejects(
      rows(5, 0, (fields) => (fields[0] = ` ${fields[0]}`)),
      MalformedCsvRowError,
      /line 1: field 1 is not a number in decimal notation \(" 1769904000000"\)/,
    );
  });

  it('a first line that resembles the header but is not it is refused, not skipped', () => {
    rejects(
      `${HEADER.replace('open_time', 'opentime')}\n${ROWS[0]}\n`,
      MalformedCsvRowError,
      /line 1: field 1/,
    );
  });

  it('0x10 is not read as 16', () => {
    rejects(
      rows(5, 2, (fields) => (fields[8] = '0x10')),
      MalformedCsvRowError,
      /line 3: field 9 .*"0x10"/,
    );
  });

  it('a close time of 0 is refused, and so is one off by a millisecond', () => {
    rejects(
      rows(5, 1, (fields) => (fields[6] = '0')),
      InvalidKlineError,
      /line 2, field closeTimeMs: close time 0 is not open time 1769904060000 \+ 59999/,
    );
    rejects(
      rows(5, 1, (fields) => (fields[6] = String(Number(fields[6]) + 1))),
      InvalidKlineError,
      /field closeTimeMs/,
    );
  });

  it('microsecond files: the close time is the last microsecond of the minute', () => {
    const micro = ROWS.slice(0, 3).map((line) => {
      const fields = line.split(',');
      fields[0] = `${fields[0]}000`;
      fields[6] = `${fields[6]}999`;
      return fields.join(',');
    });
    assert.equal(parse(`${micro.join('\n')}\n`).openTimeMs[2], 1769904120000);
    micro[1] = micro[1]!.replace(/,(\d+)999,/, ',$1000,');
    rejects(`${micro.join('\n')}\n`, InvalidKlineError, /line 2, field closeTimeMs: .*microsecond/);
  });

  it('a high of 1e308 is above the documented price bound; a volume of 1e19 above the volume bound', () => {
    rejects(
      rows(5, 3, (fields) => (fields[2] = '1e308')),
      InvalidKlineError,
      new RegExp(`line 4, field high: high 1e\\+308 is above the plausible price bound ${MAX_PRICE}`),
    );
    rejects(
      rows(5, 3, (fields) => (fields[5] = '1e19')),
      InvalidKlineError,
      new RegExp(`field volume: volume 10000000000000000000 is above the plausible bound ${MAX_VOLUME}`),
    );
  });

  it('the ignore field holds digits only', () => {
    rejects(
      rows(5, 4, (fields) => (fields[11] = 'x')),
      MalformedCsvRowError,
      /line 5: field 12 \("ignore"\)/,
    );
  });

  it('CR-only line endings are named as such, not reported as an empty file', () => {
    rejects(`${HEADER}\r${ROWS.slice(0, 3).join('\r')}\r`, MalformedCsvRowError, /CR-only line endings/);
  });
});

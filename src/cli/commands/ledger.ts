/** `alpha15 ledger compact`: finished days of the paper ledger rolled into Parquet for Athena and DuckDB. */
import type { Command } from 'commander';
import { compactLedger, SETTLE_MINUTES, type CompactLedgerResult } from '../../app/compact-ledger.js';
import { Alpha15Error } from '../../errors.js';
import { composeAdapters } from '../../app/compose.js';
import { DAY_MS, parseTimeMs } from '../../time.js';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';
import { countBar } from '../progress-bar.js';

interface CompactFlags extends CommonOptions {
  from?: string;
  to?: string;
}

export class InvalidDayError extends Alpha15Error {
  readonly code = 'INVALID_DAY';
}

export function register(program: Command): void {
  const ledger = program.command('ledger').description('Maintain the paper-trading ledger');
  withCommonOptions(
    ledger
      .command('compact')
      .description(
        'Roll each finished UTC day of the ledger (trades, and decisions as one row per minute and symbol) into ' +
          'Parquet at paper/curated/<kind>/day=<YYYY-MM-DD>/part.parquet, the partitions of the Athena tables. ' +
          'Safe to re-run: a day whose ledger records did not change is not rewritten. The JSON ledger stays ' +
          `the source of truth. A day is finished once its end plus the horizon plus ${SETTLE_MINUTES} settling minutes ` +
          '(time for the next ticks to repair a crashed one) has passed and no position opened on it is still open. ' +
          'Every ledger object and day file read is checked, and every file written is read back; damage is listed ' +
          'and the command exits 1.',
      ),
  )
    .option(
      '--from <day>',
      'first UTC day to (re)check, YYYY-MM-DD (default: the day after the newest compacted day, else the first ticked day)',
    )
    .option(
      '--to <day>',
      'last UTC day, inclusive (default: the last day a tick ran; upper bound: the newest finished day)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  alpha15 ledger compact\n  alpha15 ledger compact --from 2026-02-01 --to 2026-02-28 --json --store s3://my-bucket',
    )
    .action(async (flags: CompactFlags) => {
      const config = resolveConfig(flags);
      const bar = countBar('compact', 'days');
      try {
        const result = await compactLedger({
          store: composeAdapters(config).store,
          fromDayMs: flags.from === undefined ? undefined : parseDay(flags.from, '--from'),
          toDayMs: flags.to === undefined ? undefined : parseDay(flags.to, '--to'),
          horizonMinutes: config.horizonMinutes,
          onProgress: ({ day, done, total }) => bar.update(done, total, day),
        });
        bar.stop();
        emit(flags, result, human);
        // damaged sources or files were reported above and left as they were: a person must look
        if (result.damaged > 0) process.exitCode = 1;
      } finally {
        bar.stop();
      }
    });
}

function parseDay(text: string, flag: string): number {
  const dayMs = parseTimeMs(text, flag);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text.trim()) || dayMs % DAY_MS !== 0)
    throw new InvalidDayError(
      `${flag} "${text}" is not a UTC day`,
      `use YYYY-MM-DD, e.g. ${flag} 2026-02-01`,
    );
  return dayMs;
}

function human(result: CompactLedgerResult): string {
  if (result.fromDay === null) {
    return result.lastFinishedDay === null
      ? 'nothing to compact: no ledger day has finished yet'
      : `nothing to compact: every day up to ${result.lastFinishedDay} (the newest finished day) is compacted`;
  }
  const lines = [
    `compacted ${result.fromDay} .. ${result.toDay}: ${result.written} files written, ${result.unchanged} unchanged` +
      (result.damaged > 0 ? `, ${result.damaged} DAMAGED (left as they were)` : ''),
  ];
  for (const day of result.days) {
    if (day.status !== 'empty')
      lines.push(
        `  ${day.day} ${day.kind.padEnd(9)} ${day.status.padEnd(9)} ${day.rows} rows from ${day.sourceObjects} ledger objects`,
      );
    for (const { key, problem } of day.damage ?? []) lines.push(`    damaged: ${key} ${problem}`);
  }
  return lines.join('\n');
}

/** `alpha15 data summary`: what the lake holds per symbol. */
import type { Command } from 'commander';
import { summariseLake, type LakeSummary } from '../../lake/summary.js';
import { openStore } from '../../store/open-store.js';
import { isoMinute } from '../../time.js';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';

export function register(program: Command): void {
  const data = program.command('data').description('Inspect the kline lake');
  withCommonOptions(
    data
      .command('summary')
      .description(
        'Per symbol: candle count, first and last open time (UTC epoch ms) and missing minutes between them. ' +
          'Without --symbols, every symbol in the lake. --json prints {"symbols": {"<SYM>": {"rows", "first", "last", "missing"}}}.',
      ),
  ).action(async (options: CommonOptions) => {
    const config = resolveConfig(options);
    const symbols = options.symbols ? config.symbols : undefined;
    const summary = await summariseLake(openStore(config.store), symbols);
    emit(options, summary, (result) => formatSummary(result, config.store));
  });
}

export function formatSummary(summary: LakeSummary, storeUrl: string): string {
  const entries = Object.entries(summary.symbols);
  if (entries.length === 0) return `no klines in ${storeUrl} yet: run alpha15 ingest first`;
  const header = ['SYMBOL', 'ROWS', 'FIRST (UTC)', 'LAST (UTC)', 'MISSING'];
  const rows = entries.map(([symbol, s]) => [
    symbol,
    String(s.rows),
    isoMinute(s.first),
    isoMinute(s.last),
    String(s.missing),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

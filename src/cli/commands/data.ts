/**
 * `alpha15 data summary | verify | repair`: what the lake holds per symbol, whether every stored
 * candle is readable and consistent, and rebuilding what is not.
 */
import type { Command } from 'commander';
import { repairLake, type RepairReport } from '../../lake/repair.js';
import { summariseLake, type LakeSummary } from '../../lake/summary.js';
import { verifyLake, type LakeProblem, type VerifyReport } from '../../lake/verify.js';
import { parseSourceSpec } from '../../market/source.js';
import { composeAdapters } from '../../app/compose.js';
import { isoMinute } from '../../time.js';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit, log } from '../output.js';

interface RepairFlags extends CommonOptions {
  source?: string;
  acceptLoss?: string[];
}

export function register(program: Command): void {
  const data = program.command('data').description('Inspect, verify and repair the kline lake');
  withCommonOptions(
    data
      .command('summary')
      .description(
        'Per symbol: candle count, first and last open time (UTC epoch ms), missing minutes between them and the ' +
          'sources of its candles (synthetic, archive, rest; unknown for partitions from before sources were recorded). ' +
          'Without --symbols, every symbol in the lake. --json prints {"symbols": {"<SYM>": {"rows", "first", "last", "missing", "sources"}}}, ' +
          'plus "warnings": [...] when a partition cannot be read or is missing and "mixedSources": {"<SYM>": [kinds]} when a ' +
          'symbol holds synthetic and real candles (both also printed on stderr).',
      ),
  ).action(async (options: CommonOptions) => {
    const config = resolveConfig(options);
    const symbols = options.symbols ? config.symbols : undefined;
    const summary = await summariseLake(composeAdapters(config).store, symbols);
    if (!options.json && summary.warnings !== undefined && summary.warnings.length > 0) {
      for (const warning of summary.warnings) log(`warning: ${warning}`);
      log(
        'hint: `alpha15 data verify` checks every partition; `alpha15 data repair` rebuilds what is damaged',
      );
    }
    if (!options.json) for (const line of mixedSourceWarnings(summary.mixedSources)) log(line);
    emit(options, summary, (result) => formatSummary(result, config.store));
  });

  withCommonOptions(
    data
      .command('verify')
      .description(
        'Read every partition back and check it: readable Parquet, rows sorted, unique, on the minute grid and ' +
          'inside their month, every candle within the content rules, the watermark naming exactly the stored ' +
          'partitions with their true counts, and the candles raw/ holds (over the ranges ingested from it, the latest ' +
          '--overwrite winning) present with the same values. ' +
          'Prints one line per problem (exit code 1 when there is any); --json prints ' +
          '{"symbols", "partitionsChecked", "rawArchivesChecked", "rowsChecked", "problems": [{"symbol", "kind", "key", "partition", "message"}], "unsourced"}, ' +
          'plus "mixedSources": {"<SYM>": [kinds]} when a symbol holds synthetic and real candles (a warning, not a problem).',
      ),
  ).action(async (options: CommonOptions) => {
    const config = resolveConfig(options);
    const report = await verifyLake(composeAdapters(config).store, {
      symbols: options.symbols ? config.symbols : undefined,
      onProgress: ({ symbol, symbolIndex, symbolCount }) =>
        log(`verify ${symbolIndex + 1}/${symbolCount} ${symbol}`),
    });
    emit(options, report, formatVerifyReport);
    if (report.problems.length > 0) process.exitCode = 1;
  });

  withCommonOptions(
    data
      .command('repair')
      .description(
        'Rebuild what `data verify` finds broken: damaged, missing or raw-contradicting partitions from the raw ' +
          'archives of their month (or, with --source, re-fetched when raw/ has none), then every affected ' +
          'watermark from what is actually stored. A partition that would come back with fewer candles than the ' +
          'lake held is left as it was and listed as unrebuilt, unless named in --accept-loss. Verifies again ' +
          'afterwards; exit code 1 when a partition is unrebuilt or problems remain. ' +
          '--json prints {"found", "rebuilt", "unrebuilt", "watermarksRewritten", "remaining"}.',
      )
      .option(
        '--source <spec>',
        'where to re-fetch partitions raw/ cannot rebuild: binance, archive:<dir or https URL> or synthetic',
      )
      .option(
        '--accept-loss <partitions>',
        'comma-separated <SYM>/<YYYY-MM> partitions allowed to be rebuilt with fewer candles than the lake held',
        (value: string) =>
          value
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean),
      ),
  ).action(async (options: RepairFlags) => {
    const config = resolveConfig(options);
    const report = await repairLake(composeAdapters(config).store, {
      symbols: options.symbols ? config.symbols : undefined,
      source: options.source === undefined ? undefined : parseSourceSpec(options.source, config),
      acceptLoss: options.acceptLoss,
      onProgress: ({ symbol, partition, phase }) =>
        log(`repair ${phase} ${symbol}${partition ? ` ${partition}` : ''}`),
    });
    const { found, rebuilt, unrebuilt, watermarksRewritten, remaining } = report;
    emit(options, { found, rebuilt, unrebuilt, watermarksRewritten, remaining }, () =>
      formatRepairReport(report),
    );
    if (remaining.length > 0 || unrebuilt.length > 0) process.exitCode = 1;
  });
}

export function formatSummary(summary: LakeSummary, storeUrl: string): string {
  const entries = Object.entries(summary.symbols);
  if (entries.length === 0) return `no klines in ${storeUrl} yet: run alpha15 ingest first`;
  const rows = entries.map(([symbol, s]) => [
    symbol,
    String(s.rows),
    isoMinute(s.first),
    isoMinute(s.last),
    String(s.missing),
    s.sources.join(','),
  ]);
  return table(['SYMBOL', 'ROWS', 'FIRST (UTC)', 'LAST (UTC)', 'MISSING', 'SOURCES'], rows);
}

/** One line per symbol holding synthetic and real candles (summary and verify word it the same). */
function mixedSourceWarnings(mixed: Readonly<Record<string, readonly string[]>> | undefined): string[] {
  return Object.entries(mixed ?? {}).map(
    ([symbol, kinds]) =>
      `warning: ${symbol} holds synthetic and real candles (${kinds.join(', ')}): models trained on it learn from both`,
  );
}

export function formatVerifyReport(report: VerifyReport): string {
  const checked =
    `${report.symbols.length} symbols, ${report.partitionsChecked} partitions, ${report.rowsChecked} rows, ` +
    `${report.rawArchivesChecked} raw archives checked`;
  const unsourced = Object.entries(report.unsourced).map(
    ([symbol, rows]) =>
      `${symbol}: ${rows} stored candles have no source in raw/ (repair can rebuild them only with --source)`,
  );
  const mixed = mixedSourceWarnings(report.mixedSources);
  if (report.problems.length === 0) return [`${checked}: no problems`, ...unsourced, ...mixed].join('\n');
  return [
    `${checked}: ${report.problems.length} problems`,
    formatProblems(report.problems),
    ...unsourced,
    ...mixed,
    'run `alpha15 data repair` to rebuild them (with --source when raw/ lacks the data)',
  ].join('\n');
}

export function formatRepairReport(report: RepairReport): string {
  const lines = [`${report.found.length} problems found`];
  for (const partition of report.rebuilt)
    lines.push(`rebuilt ${partition.key} from ${partition.from} (${partition.rows} rows)`);
  for (const partition of report.unrebuilt)
    lines.push(`NOT rebuilt ${partition.symbol}/${partition.partition}: ${partition.reason}`);
  if (report.watermarksRewritten.length > 0)
    lines.push(`watermarks rewritten from the stored partitions: ${report.watermarksRewritten.join(', ')}`);
  if (report.remaining.length === 0) lines.push('verify after repair: no problems');
  else {
    lines.push(
      `verify after repair: ${report.remaining.length} problems remain`,
      formatProblems(report.remaining),
      'a partition raw/ holds no source for needs --source to be re-fetched; to rebuild one with fewer ' +
        'candles than it held, name it in --accept-loss <SYM>/<YYYY-MM>',
    );
  }
  return lines.join('\n');
}

function formatProblems(problems: readonly LakeProblem[]): string {
  return table(
    ['SYMBOL', 'KIND', 'OBJECT', 'PROBLEM'],
    problems.map((problem) => [problem.symbol, problem.kind, problem.key, problem.message]),
  );
}

function table(header: string[], rows: string[][]): string {
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

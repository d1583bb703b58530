/** `alpha15 ingest`: candles from a source into the lake, idempotent and resumable. */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ingest, requireIngestedRows, type IngestProgress, type IngestResult } from '../../app/ingest.js';
import { KLINE_COLUMN_FIELDS } from '../../market/kline-columns.js';
import { parseSourceSpec } from '../../market/source.js';
import { composeAdapters } from '../../app/compose.js';
import { isoMinute } from '../../time.js';
import { resolveConfig, withCommonOptions, type CommonOptions, flagRange } from '../common.js';
import { emit } from '../output.js';

export interface IngestOptions extends CommonOptions {
  source: string;
  from?: string;
  to?: string;
  overwrite?: boolean;
  allowMixedSources?: boolean;
}

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('ingest')
      .description(
        'Load 1m klines from a source into the lake (Parquet per symbol and UTC month, raw archives under raw/). ' +
          'Re-running adds nothing twice; without --from each symbol resumes after its watermark.',
      )
      .requiredOption(
        '--source <spec>',
        'binance (REST), archive:<dir or https URL> (zip archives) or synthetic (seeded, offline)',
      )
      .option('--from <time>', 'first open time to load, inclusive: ISO date/time (UTC) or epoch ms')
      .option(
        '--to <time>',
        "end of the range, exclusive: ISO date/time (UTC) or epoch ms (default: the source's end, else now)",
      )
      .option(
        '--overwrite',
        'let the source replace stored candles whose values differ (default: such a conflict is an error and ' +
          'nothing is written); the result lists every replaced candle with its old and new values',
      )
      .option(
        '--allow-mixed-sources',
        'let synthetic candles join a symbol that holds real ones (archive, rest) or the other way round ' +
          "(default: refused before anything is fetched; `data summary` shows each symbol's sources)",
      ),
  )
    .addHelpText(
      'after',
      '\nWith --source archive:<dir> and no --symbols, every symbol found in the folder is ingested.\n' +
        'Every candle is checked (finite, positive prices, low <= open/close <= high, non-negative volumes, taker\n' +
        'volumes within volumes, whole minutes); a bad file is refused whole, raw/ included. Stored history is\n' +
        'immutable unless --overwrite. Exit code 1 when a symbol gets no candle from the range asked for.\n' +
        'Examples:\n  alpha15 ingest --source archive:../shared/data/binance-archive/2026-02 --store file://./.alpha15\n' +
        '  alpha15 ingest --source binance --symbols BTCUSDT,ETHUSDT --from 2026-02-01 --to 2026-02-02 --json',
    )
    .action(async (options: IngestOptions) => {
      emit(options, await runIngest(options), formatIngestResult);
    });
}

/** Resolves the source and range from the flags and ingests with a progress bar. */
async function runIngest(options: IngestOptions): Promise<IngestResult> {
  const config = resolveConfig(options);
  const source = parseSourceSpec(options.source, config);
  const symbols = options.symbols || !source.listSymbols ? config.symbols : await source.listSymbols();
  const { fromMs, toMs } = flagRange(options);
  const progress = ingestProgressBar();
  try {
    return requireIngestedRows(
      await ingest({
        store: composeAdapters(config).store,
        source,
        symbols,
        fromMs,
        toMs,
        overwrite: options.overwrite,
        allowMixedSources: options.allowMixedSources,
        onProgress: progress.update,
      }),
    );
  } finally {
    progress.stop();
  }
}

/**
 * One bar on stderr over the symbols, shared with `start` (the next symbol is fetched while the current one is written, so
 * the bar counts finished symbols and names the latest event). cli-progress prints nothing without a TTY.
 */
export function ingestProgressBar(): { update: (progress: IngestProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'ingest |{bar}| {value}/{total} symbols  {symbol} {phase} {rows}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let finished = 0;
  return {
    update: (progress) => {
      if (!started) {
        bar.start(progress.symbolCount, 0, { symbol: '', phase: 'starting', rows: '' });
        started = true;
      }
      if (progress.phase === 'done') finished++;
      const rows = progress.expectedRows > 0 ? `${progress.fetchedRows}/${progress.expectedRows} rows` : '';
      bar.update(finished, { symbol: progress.symbol, phase: progress.phase, rows });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

export function formatIngestResult(result: IngestResult): string {
  const lines = [`source ${result.source}`];
  for (const [symbol, outcome] of Object.entries(result.symbols)) {
    if (outcome.first === null || outcome.last === null) {
      lines.push(`${symbol.padEnd(12)} ${outcome.status}: ${outcome.reason}`);
      continue;
    }
    lines.push(
      `${symbol.padEnd(12)} +${outcome.rowsAdded} rows (${outcome.rowsFetched} fetched, ${outcome.missing} missing) ` +
        `${outcome.partitionsWritten} partitions written, ${outcome.rawArchivesStored} raw archives stored  ` +
        `${isoMinute(outcome.first)} .. ${isoMinute(outcome.last)}  ${outcome.status}: ${outcome.reason}`,
    );
    for (const { openTimeMs, stored, incoming } of outcome.replaced) {
      const changed = KLINE_COLUMN_FIELDS.filter((field) => !Object.is(stored[field], incoming[field]));
      const changes = changed.map((field) => `${field} ${stored[field]} -> ${incoming[field]}`);
      lines.push(`  replaced ${isoMinute(openTimeMs)}: ${changes.join(', ')}`);
    }
  }
  return lines.join('\n');
}

/** `alpha15 ingest`: candles from a source into the lake, idempotent and resumable. */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ingest, type IngestProgress, type IngestResult } from '../../lake/ingest.js';
import { parseSourceSpec } from '../../market/source.js';
import { openStore } from '../../store/open-store.js';
import { isoMinute, parseTimeMs } from '../../time.js';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';

interface IngestOptions extends CommonOptions {
  source: string;
  from?: string;
  to?: string;
}

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('ingest')
      .description(
        'Load 1m klines from a source into the lake (Parquet per symbol and UTC day, raw archives under raw/). ' +
          'Re-running adds nothing twice; without --from each symbol resumes after its watermark.',
      )
      .requiredOption('--source <spec>', 'binance (REST), archive:<dir or https URL> (zip archives) or synthetic (seeded, offline)')
      .option('--from <time>', 'first open time to load, inclusive: ISO date/time (UTC) or epoch ms')
      .option('--to <time>', 'end of the range, exclusive: ISO date/time (UTC) or epoch ms (default: the source\'s end, else now)'),
  )
    .addHelpText(
      'after',
      '\nWith --source archive:<dir> and no --symbols, every symbol found in the folder is ingested.\n' +
        'Examples:\n  alpha15 ingest --source archive:../shared/data/binance-archive/2026-02 --store file://./.alpha15\n' +
        '  alpha15 ingest --source binance --symbols BTCUSDT,ETHUSDT --from 2026-02-01 --to 2026-02-02 --json',
    )
    .action(async (options: IngestOptions) => {
      const config = resolveConfig(options);
      const source = parseSourceSpec(options.source, config);
      const symbols = options.symbols || !source.listSymbols ? config.symbols : await source.listSymbols();
      const progress = ingestProgressBar();
      let result: IngestResult;
      try {
        result = await ingest({
          store: openStore(config.store),
          source,
          symbols,
          fromMs: options.from === undefined ? undefined : parseTimeMs(options.from, '--from'),
          toMs: options.to === undefined ? undefined : parseTimeMs(options.to, '--to'),
          onProgress: progress.update,
        });
      } finally {
        progress.stop();
      }
      emit(options, result, formatIngestResult);
    });
}

/** One bar on stderr for the symbol being ingested (cli-progress prints nothing when stderr is no TTY). */
function ingestProgressBar(): { update: (progress: IngestProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'ingest {symbol} ({index}/{count}) |{bar}| {value}/{total} rows {phase}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let currentSymbol: string | undefined;
  return {
    update: (progress) => {
      const payload = {
        symbol: progress.symbol,
        index: progress.symbolIndex + 1,
        count: progress.symbolCount,
        phase: progress.phase === 'fetch' ? '' : progress.phase === 'write' ? 'writing' : 'done',
      };
      if (currentSymbol !== progress.symbol) {
        if (currentSymbol !== undefined) bar.stop();
        bar.start(Math.max(progress.expectedRows, 1), progress.fetchedRows, payload);
        currentSymbol = progress.symbol;
      } else {
        bar.setTotal(Math.max(progress.expectedRows, progress.fetchedRows, 1));
        bar.update(progress.fetchedRows, payload);
      }
    },
    stop: () => {
      if (currentSymbol !== undefined) bar.stop();
    },
  };
}

function formatIngestResult(result: IngestResult): string {
  const lines = [`source ${result.source}`];
  for (const [symbol, outcome] of Object.entries(result.symbols)) {
    const span = outcome.first === null || outcome.last === null ? 'nothing new' : `${isoMinute(outcome.first)} .. ${isoMinute(outcome.last)}`;
    lines.push(
      `${symbol.padEnd(12)} +${outcome.rowsAdded} rows (${outcome.rowsFetched} fetched, ${outcome.missing} missing) ` +
        `${outcome.partitionsWritten} partitions written, ${outcome.rawArchivesStored} raw archives stored  ${span}`,
    );
  }
  return lines.join('\n');
}

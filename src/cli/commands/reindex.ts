/** `alpha15 reindex`: rebuilds the telemetry copy (OpenSearch or JSONL) from the ledger. */
import type { Command } from 'commander';
import { Ledger } from '../../paper/ledger.js';
import { reindex, type ReindexResult } from '../../paper/reindex.js';
import { composeAdapters } from '../../app/compose.js';
import { composeSink } from '../../app/compose-telemetry.js';
import { isoMinute, parseTimeMs } from '../../time.js';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';

interface ReindexFlags extends CommonOptions {
  from?: string;
  to?: string;
  opensearch?: string;
}

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('reindex')
      .description(
        "Send the ledger's predictions, trades and tick outcomes in a time range to telemetry again (same document ids, so " +
          'nothing is duplicated): repairs OpenSearch after an outage or a mapping fix. The ledger is the source of truth.',
      ),
  )
    .option('--from <time>', 'first minute (UTC ISO or epoch ms; default: the first ticked minute)')
    .option('--to <time>', 'end, exclusive (default: after the last ticked minute)')
    .option(
      '--opensearch <url>',
      'OpenSearch cluster to rebuild (default: the configured telemetry sink); an Amazon OpenSearch Service URL is signed with your AWS credentials (SigV4)',
    )
    .action(async (flags: ReindexFlags) => {
      const config = resolveConfig(flags, {
        'telemetry.sink': flags.opensearch ? 'opensearch' : undefined,
        'telemetry.opensearchUrl': flags.opensearch,
      });
      const adapters = composeAdapters(config);
      const { store } = adapters;
      const sink = composeSink(adapters);
      const ledger = new Ledger(store);
      const span = await ledger.tickSpan();
      const fromMs = flags.from === undefined ? (span?.fromMs ?? 0) : parseTimeMs(flags.from, '--from');
      const toMs = flags.to === undefined ? (span?.toMs ?? 0) : parseTimeMs(flags.to, '--to');
      const result = await reindex({
        ledger,
        sink,
        fromMs,
        toMs,
      });
      emit(
        flags,
        { ...result, from: isoMinute(fromMs), to: isoMinute(toMs), sink: config.telemetry.sink },
        human,
      );
      if (result.failed > 0) process.exitCode = 1;
    });
}

function human(result: ReindexResult & { from: string; to: string; sink: string }): string {
  const failures = result.failed > 0 ? `; ${result.failed} failed, e.g. ${result.errors[0]}` : '';
  return `reindexed ${result.from} to ${result.to} into ${result.sink}: ${result.predictions} predictions, ${result.trades} trades, ${result.ticks} ticks (${result.delivered} delivered${failures})`;
}

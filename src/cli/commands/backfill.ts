/**
 * `alpha15 backfill`: months of archive history into the lake, as (symbol, month) items. By default it
 * starts the stack's Step Functions state machine (a Distributed Map over the items) and, with --wait,
 * follows it; --local runs the same items in-process against the configured store.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import {
  backfillLocal,
  DEFAULT_BACKFILL_CONCURRENCY,
  planBackfill,
  type BackfillItemResult,
  type BackfillSummary,
} from '../../app/backfill.js';
import {
  findBackfillStateMachine,
  startBackfillExecution,
  watchBackfillExecution,
} from '../../app/backfill-execution.js';
import { openStore } from '../../store/open-store.js';
import type { ObjectStore } from '../../store/object-store.js';
import { composeAdapters } from '../../app/compose.js';
import { positiveInteger, resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit, log } from '../output.js';
import { countBar } from '../progress-bar.js';

interface BackfillFlags extends CommonOptions {
  from: string;
  to: string;
  local?: boolean;
  archiveBase?: string;
  concurrency: number;
  wait?: boolean;
  stateMachine?: string;
  stackName: string;
}

type BackfillOutput = BackfillSummary & {
  mode: 'local' | 'aws';
  /** Every item's outcome (with --json: rows, retries and duration per symbol-month). */
  results?: BackfillItemResult[];
  executionArn?: string;
  status?: string;
  resultManifest?: string | null;
};

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('backfill')
      .description(
        "Load whole months of 1m klines from the archive site's monthly zips (checksums verified) into the lake, one " +
          '(symbol, month) item at a time through the same ingest core as `alpha15 ingest`. By default starts the ' +
          "deployed stack's Step Functions backfill (a Distributed Map, bounded concurrency, failed items collected in " +
          'a result file); --local runs the items on this machine against --store. Months the lake already holds ' +
          'are skipped: re-running adds 0 rows.',
      )
      .requiredOption('--from <YYYY-MM>', 'first month, inclusive')
      .requiredOption('--to <YYYY-MM>', 'last month, inclusive (a month that has ended)'),
  )
    .option('--local', 'run the items in this process instead of on AWS')
    .option(
      '--archive-base <dir or URL>',
      'with --local: a folder of <SYM>-1m-<YYYY-MM>.zip archives (searched recursively) or the data site / a mirror (default: the config binanceArchiveBaseUrl)',
    )
    .option(
      '--concurrency <n>',
      `with --local: items in flight (on AWS the stack's backfillConcurrency setting decides)`,
      positiveInteger('--concurrency'),
      DEFAULT_BACKFILL_CONCURRENCY,
    )
    .option('--wait', 'on AWS: follow the execution to its end and print the item results')
    .option(
      '--state-machine <arn>',
      'on AWS: the state machine (stack output BackfillStateMachineArn; default: found by name)',
    )
    .option('--stack-name <name>', 'on AWS: the stack whose state machine to find', 'Alpha15')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  alpha15 backfill --local --from 2026-02 --to 2026-02 --symbols ALGOUSDT,LTCUSDT --archive-base ../shared/data/binance-archive\n' +
        '  alpha15 backfill --from 2023-01 --to 2026-10 --wait            (AWS credentials and region of the stack)\n' +
        'Progress (items done, failed, rows added) goes to stderr; --json prints the summary on stdout.',
    )
    .action(async (flags: BackfillFlags) => {
      const config = resolveConfig(flags);
      const items = planBackfill(config.symbols, flags.from, flags.to);
      const output = flags.local
        ? await runLocal(flags, composeAdapters(config).store, config.binanceArchiveBaseUrl, items)
        : await runOnAws(flags, items);
      emit(flags, output, human);
      if (output.failed > 0) process.exitCode = 1;
    });
}

async function runLocal(
  flags: BackfillFlags,
  store: ObjectStore,
  defaultArchiveBase: string,
  items: ReturnType<typeof planBackfill>,
): Promise<BackfillOutput> {
  const bar = countBar('backfill', 'items');
  try {
    const summary = await backfillLocal({
      store,
      archiveBase: flags.archiveBase ?? defaultArchiveBase,
      items,
      concurrency: flags.concurrency,
      onProgress: ({ done, total, failed, rowsAdded }) =>
        bar.update(done, total, `${failed} failed, +${rowsAdded} rows`),
    });
    return { mode: 'local', ...summary };
  } finally {
    bar.stop();
  }
}

async function runOnAws(
  flags: BackfillFlags,
  items: ReturnType<typeof planBackfill>,
): Promise<BackfillOutput> {
  const client = new SFNClient({});
  const stateMachineArn = flags.stateMachine ?? (await findBackfillStateMachine(client, flags.stackName));
  const executionArn = await startBackfillExecution(client, stateMachineArn, items);
  log(`started ${executionArn} over ${items.length} items`);
  if (!flags.wait) {
    return {
      mode: 'aws',
      executionArn,
      status: 'RUNNING',
      items: items.length,
      succeeded: 0,
      skipped: 0,
      failed: 0,
      rowsFetched: 0,
      rowsAdded: 0,
      retries: 0,
      throttledRetries: 0,
      failures: [],
    };
  }
  const bar = countBar('backfill', 'items');
  try {
    const summary = await watchBackfillExecution({
      client,
      executionArn,
      // the bucket the state machine wrote its results to, named by the execution
      openResultStore: (bucket) => openStore(`s3://${bucket}`),
      onProgress: ({ status, done, total, failed }) =>
        bar.update(done, total || items.length, `${status}, ${failed} failed`),
    });
    return { mode: 'aws', ...summary };
  } finally {
    bar.stop();
  }
}

function human(output: BackfillOutput): string {
  const where = output.mode === 'local' ? 'local' : output.executionArn!;
  if (output.mode === 'aws' && output.status === 'RUNNING')
    return `started ${where} over ${output.items} items; follow it with --wait or in the Step Functions console`;
  const lines = [
    `backfill ${where}: ${output.items} items, ${output.succeeded} succeeded (${output.skipped} already in the lake), ${output.failed} failed`,
    `  +${output.rowsAdded} rows (${output.rowsFetched} fetched), ${output.retries} download retries (${output.throttledRetries} throttled)`,
  ];
  if (output.resultManifest) lines.push(`  item results: ${output.resultManifest}`);
  for (const failure of output.failures)
    lines.push(`  FAILED ${failure.symbol} ${failure.month}: ${failure.error}: ${failure.message}`);
  return lines.join('\n');
}

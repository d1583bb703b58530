/** `alpha15 runs list|compare`: the runs index (every train, tune trial, simulation and backtest). */
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { RUN_KINDS } from '../../runs/run-record.js';
import { getRuns, listRuns, RunNotFoundError, type RunFilter } from '../../runs/runs-index.js';
import { renderRunsPage } from '../../ui/runs-page.js';
import { indexRuns } from '../../runs/runs-telemetry.js';
import { configDifferences, formatRunComparison, formatRunList } from '../../runs/runs-text.js';
import { writeFileAtomically } from '../../store/atomic-file.js';
import { composeAdapters } from '../../app/compose.js';
import { composeSink } from '../../app/compose-telemetry.js';
import { positiveInteger, resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';

interface ListFlags extends CommonOptions, RunFilter {}
interface PageFlags extends CommonOptions {
  out: string;
  study?: string;
  limit: number;
}

export function register(program: Command): void {
  const runs = program
    .command('runs')
    .description(
      'The runs index: one record per train, tune trial, simulation and backtest under runs/ in the store ' +
        '(id, kind, study, config and its hash, data range, git revision, backend, duration, per-epoch and final metrics)',
    );
  withCommonOptions(
    runs
      .command('list')
      .description('One line per recorded run, oldest first. --json prints {"runs": [<run record>...]}.')
      .addOption(new Option('--kind <kind>', 'only runs of this kind').choices(RUN_KINDS))
      .option('--study <id>', 'only the trials of this tune study')
      .option('--limit <n>', 'only the newest n runs', positiveInteger('--limit')),
  ).action(async (flags: ListFlags) => {
    const config = resolveConfig(flags);
    const found = await listRuns(composeAdapters(config).store, flags);
    emit(flags, { runs: found }, () => formatRunList(found, config.store));
  });
  withCommonOptions(
    runs
      .command('compare')
      .description(
        'Runs side by side: kind, status, data, config hash, final metrics and the config settings that differ. ' +
          '--json prints {"runs": [<run record>...], "configDifferences": {"<path>": [<value per run>...]}}.',
      )
      .argument('<ids...>', 'run ids (see `alpha15 runs list`)'),
  ).action(async (ids: string[], flags: CommonOptions) => {
    if (ids.length < 1) throw new InvalidArgumentError('name at least one run id');
    const config = resolveConfig(flags);
    const found = await getRuns(composeAdapters(config).store, ids);
    emit(flags, { runs: found, configDifferences: configDifferences(found) }, () =>
      formatRunComparison(found),
    );
  });
  withCommonOptions(
    runs
      .command('page')
      .description(
        'Write an HTML page with the runs side by side: their final metrics and differing settings, and one chart per ' +
          'learning-curve metric (losses, IC, rank IC, hit rate, learning rate) with a line per run. Without ids: the ' +
          'newest --limit runs (of --study). --json prints {"page": <path>, "runs": [<id>...]}.',
      )
      .argument('[ids...]', 'run ids (see `alpha15 runs list`)')
      .option('--out <file>', 'where to write the page', 'alpha15-runs.html')
      .option('--study <id>', 'without ids: the trials of this tune study')
      .option('--limit <n>', 'without ids: this many newest runs', positiveInteger('--limit'), 10),
  ).action(async (ids: string[], flags: PageFlags) => {
    const config = resolveConfig(flags);
    const store = composeAdapters(config).store;
    const found =
      ids.length > 0
        ? await getRuns(store, ids)
        : await listRuns(store, { study: flags.study, limit: flags.limit });
    if (found.length === 0)
      throw new RunNotFoundError(`no runs recorded in ${store.url} to show`, 'train, tune or backtest first');
    const page = path.resolve(flags.out);
    await writeFileAtomically(page, renderRunsPage({ runs: found, generatedAtMs: Date.now() }));
    emit(
      flags,
      { page, runs: found.map((run) => run.id) },
      (result) => `runs page for ${result.runs.length} runs: ${result.page}`,
    );
  });
  withCommonOptions(
    runs
      .command('reindex')
      .description(
        'Send every recorded run (or those of --kind / --study) to telemetry: the <prefix>-runs index in OpenSearch behind ' +
          'the "alpha15 studies" dashboard, or JSONL. Same document ids, so nothing is duplicated. ' +
          '--json prints {"runs", "delivered", "failed", "errors", "sink"}.',
      )
      .addOption(new Option('--kind <kind>', 'only runs of this kind').choices(RUN_KINDS))
      .option('--study <id>', 'only the trials of this tune study')
      .option(
        '--opensearch <url>',
        'OpenSearch cluster to index into (default: the configured telemetry sink); an Amazon OpenSearch Service URL is signed with your AWS credentials (SigV4)',
      ),
  ).action(async (flags: ListFlags & { opensearch?: string }) => {
    const config = resolveConfig(flags, {
      'telemetry.sink': flags.opensearch ? 'opensearch' : undefined,
      'telemetry.opensearchUrl': flags.opensearch,
    });
    const adapters = composeAdapters(config);
    const { store } = adapters;
    const sink = composeSink(adapters);
    const result = await indexRuns(store, sink, flags);
    emit(
      flags,
      { ...result, sink: config.telemetry.sink },
      (report) =>
        `indexed ${report.runs} runs into ${report.sink}: ${report.delivered} delivered, ${report.failed} failed${report.errors[0] ? ` (${report.errors[0]})` : ''}`,
    );
    if (result.failed > 0) process.exitCode = 1;
  });
}

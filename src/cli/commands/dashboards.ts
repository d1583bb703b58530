/** `alpha15 dashboards import`: installs the versioned OpenSearch Dashboards saved objects. */
import type { Command } from 'commander';
import { importDashboards } from '../../telemetry/dashboards-import.js';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';
import { splitUrlCredentials } from '../../url-credentials.js';

interface ImportFlags extends CommonOptions {
  url: string;
}

export function register(program: Command): void {
  const dashboards = program
    .command('dashboards')
    .description('OpenSearch Dashboards saved objects for paper trading');
  withCommonOptions(
    dashboards
      .command('import')
      .description(
        'Import the index patterns, visualizations (cumulative net PnL, PnL by pair, prediction vs realised return, trades per ' +
          'pair, latest predictions vs thresholds) and the "alpha15 paper trading" dashboard, overwriting earlier versions. ' +
          'The index prefix comes from config telemetry.indexPrefix.',
      ),
  )
    .requiredOption(
      '--url <url>',
      "OpenSearch Dashboards base URL, e.g. http://localhost:5601 (user:password@ for Basic auth). The AWS stack's domain refuses Basic auth: its setup installs the saved objects on every deploy",
    )
    .action(async (flags: ImportFlags) => {
      const config = resolveConfig(flags);
      const result = await importDashboards({
        dashboardsUrl: flags.url,
        indexPrefix: config.telemetry.indexPrefix,
      });
      emit(
        flags,
        { ...result, url: splitUrlCredentials(flags.url).url },
        (imported) => `imported ${imported.successCount} saved objects into ${imported.url}`,
      );
    });
}

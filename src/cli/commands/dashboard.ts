/** `alpha15 dashboard`: the paper-trading panels as a local web page, read live from the ledger. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { startDashboardServer } from '../../ui/dashboard/server.js';
import { StoreNotFoundError } from '../../store/errors.js';
import { LocalStore } from '../../store/local-store.js';
import { composeAdapters } from '../../app/compose.js';
import { portNumber, resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit, log } from '../output.js';

interface DashboardFlags extends CommonOptions {
  port: number;
}

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('dashboard')
      .description(
        'Serve the paper-trading dashboard on 127.0.0.1: cumulative net PnL, PnL and trades per pair, prediction vs realised ' +
          'return, latest predictions vs thresholds, open positions and recent ticks, read from the ledger and refreshed every ' +
          'few seconds. Self-contained (no CDN, no OpenSearch). Runs until Ctrl-C.',
      ),
  )
    .option('--port <port>', 'TCP port (0 = any free port)', portNumber, 8015)
    .action(async (flags: DashboardFlags) => {
      const config = resolveConfig(flags);
      const store = composeAdapters(config).store;
      // a mistyped --store would otherwise serve an empty page that looks like a ledger without trades
      if (store instanceof LocalStore && !existsSync(store.rootDir))
        throw new StoreNotFoundError(
          store.url,
          'pass the --store that alpha15 start or alpha15 paper wrote to (default file://./.alpha15)',
        );
      const dashboard = await startDashboardServer({ store, port: flags.port });
      emit(
        flags,
        { url: dashboard.url, store: store.url },
        (result) => `dashboard on ${result.url} (ledger in ${result.store}); Ctrl-C to stop`,
      );
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      log('alpha15: dashboard stopped');
      await dashboard.close();
    });
}

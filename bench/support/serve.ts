/**
 * The servers of `bench/dashboard.ts`, each in its own process so the bench's client and ledger writer
 * do not share its event loop (a browser and the trader do not either):
 *
 *   serve.ts dashboard <store dir>      the real dashboard server over a local store
 *   serve.ts static <gzipped file>      the reference: the same bytes from memory, nothing computed
 *
 * Prints its URL on the first line of stdout; stops on SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDashboardServer } from '../../src/ui/dashboard/server.js';
import { LocalStore } from '../../src/store/local-store.js';

const [mode, target] = process.argv.slice(2);
if (!target || (mode !== 'dashboard' && mode !== 'static'))
  throw new Error('usage: serve.ts dashboard <store dir> | static <gzipped file>');

let close: () => Promise<void>;
if (mode === 'dashboard') {
  const dashboard = await startDashboardServer({ store: new LocalStore(target) });
  close = dashboard.close;
  process.stdout.write(`${dashboard.url}api/summary\n`);
} else {
  const gzipped = await readFile(target);
  const server = createServer((_request, response) =>
    response
      .writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-encoding': 'gzip',
        'cache-control': 'no-store',
      })
      .end(gzipped),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`);
}
// a clean exit, so --cpu-prof writes its profile
process.on('SIGTERM', () => void close().then(() => process.exit(0)));

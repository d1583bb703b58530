/**
 * `alpha15 dashboard`: a local web page on 127.0.0.1 with the paper-trading panels, read from the
 * ledger on every refresh. Self-contained (inline script and SVG, nothing fetched from elsewhere), so it
 * works offline and needs no OpenSearch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MINUTE_MS } from '../../time.js';
import type { ObjectStore } from '../../store/object-store.js';
import { Ledger } from '../../paper/ledger.js';
import { DASHBOARD_PAGE } from './page.js';
import { summarise, type DashboardSummary } from '../../paper/dashboard/summary.js';
import { WriteOnceCache } from '../../paper/dashboard/write-once-cache.js';

/** Tick outcomes shown: the last hour's worth. */
const RECENT_TICKS_MS = 60 * MINUTE_MS;

export async function loadSummary(ledger: Ledger, nowMs = Date.now()): Promise<DashboardSummary> {
  const span = await ledger.tickSpan();
  const [trades, openPositions, ticks, latestDecision] = await Promise.all([
    span ? ledger.listTrades(span.fromMs, span.toMs) : [],
    ledger.openPositions(),
    span ? ledger.listTicks(span.toMs - RECENT_TICKS_MS, span.toMs) : [],
    span ? ledger.getDecision(span.toMs - MINUTE_MS) : undefined,
  ]);
  return summarise({ trades, openPositions, ticks, latestDecision, span, nowMs });
}

export interface DashboardServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startDashboardServer(options: {
  store: ObjectStore;
  port?: number;
  refreshMs?: number;
}): Promise<DashboardServer> {
  const ledger = new Ledger(new WriteOnceCache(options.store));
  const page = DASHBOARD_PAGE.replace('__REFRESH_MS__', String(options.refreshMs ?? 5000));
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (request.method !== 'GET') {
      response.writeHead(405).end();
    } else if (path === '/') {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(page);
    } else if (path === '/api/summary') {
      loadSummary(ledger).then(
        (summary) =>
          response
            .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
            .end(JSON.stringify(summary)),
        (error: unknown) =>
          response
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: String(error) })),
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

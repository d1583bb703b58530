/**
 * `alpha15 dashboard`: a local web page on 127.0.0.1 with the paper-trading panels, aggregated from the
 * ledger on the server. Self-contained (inline script and SVG, nothing fetched from elsewhere), so it
 * works offline and needs no OpenSearch.
 *
 * At a year of trading the ledger holds 100,000 trades and 525,600 ticked minutes, so the answer is
 * aggregated (`summary.ts`, with the closed trades' totals carried over between versions) and cached by
 * ledger version: requests get the last good answer at once while the ledger is looked at in the
 * background (at most once per `minRefreshMs`, one look at a time; a look follows the ledger by key,
 * `ledger-view.ts`), and a failed look is never cached (the next request tries again).
 *
 * Only loopback Host names are served (a DNS-rebinding page cannot read the ledger through the user's
 * browser), and every answer carries a Content-Security-Policy that admits only the page's own inline
 * script and style (by hash) and requests to this server.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { Alpha15Error } from '../../errors.js';
import type { ObjectStore } from '../../store/object-store.js';
import type { Trade } from '../../paper/records.js';
import { LedgerView, type LedgerSnapshot } from '../../paper/dashboard/ledger-view.js';
import { dashboardPage } from './page.js';
import {
  dashboardSummary,
  tradesPage,
  RECENT_TRADES,
  type DashboardSummary,
} from '../../paper/dashboard/summary.js';

export class DashboardPortInUseError extends Alpha15Error {
  readonly code = 'DASHBOARD_PORT_IN_USE';
  constructor(port: number) {
    super(
      `port ${port} on 127.0.0.1 is in use (another dashboard, or another program)`,
      'stop the other program, or pick another port: alpha15 dashboard --port <n> (0 = any free port)',
    );
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_PAGE_SIZE = 500;

export interface DashboardServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface DashboardServerOptions {
  store: ObjectStore;
  port?: number;
  /** How often the page asks for a new summary. */
  refreshMs?: number;
  /** The ledger is looked at no more often than this; requests in between get the cached answer. */
  minRefreshMs?: number;
  clock?: () => number;
}

/**
 * What `/api/summary` answers: the summary, and beside it why the latest look at the ledger failed when it
 * did (the summary is then the last good one).
 */
export type SummaryAnswer = DashboardSummary & { ledgerError?: string };

type Cached = {
  snapshot: LedgerSnapshot;
  summary: DashboardSummary;
  json: string;
  /** The JSON compressed once per ledger version, not once per request. */
  gzipped: Buffer;
  atMs: number;
};

/**
 * The current snapshot and its summary. Requests are answered from the last good look at the ledger
 * while the next look runs in the background (at most one at a time, at most once per `minRefreshMs`),
 * so a request never waits for a look at the ledger, except the very first one (which reads it all). A
 * failed look is not cached: with nothing to show it is the request's 503, otherwise the last good
 * answer is served with the error beside it, and the next request looks again.
 */
class SummaryCache {
  private readonly view: LedgerView;
  private current: Cached | undefined;
  private inFlight: Promise<Cached> | undefined;
  private lastError: string | undefined;

  constructor(
    store: ObjectStore,
    private readonly minRefreshMs: number,
    private readonly clock: () => number,
  ) {
    this.view = new LedgerView(store, { clock });
  }

  /** The answer to serve and, when the latest look at the ledger failed, why. */
  async get(): Promise<{ cached: Cached; error?: string }> {
    if (!this.current || this.clock() - this.current.atMs >= this.minRefreshMs) {
      const looking = this.look();
      if (!this.current) return { cached: await looking };
      looking.catch(() => undefined); // reported through lastError to the requests that follow
    }
    return { cached: this.current, error: this.lastError };
  }

  /** Every closed trade, for paging: a restarted view decodes the compacted days it only counted so far. */
  async allTrades(): Promise<Trade[]> {
    await this.get();
    return this.view.allTrades();
  }

  private look(): Promise<Cached> {
    this.inFlight ??= this.refresh().then(
      (cached) => {
        this.lastError = undefined;
        this.inFlight = undefined;
        return cached;
      },
      (error: unknown) => {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.inFlight = undefined;
        throw error;
      },
    );
    return this.inFlight;
  }

  private async refresh(): Promise<Cached> {
    const snapshot = await this.view.snapshot();
    const atMs = this.clock();
    if (this.current?.snapshot.version === snapshot.version) {
      this.current = { ...this.current, atMs };
      return this.current;
    }
    const summary = dashboardSummary(snapshot, atMs);
    const json = JSON.stringify(summary);
    this.current = { snapshot, summary, json, gzipped: gzipSync(json), atMs };
    return this.current;
  }
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const clock = options.clock ?? Date.now;
  const cache = new SummaryCache(options.store, options.minRefreshMs ?? 1_000, clock);
  const page = (await dashboardPage())
    .replace('__REFRESH_MS__', String(options.refreshMs ?? 5000))
    .replace('__TRADES_PAGE_SIZE__', String(RECENT_TRADES));
  const securityHeaders = {
    'content-security-policy': contentSecurityPolicy(page),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
  const send = (response: ServerResponse, status: number, type: string, body: string) =>
    response
      .writeHead(status, { ...securityHeaders, 'content-type': type, 'cache-control': 'no-store' })
      .end(body);
  const sendJson = (response: ServerResponse, status: number, body: string) =>
    send(response, status, 'application/json; charset=utf-8', body);
  const failed = (response: ServerResponse) => (error: unknown) =>
    sendJson(
      response,
      503,
      JSON.stringify({ error: error instanceof Error ? error.message : String(error) }),
    );

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    if (!isLoopbackHost(request.headers.host))
      return send(response, 403, 'text/plain; charset=utf-8', 'only loopback host names are served');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET') return send(response, 405, 'text/plain; charset=utf-8', 'GET only');
    switch (url.pathname) {
      case '/':
        return send(response, 200, 'text/html; charset=utf-8', page);
      case '/api/summary':
        return void cache.get().then(({ cached, error }) => {
          if (error !== undefined)
            return sendJson(response, 200, `{"ledgerError":${JSON.stringify(error)},${cached.json.slice(1)}`);
          if (!/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')))
            return sendJson(response, 200, cached.json);
          response
            .writeHead(200, {
              ...securityHeaders,
              'content-type': 'application/json; charset=utf-8',
              'content-encoding': 'gzip',
              'cache-control': 'no-store',
              vary: 'accept-encoding',
            })
            .end(cached.gzipped);
        }, failed(response));
      case '/api/trades': {
        const paging = parsePaging(url.searchParams);
        if (typeof paging === 'string') return sendJson(response, 400, JSON.stringify({ error: paging }));
        return void cache
          .allTrades()
          .then(
            (trades) =>
              sendJson(response, 200, JSON.stringify(tradesPage(trades, paging.page, paging.pageSize))),
            failed(response),
          );
      }
      default:
        return send(response, 404, 'text/plain; charset=utf-8', 'not found');
    }
  };

  const server = createServer(handle);
  const port = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new DashboardPortInUseError(port) : error),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return LOOPBACK_HOSTS.has(name.toLowerCase());
}

function parsePaging(params: URLSearchParams): { page: number; pageSize: number } | string {
  const page = Number(params.get('page') ?? '0');
  const pageSize = Number(params.get('pageSize') ?? String(RECENT_TRADES));
  if (!Number.isInteger(page) || page < 0) return 'page must be a whole number from 0';
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    return `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}`;
  return { page, pageSize };
}

/** Only this page's own inline script and style run; it may talk to this server and nothing else. */
function contentSecurityPolicy(page: string): string {
  const hashes = (tag: 'script' | 'style') =>
    [...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))]
      .map((match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`)
      .join(' ');
  return [
    "default-src 'none'",
    `script-src ${hashes('script')}`,
    `style-src ${hashes('style')}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

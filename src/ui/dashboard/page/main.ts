/**
 * The dashboard page's script: asks the server for the summary every `data-refresh-ms` and draws it; the
 * trades table pages through `/api/trades`. Bundled into the page by ../page.ts.
 */
import { drawBars, drawCumulative, drawScatter, GAIN_COLOUR, LOSS_COLOUR } from './charts.js';
import {
  DAY_COLUMNS,
  LATEST_COLUMNS,
  OPEN_POSITION_COLUMNS,
  SPREAD_COLUMNS,
  TICK_COLUMNS,
  TRADE_COLUMNS,
} from './columns.js';
import { fixed, minute, tone } from './format.js';
import { fillTable } from './table.js';
import type { SummaryAnswer, TradesPage } from './view.js';

/** Set by the server on <body>: how often to ask for a new summary, and the trades per page of its answers. */
const REFRESH_MS = Number(document.body.dataset.refreshMs);
const TRADES_PAGE_SIZE = Number(document.body.dataset.tradesPageSize);
const LONG_COLOUR = '#2f5bd3';
const SHORT_COLOUR = '#e08a1e';

/** The trades page shown: 0 (the newest) comes with every summary, older ones are asked for. */
let tradePage = 0;
let lastSummary: SummaryAnswer | undefined;

function byId<Type extends HTMLElement = HTMLElement>(id: string): Type {
  return document.getElementById(id) as Type;
}

function renderTrades(page: TradesPage): void {
  fillTable('#recent-trades', TRADE_COLUMNS, page.trades);
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  byId('page-info').textContent = `page ${page.page + 1} of ${pages} (${page.total} trades)`;
  byId<HTMLButtonElement>('newer').disabled = page.page === 0;
  byId<HTMLButtonElement>('older').disabled = page.page + 1 >= pages;
}

function renderHeader(summary: SummaryAnswer, currency: string): void {
  const { totals } = summary;
  document.querySelectorAll('.currency').forEach((node) => (node.textContent = currency));
  const pnl = byId('total-pnl');
  pnl.textContent = fixed(totals.netPnl, 2);
  pnl.className = tone(totals.netPnl);
  byId('total-trades').textContent = String(totals.trades);
  byId('hit-rate').textContent = totals.hitRate === null ? '–' : (totals.hitRate * 100).toFixed(1) + '%';
  byId('total-fees').textContent = fixed(totals.fees, 2);
  byId('notional').textContent =
    summary.units.notionalPerTrade === null
      ? 'varies'
      : `${fixed(summary.units.notionalPerTrade, 0)} ${currency}`;
  byId('open-count').textContent = String(totals.openPositions);
  byId('skipped').textContent =
    summary.skipped.length === 0
      ? ''
      : `${summary.skipped.length} corrupt ledger object(s) left out: ` +
        summary.skipped.map((skipped) => `${skipped.key} (${skipped.reason})`).join('; ');
  byId('quarantined').textContent =
    summary.quarantined.length === 0
      ? ''
      : `${summary.quarantined.length} ledger object(s) quarantined by the trader in the last hour (see paper/quarantine/): ` +
        summary.quarantined
          .map(
            (quarantined) =>
              `${quarantined.key} at ${new Date(quarantined.minuteMs).toISOString().slice(11, 16)}`,
          )
          .join('; ');
}

function render(summary: SummaryAnswer): void {
  lastSummary = summary;
  renderHeader(summary, summary.units.currency || 'quote currency');
  drawCumulative(summary.cumulative);
  drawBars(
    '#pnl-by-pair svg',
    summary.byPair,
    [{ key: 'netPnl', colour: (value) => (value >= 0 ? GAIN_COLOUR : LOSS_COLOUR) }],
    (value) => value.toFixed(2),
    false,
  );
  drawBars(
    '#trades-per-pair svg',
    summary.byPair,
    [
      { key: 'long', colour: () => LONG_COLOUR },
      { key: 'short', colour: () => SHORT_COLOUR },
    ],
    (value) => value.toFixed(0),
    true,
  );
  drawScatter(summary.scatter);
  fillTable('#latest', LATEST_COLUMNS, summary.latest ? summary.latest.predictions : []);
  fillTable('#open-positions', OPEN_POSITION_COLUMNS, summary.openPositions);
  fillTable('#daily', DAY_COLUMNS, [...summary.daily].reverse());
  fillTable('#spreads', SPREAD_COLUMNS, [...summary.spreads.perPair, summary.spreads.overall]);
  fillTable('#ticks', TICK_COLUMNS, summary.recentTicks);
  if (tradePage === 0)
    renderTrades({
      page: 0,
      pageSize: TRADES_PAGE_SIZE,
      total: summary.totals.trades,
      trades: summary.recentTrades,
    });
  else void loadTradePage(tradePage);
  const span = summary.span
    ? `${minute(summary.span.fromMs)} → ${minute(summary.span.toMs)}`
    : 'no ticks yet';
  byId('status').textContent =
    `${span} · updated ${new Date(summary.generatedAtMs).toISOString().slice(11, 19)}Z` +
    (summary.ledgerError ? ` · cannot read the ledger now: ${summary.ledgerError}` : '');
}

async function getJson<Answer>(url: string): Promise<Answer> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as Answer;
}

function loadTradePage(page: number): Promise<void> {
  return getJson<TradesPage>(`/api/trades?page=${page}&pageSize=${TRADES_PAGE_SIZE}`).then(renderTrades);
}

byId('older').addEventListener('click', () => {
  tradePage++;
  void loadTradePage(tradePage);
});
byId('newer').addEventListener('click', () => {
  tradePage = Math.max(0, tradePage - 1);
  if (tradePage === 0 && lastSummary) render(lastSummary);
  else void loadTradePage(tradePage);
});

function refresh(): void {
  getJson<SummaryAnswer>('/api/summary')
    .then(render)
    .catch((error: unknown) => {
      byId('status').textContent =
        `cannot read the ledger: ${error instanceof Error ? error.message : String(error)}`;
    })
    .then(() => setTimeout(refresh, REFRESH_MS));
}
refresh();

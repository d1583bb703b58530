/**
 * The dashboard's view of the ledger, kept up to date incrementally: closed trades are created once and
 * never rewritten, so each is read once and kept; a refresh lists the trade ids, reads only the new ones,
 * and re-reads the few things that change (open positions, the latest decision, recent ticks). The
 * snapshot carries a version string that changes whenever any of those does, so the server can cache its
 * aggregates by it. A corrupt object is skipped and reported, never fatal: one bad file must not take
 * the dashboard down.
 */
import type { ObjectStore } from '../../store/object-store.js';
import { MINUTE_MS } from '../../time.js';
import { Ledger, type CorruptObject } from '../ledger.js';
import type { Decision, Position, TickOutcome, Trade } from '../records.js';
import { WriteOnceCache } from './write-once-cache.js';

const READS_IN_FLIGHT = 64;
/** Tick outcomes shown: the last hour's worth. */
const RECENT_TICKS_MS = 60 * MINUTE_MS;

export interface LedgerSnapshot {
  version: string;
  /** Closed trades ordered by exit minute, then pair. */
  trades: Trade[];
  openPositions: Position[];
  ticks: TickOutcome[];
  latestDecision: Decision | undefined;
  span: { fromMs: number; toMs: number } | undefined;
  skipped: CorruptObject[];
}

export class LedgerView {
  private readonly ledger: Ledger;
  private readonly tradesById = new Map<string, Trade>();
  private sortedTrades: Trade[] = [];

  constructor(store: ObjectStore) {
    this.ledger = new Ledger(new WriteOnceCache(store), { onCorrupt: 'skip' });
  }

  async snapshot(): Promise<LedgerSnapshot> {
    const [tradeIds, openPositions, span] = await Promise.all([
      this.ledger.listTradeIds(),
      this.ledger.openPositions(),
      this.ledger.tickSpan(),
    ]);
    const unseen = tradeIds.filter((id) => !this.tradesById.has(id));
    let added = 0;
    // a bounded number of reads in flight: the first look at a year's ledger reads 100,000 objects
    for (let start = 0; start < unseen.length; start += READS_IN_FLIGHT) {
      const read = await Promise.all(
        unseen.slice(start, start + READS_IN_FLIGHT).map((id) => this.ledger.getTrade(id)),
      );
      for (const trade of read) {
        if (trade === undefined) continue;
        this.tradesById.set(trade.tradeId, trade);
        added++;
      }
    }
    if (added > 0) {
      this.sortedTrades = [...this.tradesById.values()].sort(
        (a, b) => a.exitTimeMs - b.exitTimeMs || a.symbol.localeCompare(b.symbol),
      );
    }
    const [ticks, latestDecision] = await Promise.all([
      span ? this.ledger.listTicks(span.toMs - RECENT_TICKS_MS, span.toMs) : [],
      span ? this.ledger.getDecision(span.toMs - MINUTE_MS) : undefined,
    ]);
    const skipped = this.ledger.takeCorrupt();
    const version = [
      this.sortedTrades.length,
      openPositions.map((position) => position.tradeId).join(','),
      span ? `${span.fromMs}-${span.toMs}` : '',
      latestDecision?.minuteMs ?? '',
      skipped.map((object) => object.key).join(','),
    ].join('|');
    return { version, trades: this.sortedTrades, openPositions, ticks, latestDecision, span, skipped };
  }
}

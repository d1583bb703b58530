/**
 * The dashboard's view of the ledger, kept up to date incrementally and without listing the big folders
 * on every look: a year of trading is 525,600 tick outcomes and 100,000 trades, folders far too big to
 * list once a second (a local folder is read whole for any prefix; on S3 it is hundreds of requests).
 *
 * The first look reads the ledger from scratch. Every later look follows the ledger by key, the way the
 * tick writes it: a tick records its outcome last, after its decision's entries were opened and its due
 * positions closed, so
 *   1. new minutes are found by reading the outcomes after the newest one seen;
 *   2. every position a new minute opened (its decision's entries, and those of the earlier minutes it
 *      repaired) is a trade to come, and so is every position seen open;
 *   3. such a candidate that is no longer open has closed, and its trade is read by id.
 * A position is always in positions/ or trades/ (the trade is written before the position is deleted)
 * and positions are listed after the outcomes are read, so no trade the ticks write is missed. Ticks
 * after a gap (an outage) cannot be found by key, and a trade written by anything but a tick would not
 * be either: a look that finds no new minute lists the trades and outcomes, at most once per
 * `reconcileMs`. Closed trades, decisions and outcomes are created once and never rewritten, so each is
 * read once and kept. A corrupt object is skipped and reported, never fatal: one bad file must not take
 * the dashboard down.
 *
 * After a restart, the days the ledger compaction rolled into Parquet are counted from their stored
 * summaries (day-summary.ts: exact totals, checked against the day file's bytes), not decoded: a year of
 * trading is 365 small summaries instead of 100,000 trade objects or Parquet rows. Only the newest day
 * files are decoded, as far as the newest NEWEST_TRADES trades need; the rest when a page of older
 * trades is asked for (`allTrades`). A day without a usable summary is decoded, and its summary written
 * again (best effort: a read-only store keeps decoding it).
 */
import { PAPER_PREFIX } from '../../contracts/keys.js';
import type { ObjectStore } from '../../store/object-store.js';
import { MINUTE_MS } from '../../time.js';
import {
  compactedDayFromKey,
  compactedTablePrefix,
  Ledger,
  minuteFromKey,
  type CorruptObject,
} from '../ledger.js';
import type { Decision, Position, TickOutcome, Trade } from '../records.js';
import { daySummaryBytes, daySummaryKey, decodeDayTrades, readDaySummary } from './day-summary.js';
import { TradeTotals } from './trade-totals.js';
import { WriteOnceCache } from './write-once-cache.js';

const READS_IN_FLIGHT = 64;
/** The newest trades every snapshot holds: what a summary shows of single trades (its scatter). */
export const NEWEST_TRADES = 500;
/** Compacted day files (a few hundred KiB each) read at once on the first look. */
const DAY_FILES_IN_FLIGHT = 8;
/** Tick outcomes shown: the last hour's worth. */
const RECENT_TICKS_MS = 60 * MINUTE_MS;
/** Minutes after the newest outcome read per probe. */
const PROBE_MINUTES = 16;
/** Every look lists the ledger when this many times `reconcileMs` has passed since the last listing. */
const RECONCILE_ALWAYS_FACTOR = 10;
/**
 * A candidate neither open nor closed this long after its exit (a lost or quarantined object) is
 * dropped; a day covers the tick's repair window.
 */
const CANDIDATE_GRACE_MS = 24 * 60 * MINUTE_MS;

type Span = { fromMs: number; toMs: number };
/** A compacted day counted from its summary, its trades not decoded yet. */
type PendingDay = { key: string; bytes: Uint8Array; maxExitTimeMs: number };
/** What a look found: the span, and the positions (trade id, exit minute) its new minutes opened. */
type Followed = {
  span: Span | undefined;
  entries: (readonly [string, number])[];
  /** Whether this look lists every trade id too (the first look, and reconciling ones). */
  listTrades: boolean;
};

export interface LedgerSnapshot {
  version: string;
  /**
   * Closed trades ordered by exit minute, then pair: at least the newest NEWEST_TRADES of them (the
   * view's `allTrades` has every one).
   */
  trades: Trade[];
  /** The view's running totals of every closed trade; summarise them before the view's next look. */
  totals: TradeTotals;
  openPositions: Position[];
  ticks: TickOutcome[];
  latestDecision: Decision | undefined;
  span: { fromMs: number; toMs: number } | undefined;
  skipped: CorruptObject[];
}

export interface LedgerViewOptions {
  /**
   * A look that finds no new minute lists the trades and outcomes at most this often (ticks after a gap
   * cannot be found by key); every look lists them when ten times this has passed.
   */
  reconcileMs?: number;
  clock?: () => number;
}

export class LedgerView {
  private readonly ledger: Ledger;
  private readonly reconcileMs: number;
  private readonly clock: () => number;
  private readonly tradesById = new Map<string, Trade>();
  private sortedTrades: Trade[] = [];
  private readonly totals = new TradeTotals();
  /** Trades counted from compacted days' summaries (decoded or not). */
  private readonly summarisedIds = new Set<string>();
  /** Ordered by latest exit. */
  private pendingDays: PendingDay[] = [];
  /** Trades to come, by id, with their exit minute. */
  private readonly candidates = new Map<string, number>();
  private readonly corruptTrades = new Map<string, CorruptObject>();
  /** First and last ticked minute as of the last complete look; undefined before it (or any tick). */
  private span: Span | undefined;
  private lastListingMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: ObjectStore,
    options: LedgerViewOptions = {},
  ) {
    this.ledger = new Ledger(new WriteOnceCache(store), { onCorrupt: 'skip' });
    this.reconcileMs = options.reconcileMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
  }

  async snapshot(): Promise<LedgerSnapshot> {
    const startedMs = this.clock();
    const followed = this.span === undefined ? await this.readSpan() : await this.follow(this.span);
    for (const [id, exitTimeMs] of followed.entries) this.candidates.set(id, exitTimeMs);
    // listed after the outcomes were read: every entry those opened is open now or closed already
    const openPositions = await this.ledger.openPositions();
    const open = new Set(openPositions.map((position) => position.tradeId));
    for (const position of openPositions) this.candidates.set(position.tradeId, position.exitTimeMs);
    // listed after the positions: a position closed in between is in one of the two listings
    if (followed.listTrades) await this.readTrades(await this.ledger.listTradeIds());
    const { span } = followed;
    await this.readClosedCandidates(open, span);
    await this.decodeNewestDays();

    const [ticks, latestDecision] = await Promise.all([
      span ? this.recentTicks(span.toMs) : [],
      span ? this.ledger.getDecision(span.toMs - MINUTE_MS) : undefined,
    ]);
    const skipped = this.takeSkipped();
    // only a look that read everything moves the view on; a failed one is looked at again
    this.span = span;
    if (followed.listTrades) this.lastListingMs = startedMs;
    const version = [
      this.totals.count,
      [...open].join(','),
      span ? `${span.fromMs}-${span.toMs}` : '',
      latestDecision?.minuteMs ?? '',
      skipped.map((object) => object.key).join(','),
    ].join('|');
    const { sortedTrades: trades, totals } = this;
    return { version, trades, totals, openPositions, ticks, latestDecision, span, skipped };
  }

  /** Every closed trade seen, in exit order: the compacted days not decoded yet are decoded now. */
  async allTrades(): Promise<Trade[]> {
    const pending = this.pendingDays;
    this.pendingDays = [];
    const decoded = await Promise.all(pending.map((day) => this.decodeSummarised(day)));
    this.addSorted(decoded.flat());
    return this.sortedTrades;
  }

  /**
   * The first look (or one before any tick): everything listed. Compacted days are counted from their
   * summaries (or decoded, see readCompactedDays); only the trades those do not hold are read as JSON
   * (the days since the last compaction, and any record that reached a day after it).
   */
  private async readSpan(): Promise<Followed> {
    if (this.totals.count === 0) await this.readCompactedDays();
    return { span: await this.ledger.tickSpan(), entries: [], listTrades: true };
  }

  private known(tradeId: string): boolean {
    return this.tradesById.has(tradeId) || this.summarisedIds.has(tradeId);
  }

  /**
   * Each day file's trades counted from its summary when the summary checks out against the file,
   * otherwise decoded, and the summary written again. A damaged or
   * unreadable day file is reported and left out: its trades are then read as JSON.
   */
  private async readCompactedDays(): Promise<void> {
    const keys = (await this.store.list(compactedTablePrefix('trades'))).filter(
      (key) => compactedDayFromKey(key) !== undefined,
    );
    const decoded: Trade[] = [];
    for (let start = 0; start < keys.length; start += DAY_FILES_IN_FLIGHT) {
      const batch = keys.slice(start, start + DAY_FILES_IN_FLIGHT);
      const files = await Promise.all(
        batch.map(async (key) => {
          const dayMs = compactedDayFromKey(key)!;
          const summaryKey = daySummaryKey(dayMs);
          const [bytes, summary] = await Promise.all([this.store.get(key), this.store.get(summaryKey)]);
          return { key, dayMs, summaryKey, bytes, summary };
        }),
      );
      for (const { key, dayMs, summaryKey, bytes, summary } of files) {
        if (bytes === undefined) continue;
        // a usable summary counts only trades entered on its day, which no other day counts
        const read = readDaySummary(summary, bytes, dayMs);
        if ('summary' in read) {
          const { tradeIds, maxExitTimeMs, totals } = read.summary;
          this.totals.merge(totals);
          for (const id of tradeIds) this.summarisedIds.add(id);
          if (maxExitTimeMs !== null) this.pendingDays.push({ key, bytes, maxExitTimeMs });
          continue;
        }
        const trades = await this.decodeDayFile(key, bytes);
        if (trades === undefined) continue;
        for (const trade of trades) {
          if (this.known(trade.tradeId)) continue;
          this.tradesById.set(trade.tradeId, trade);
          decoded.push(trade);
        }
        if ('problem' in read)
          await this.store.put(summaryKey, daySummaryBytes(bytes, trades)).catch(() => undefined);
      }
    }
    for (const trade of decoded) this.totals.add(trade);
    this.pendingDays.sort((a, b) => a.maxExitTimeMs - b.maxExitTimeMs);
    this.addSorted(decoded);
  }

  private async decodeDayFile(key: string, bytes: Uint8Array): Promise<Trade[] | undefined> {
    const decoded = await decodeDayTrades(bytes);
    if ('trades' in decoded) return decoded.trades;
    this.corruptTrades.set(key, { key, reason: decoded.problem });
    return undefined;
  }

  /**
   * Decodes the summarised days with the latest exits until the newest NEWEST_TRADES trades (what a
   * summary shows) are all decoded: every day file left holds only trades that exit before them.
   */
  private async decodeNewestDays(): Promise<void> {
    for (;;) {
      const day = this.pendingDays.at(-1);
      if (day === undefined || this.tradesExitingAfter(day.maxExitTimeMs) >= NEWEST_TRADES) return;
      this.pendingDays.pop();
      this.addSorted(await this.decodeSummarised(day));
    }
  }

  /** The trades of a summarised day file: the bytes its summary was checked against, so the same trades. */
  private async decodeSummarised(day: PendingDay): Promise<Trade[]> {
    const trades = (await this.decodeDayFile(day.key, day.bytes)) ?? [];
    const added = trades.filter((trade) => !this.tradesById.has(trade.tradeId));
    for (const trade of added) this.tradesById.set(trade.tradeId, trade);
    return added;
  }

  private tradesExitingAfter(timeMs: number): number {
    let count = 0;
    for (let index = this.sortedTrades.length - 1; index >= 0; index--) {
      if (this.sortedTrades[index]!.exitTimeMs <= timeMs || count >= NEWEST_TRADES) break;
      count++;
    }
    return count;
  }

  /**
   * A new array: earlier snapshots (still served) keep theirs. New trades mostly belong at the end, and
   * the sort of an almost sorted array is close to linear.
   */
  private addSorted(trades: readonly Trade[]): void {
    if (trades.length > 0) this.sortedTrades = [...this.sortedTrades, ...trades].sort(byExit);
  }

  /** A later look: the outcomes after the newest seen, and the positions their minutes opened. */
  private async follow(span: Span): Promise<Followed> {
    const outcomes = await this.probeNewOutcomes(span.toMs);
    const sinceListingMs = this.clock() - this.lastListingMs;
    const listTrades =
      (outcomes.length === 0 && sinceListingMs >= this.reconcileMs) ||
      sinceListingMs >= RECONCILE_ALWAYS_FACTOR * this.reconcileMs;
    if (listTrades) {
      const probed = new Set(outcomes.map((outcome) => outcome.minuteMs));
      for (const outcome of await this.listNewOutcomes(span.toMs))
        if (!probed.has(outcome.minuteMs)) outcomes.push(outcome);
    }
    if (outcomes.length === 0) return { span, entries: [], listTrades };
    const newestMs = Math.max(...outcomes.map((outcome) => outcome.minuteMs));
    const decisionMinutes = new Set(
      outcomes.flatMap((outcome) => [outcome.minuteMs, ...outcome.reconciledMinutesMs]),
    );
    const decisions = await Promise.all(
      [...decisionMinutes].map((minuteMs) => this.ledger.getDecision(minuteMs)),
    );
    return {
      listTrades,
      span: { fromMs: span.fromMs, toMs: Math.max(span.toMs, newestMs + MINUTE_MS) },
      entries: decisions.flatMap((decision) =>
        (decision?.entries ?? []).map((entry) => [entry.tradeId, entry.exitTimeMs] as const),
      ),
    };
  }

  /** Outcomes of the minutes after `afterMs`, read by key while they keep coming. */
  private async probeNewOutcomes(afterMs: number): Promise<TickOutcome[]> {
    const found: TickOutcome[] = [];
    for (let fromMs = afterMs; ;) {
      const window = Array.from({ length: PROBE_MINUTES }, (_, i) => fromMs + i * MINUTE_MS);
      const read = (await Promise.all(window.map((minuteMs) => this.ledger.getTick(minuteMs)))).filter(
        (outcome) => outcome !== undefined,
      );
      found.push(...read);
      // a full window may go on; a partial one ends where the ticks end (or at a gap, see reconcileMs)
      if (read.length === 0 || read.at(-1)!.minuteMs !== window.at(-1)) return found;
      fromMs = window.at(-1)! + MINUTE_MS;
    }
  }

  /** Outcomes after the newest seen, by listing: the ticks after a gap (an outage) cannot be probed for. */
  private async listNewOutcomes(afterMs: number): Promise<TickOutcome[]> {
    const keys = await this.ledger.keysInRange('ticks', afterMs, Number.POSITIVE_INFINITY);
    const read = await Promise.all(keys.map((key) => this.ledger.getTick(minuteFromKey(key))));
    return read.filter((outcome) => outcome !== undefined);
  }

  /** Reads the trades of candidates no longer open; drops those found, and those long lost. */
  private async readClosedCandidates(open: Set<string>, span: Span | undefined): Promise<void> {
    const closed = [...this.candidates.keys()].filter((id) => !open.has(id) && !this.known(id));
    await this.readTrades(closed);
    const newestMs = span?.toMs ?? Number.NEGATIVE_INFINITY;
    for (const [id, exitTimeMs] of this.candidates)
      if (this.known(id) || (!open.has(id) && exitTimeMs + CANDIDATE_GRACE_MS < newestMs))
        this.candidates.delete(id);
  }

  /** Reads trades by id with a bounded number of reads in flight, counts them, keeps them in exit order. */
  private async readTrades(allIds: readonly string[]): Promise<void> {
    // trades known already (from a compacted day, or an earlier look) are never read again
    const ids = allIds.filter((id) => !this.known(id));
    const added: Trade[] = [];
    for (let start = 0; start < ids.length; start += READS_IN_FLIGHT) {
      const read = await Promise.all(
        ids.slice(start, start + READS_IN_FLIGHT).map((id) => this.ledger.getTrade(id)),
      );
      for (const trade of read) {
        if (trade === undefined || this.known(trade.tradeId)) continue;
        this.tradesById.set(trade.tradeId, trade);
        this.totals.add(trade);
        added.push(trade);
      }
    }
    this.addSorted(added);
  }

  private async recentTicks(toMs: number): Promise<TickOutcome[]> {
    const minutes = Array.from({ length: RECENT_TICKS_MS / MINUTE_MS }, (_, i) => toMs - (i + 1) * MINUTE_MS);
    const read = await Promise.all(minutes.map((minuteMs) => this.ledger.getTick(minuteMs)));
    return read.filter((outcome) => outcome !== undefined).reverse();
  }

  /**
   * Corrupt trades are read once (the first look reads every trade), so they are remembered and reported
   * on every look; the other kinds are read again on every look that needs them.
   */
  private takeSkipped(): CorruptObject[] {
    const now: CorruptObject[] = [];
    for (const object of this.ledger.takeCorrupt()) {
      if (object.key.startsWith(`${PAPER_PREFIX}trades/`)) this.corruptTrades.set(object.key, object);
      else now.push(object);
    }
    return [...this.corruptTrades.values(), ...now];
  }
}

function byExit(a: Trade, b: Trade): number {
  return a.exitTimeMs - b.exitTimeMs || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);
}

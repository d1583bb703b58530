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
 * After a restart, the trades of days the ledger compaction rolled into Parquet are read from those day
 * files: a year of trading is 365 reads instead of 100,000.
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
import { tradesFromParquet } from '../ledger-parquet.js';
import { tradeSchema, type Decision, type Position, type TickOutcome, type Trade } from '../records.js';
import { WriteOnceCache } from './write-once-cache.js';

const READS_IN_FLIGHT = 64;
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
/** What a look found: the span, and the positions (trade id, exit minute) its new minutes opened. */
type Followed = {
  span: Span | undefined;
  entries: (readonly [string, number])[];
  /** Whether this look lists every trade id too (the first look, and reconciling ones). */
  listTrades: boolean;
};

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

    const [ticks, latestDecision] = await Promise.all([
      span ? this.recentTicks(span.toMs) : [],
      span ? this.ledger.getDecision(span.toMs - MINUTE_MS) : undefined,
    ]);
    const skipped = this.takeSkipped();
    // only a look that read everything moves the view on; a failed one is looked at again
    this.span = span;
    if (followed.listTrades) this.lastListingMs = startedMs;
    const version = [
      this.sortedTrades.length,
      [...open].join(','),
      span ? `${span.fromMs}-${span.toMs}` : '',
      latestDecision?.minuteMs ?? '',
      skipped.map((object) => object.key).join(','),
    ].join('|');
    return { version, trades: this.sortedTrades, openPositions, ticks, latestDecision, span, skipped };
  }

  /**
   * The first look (or one before any tick): everything listed. The trades of compacted days come from
   * their day files (one read per day, not one per trade); only the trades those do not hold are read
   * as JSON (the days since the last compaction, and any record that reached a day after it).
   */
  private async readSpan(): Promise<Followed> {
    if (this.tradesById.size === 0) await this.readCompactedTrades();
    return { span: await this.ledger.tickSpan(), entries: [], listTrades: true };
  }

  /** A damaged or unreadable day file is reported and left out: its trades are then read as JSON. */
  private async readCompactedTrades(): Promise<void> {
    const keys = (await this.store.list(compactedTablePrefix('trades'))).filter(
      (key) => compactedDayFromKey(key) !== undefined,
    );
    for (let start = 0; start < keys.length; start += DAY_FILES_IN_FLIGHT) {
      await Promise.all(
        keys.slice(start, start + DAY_FILES_IN_FLIGHT).map(async (key) => {
          const bytes = await this.store.get(key);
          const trades = bytes === undefined ? [] : await this.decodeDayFile(key, bytes);
          for (const trade of trades)
            if (!this.tradesById.has(trade.tradeId)) this.tradesById.set(trade.tradeId, trade);
        }),
      );
    }
    this.sortedTrades = [...this.tradesById.values()].sort(byExit);
  }

  private async decodeDayFile(key: string, bytes: Uint8Array): Promise<Trade[]> {
    let rows: Record<string, unknown>[];
    try {
      rows = await tradesFromParquet(bytes);
    } catch (error) {
      this.corruptTrades.set(key, { key, reason: `does not decode: ${String(error)}` });
      return [];
    }
    const trades: Trade[] = [];
    for (const row of rows) {
      const parsed = tradeSchema.safeParse(row);
      if (!parsed.success) {
        this.corruptTrades.set(key, {
          key,
          reason: `holds a row that is no trade: ${parsed.error.issues[0]!.message}`,
        });
        return [];
      }
      trades.push(parsed.data);
    }
    return trades;
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
    const closed = [...this.candidates.keys()].filter((id) => !open.has(id) && !this.tradesById.has(id));
    await this.readTrades(closed);
    const newestMs = span?.toMs ?? Number.NEGATIVE_INFINITY;
    for (const [id, exitTimeMs] of this.candidates)
      if (this.tradesById.has(id) || (!open.has(id) && exitTimeMs + CANDIDATE_GRACE_MS < newestMs))
        this.candidates.delete(id);
  }

  /** Reads trades by id with a bounded number of reads in flight, and keeps them in exit order. */
  private async readTrades(allIds: readonly string[]): Promise<void> {
    // trades known already (from a compacted day, or an earlier look) are never read again
    const ids = allIds.filter((id) => !this.tradesById.has(id));
    const added: Trade[] = [];
    for (let start = 0; start < ids.length; start += READS_IN_FLIGHT) {
      const read = await Promise.all(
        ids.slice(start, start + READS_IN_FLIGHT).map((id) => this.ledger.getTrade(id)),
      );
      for (const trade of read) {
        if (trade === undefined || this.tradesById.has(trade.tradeId)) continue;
        this.tradesById.set(trade.tradeId, trade);
        added.push(trade);
      }
    }
    // a new array: earlier snapshots (still served) keep theirs. New trades mostly belong at the end,
    // and the sort of an almost sorted array is close to linear.
    if (added.length > 0) this.sortedTrades = [...this.sortedTrades, ...added].sort(byExit);
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

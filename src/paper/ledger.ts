/**
 * The paper-trading ledger on the ObjectStore: the source of truth for positions, trades,
 * per-minute decisions (with their predictions) and tick outcomes. Every write is idempotent: keys
 * derive from the minute and the pair, decisions and closed trades are created with putIfAbsent, so a
 * duplicate, concurrent or repeated tick can rewrite nothing it should not.
 *
 *   paper/decisions/<minute>.json    one per decision minute, created once
 *   paper/positions/<tradeId>.json   open positions; deleted after the trade is recorded
 *   paper/trades/<tradeId>.json      closed trades, created once
 *   paper/ticks/<minute>.json        tick outcomes, written last
 *   paper/quarantine/<key>           corrupt objects moved aside, with <key>.reason.json beside them
 *   paper/curated/<kind>/day=<YYYY-MM-DD>/part.parquet   finished days of trades and decisions, rolled
 *                                    up for query engines (src/app/compact-ledger.ts); the JSON stays
 *                                    the source of truth
 *
 * `<minute>` is `YYYY-MM-DDTHHmmZ`: sortable as text, and a day is a key prefix (listing a range never
 * walks the whole history). A trade id is `<entry minute>-<SYMBOL>`.
 */
import { z } from 'zod';
import { PAPER_CURATED_PREFIX, PAPER_PREFIX } from '../contracts/keys.js';
import { SYMBOL_PATTERN } from '../contracts/symbols.js';
import { Alpha15Error } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { DAY_MS, MINUTE_MS } from '../time.js';
import {
  decisionSchema,
  positionSchema,
  tickOutcomeSchema,
  tradeSchema,
  type Decision,
  type Position,
  type TickOutcome,
  type Trade,
} from './records.js';

export class CorruptLedgerObjectError extends Alpha15Error {
  readonly code = 'CORRUPT_LEDGER_OBJECT';
  constructor(key: string, reason: string) {
    super(
      `ledger object ${key} is invalid: ${reason}`,
      'inspect or delete that object; the ledger keeps every other record',
    );
  }
}

/** The ledger kinds compacted into Parquet, one table each. */
export const COMPACTED_KINDS = ['trades', 'decisions'] as const;
export type CompactedKind = (typeof COMPACTED_KINDS)[number];

/** A table of compacted days: `paper/curated/<kind>/day=<YYYY-MM-DD>/part.parquet`. */
export function compactedTablePrefix(kind: CompactedKind): string {
  return `${PAPER_CURATED_PREFIX}${kind}/`;
}

export const COMPACTED_FILE_NAME = 'part.parquet';

export function compactedDayKey(kind: CompactedKind, dayStartMs: number): string {
  return `${compactedDayFolder(kind, dayId(dayStartMs))}${COMPACTED_FILE_NAME}`;
}

/** The folder of one compacted day; the Glue catalog's location template is this with a placeholder. */
export function compactedDayFolder(kind: CompactedKind, day: string): string {
  return `${compactedTablePrefix(kind)}day=${day}/`;
}

/** The UTC day of a compacted key, or undefined for any other key. */
export function compactedDayFromKey(key: string): number | undefined {
  const match = /\/day=(\d{4}-\d{2}-\d{2})\/[^/]+\.parquet$/.exec(key);
  return match ? Date.parse(`${match[1]}T00:00:00Z`) : undefined;
}

/** A UTC day as YYYY-MM-DD. */
export function dayId(dayStartMs: number): string {
  return new Date(dayStartMs).toISOString().slice(0, 10);
}
/** Ranges up to this many days are listed one day prefix at a time. */
const MAX_DAYS_LISTED_SEPARATELY = 31;

export function minuteKey(timeMs: number): string {
  const iso = new Date(timeMs).toISOString();
  return `${iso.slice(0, 11)}${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

export function minuteFromKey(key: string): number {
  const match = /(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})Z/.exec(key);
  if (!match) throw new CorruptLedgerObjectError(key, 'its name holds no minute');
  return Date.parse(`${match[1]}T${match[2]}:${match[3]}:00Z`);
}

export function tradeIdOf(symbol: string, entryTimeMs: number): string {
  return `${minuteKey(entryTimeMs)}-${symbol}`;
}

export type LedgerKind = 'decisions' | 'positions' | 'trades' | 'ticks';

/** A ledger object that did not parse, and why. */
export interface CorruptObject {
  key: string;
  reason: string;
}

/**
 * What a read does with a corrupt object: 'throw' (the default, for tools that must not guess),
 * 'quarantine' (the trader: move it under paper/quarantine/ and carry on without it, so one bad object
 * cannot stop every later tick) or 'skip' (read-only viewers: leave it, report it, carry on).
 */
export type CorruptPolicy = 'throw' | 'quarantine' | 'skip';

export interface LedgerOptions {
  /** Key prefix, with its trailing slash (default PAPER_PREFIX, `paper/`). */
  prefix?: string;
  onCorrupt?: CorruptPolicy;
  /** Time stamped on quarantine reasons. */
  clock?: () => number;
}

export class Ledger {
  private readonly prefix: string;
  private readonly onCorrupt: CorruptPolicy;
  private readonly clock: () => number;
  private corrupt: CorruptObject[] = [];

  constructor(
    readonly store: ObjectStore,
    options: LedgerOptions = {},
  ) {
    this.prefix = options.prefix ?? PAPER_PREFIX;
    this.onCorrupt = options.onCorrupt ?? 'throw';
    this.clock = options.clock ?? Date.now;
  }

  /** The corrupt objects met (and, under 'quarantine', moved aside) since the last call. */
  takeCorrupt(): CorruptObject[] {
    const taken = this.corrupt;
    this.corrupt = [];
    return taken;
  }

  /** True when this call created the minute's decision; false when one already existed. */
  createDecision(decision: Decision): Promise<boolean> {
    return this.store.putIfAbsent(
      this.key('decisions', minuteKey(decision.minuteMs)),
      JSON.stringify(decision),
    );
  }

  getDecision(minuteMs: number): Promise<Decision | undefined> {
    return this.read(this.key('decisions', minuteKey(minuteMs)), decisionSchema);
  }

  listDecisions(fromMs: number, toMs: number): Promise<Decision[]> {
    return this.readRange('decisions', fromMs, toMs, decisionSchema);
  }

  /** Opens a position unless it is open already; true when this call opened it. */
  openPosition(position: Position): Promise<boolean> {
    return this.store.putIfAbsent(this.key('positions', position.tradeId), JSON.stringify(position));
  }

  /**
   * The open positions. One whose file name, trade id, symbol and entry minute disagree is corrupt: it
   * could never be closed (the close writes and deletes by trade id) and a symbol or id of path
   * characters would make every close fail.
   */
  async openPositions(): Promise<Position[]> {
    const prefix = `${this.prefix}positions/`;
    const keys = await this.store.list(prefix);
    return this.readAll(keys, positionSchema, (position, key) =>
      positionProblem(position, key.slice(prefix.length, -'.json'.length)),
    );
  }

  /**
   * Moves an open position aside (under quarantine/, with the reason) when it cannot be closed at all,
   * e.g. its pair is no longer listed: the rest of the ledger keeps trading, and the position is
   * reported with the corrupt objects (the tick's alarm and the dashboard show it).
   */
  async setAside(position: Position, reason: string): Promise<void> {
    const key = this.key('positions', position.tradeId);
    const bytes = await this.store.get(key);
    if (bytes === undefined) return;
    await this.quarantine(key, bytes, reason);
    this.corrupt.push({ key, reason });
  }

  /**
   * Records the closed trade (once, whoever gets there first) and then removes the open position.
   * A crash in between leaves both; the next close of that position finds the trade and only removes
   * the position, so the trade is never counted twice. True when this call recorded the trade.
   */
  async closePosition(trade: Trade): Promise<boolean> {
    const created = await this.store.putIfAbsent(this.key('trades', trade.tradeId), JSON.stringify(trade));
    await this.store.delete(this.key('positions', trade.tradeId));
    return created;
  }

  getTrade(tradeId: string): Promise<Trade | undefined> {
    return this.read(this.key('trades', tradeId), tradeSchema);
  }

  /** Ids of every closed trade, in key order (a viewer reads only the ones it has not seen). */
  async listTradeIds(): Promise<string[]> {
    const prefix = `${this.prefix}trades/`;
    return (await this.store.list(prefix)).map((key) => key.slice(prefix.length, -'.json'.length));
  }

  /** Closed trades whose entry minute lies in [fromMs, toMs); bounds may be infinite. */
  listTrades(fromMs: number, toMs: number): Promise<Trade[]> {
    return this.readRange('trades', fromMs, toMs, tradeSchema);
  }

  /** Writes the minute's outcome unless one exists (the first finished tick of a minute is the record). */
  recordTick(outcome: TickOutcome): Promise<boolean> {
    return this.store.putIfAbsent(this.key('ticks', minuteKey(outcome.minuteMs)), JSON.stringify(outcome));
  }

  getTick(minuteMs: number): Promise<TickOutcome | undefined> {
    return this.read(this.key('ticks', minuteKey(minuteMs)), tickOutcomeSchema);
  }

  listTicks(fromMs: number, toMs: number): Promise<TickOutcome[]> {
    return this.readRange('ticks', fromMs, toMs, tickOutcomeSchema);
  }

  /** Minutes in [fromMs, toMs) with a decision but no tick outcome: ticks that did not finish. */
  async unfinishedMinutes(fromMs: number, toMs: number): Promise<number[]> {
    const [decisions, ticks] = await Promise.all([
      this.keysInRange('decisions', fromMs, toMs),
      this.keysInRange('ticks', fromMs, toMs),
    ]);
    const finished = new Set(ticks.map(minuteFromKey));
    return decisions.map(minuteFromKey).filter((minuteMs) => !finished.has(minuteMs));
  }

  /** The first and last minute any tick recorded, for a UI or a reindex without bounds. */
  async tickSpan(): Promise<{ fromMs: number; toMs: number } | undefined> {
    const keys = await this.store.list(`${this.prefix}ticks/`);
    if (keys.length === 0) return undefined;
    return { fromMs: minuteFromKey(keys[0]!), toMs: minuteFromKey(keys.at(-1)!) + MINUTE_MS };
  }

  private key(kind: LedgerKind, name: string): string {
    return `${this.prefix}${kind}/${name}.json`;
  }

  /** Keys of one kind whose minute lies in [fromMs, toMs), listing one day prefix at a time. */
  async keysInRange(kind: LedgerKind, fromMs: number, toMs: number): Promise<string[]> {
    const days: string[] = [];
    if (toMs - fromMs <= MAX_DAYS_LISTED_SEPARATELY * DAY_MS) {
      for (let dayMs = Math.floor(fromMs / DAY_MS) * DAY_MS; dayMs < toMs; dayMs += DAY_MS)
        days.push(minuteKey(dayMs).slice(0, 11));
    } else {
      days.push(''); // a long or open-ended range: one listing of the whole kind is cheaper
    }
    const listed = await Promise.all(days.map((day) => this.store.list(`${this.prefix}${kind}/${day}`)));
    return listed.flat().filter((key) => {
      const minuteMs = minuteFromKey(key);
      return minuteMs >= fromMs && minuteMs < toMs;
    });
  }

  private async readRange<T>(
    kind: LedgerKind,
    fromMs: number,
    toMs: number,
    schema: z.ZodType<T>,
  ): Promise<T[]> {
    return this.readAll(await this.keysInRange(kind, fromMs, toMs), schema);
  }

  private async readAll<T>(
    keys: string[],
    schema: z.ZodType<T>,
    problemOf?: (value: T, key: string) => string | undefined,
  ): Promise<T[]> {
    const records = await Promise.all(keys.map((key) => this.read(key, schema, problemOf)));
    // an object deleted between list and get (a position closed meanwhile) is simply gone
    return records.filter((record): record is Awaited<T> => record !== undefined) as T[];
  }

  private async read<T>(
    key: string,
    schema: z.ZodType<T>,
    problemOf?: (value: T, key: string) => string | undefined,
  ): Promise<T | undefined> {
    const bytes = await this.store.get(key);
    if (bytes === undefined) return undefined;
    let parsed = parseLedgerObject(bytes, schema);
    const problem = parsed.ok ? problemOf?.(parsed.value, key) : undefined;
    if (problem !== undefined) parsed = { ok: false, reason: problem };
    if (parsed.ok) return parsed.value;
    if (this.onCorrupt === 'throw') throw new CorruptLedgerObjectError(key, parsed.reason);
    if (this.onCorrupt === 'quarantine') await this.quarantine(key, bytes, parsed.reason);
    this.corrupt.push({ key, reason: parsed.reason });
    return undefined;
  }

  /**
   * Moves a corrupt object aside: its bytes and the reason first, the original last, so a crash in
   * between leaves the object where it was (the next read quarantines it again, overwriting the copy).
   */
  private async quarantine(key: string, bytes: Uint8Array, reason: string): Promise<void> {
    const target = `${this.prefix}quarantine/${key}`;
    await this.store.put(target, bytes);
    await this.store.put(
      `${target}.reason.json`,
      JSON.stringify({ key, reason, quarantinedAtMs: this.clock() }, null, 2),
    );
    await this.store.delete(key);
  }
}

/** Why a position read from `positions/<fileName>.json` cannot be the position it claims, if it cannot. */
function positionProblem(position: Position, fileName: string): string | undefined {
  if (!SYMBOL_PATTERN.test(position.symbol)) return `symbol "${position.symbol}" is not a symbol`;
  const expectedId = tradeIdOf(position.symbol, position.entryTimeMs);
  if (position.tradeId !== expectedId)
    return `tradeId "${position.tradeId}" is not its entry minute and symbol (${expectedId})`;
  if (fileName !== position.tradeId)
    return `its file name "${fileName}" is not its tradeId "${position.tradeId}"`;
  return undefined;
}

/** Parses a ledger object's bytes against its schema, or says in words why it does not parse. */
export function parseLedgerObject<T>(
  bytes: Uint8Array,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, reason: `${issue.path.join('.') || '(root)'}: ${issue.message}` };
}

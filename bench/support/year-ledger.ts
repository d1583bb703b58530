/**
 * A paper ledger shaped like a year of trading, written through the real `Ledger` API in the order the
 * tick writes it: every minute closes the positions that fell due, creates its decision (20 predictions
 * and the entries it opens), opens those positions, and records its tick outcome last. Fills follow the
 * default execution config ('nextOpen' at a book with a spread, slippage by pair class). Prices are a
 * smooth deterministic function of pair and minute, so any minute can be written again identically
 * (the bench keeps ticking past the year with the same code).
 *
 * The ledger is built once into a folder and reused: `bench-ledger.json` in it records the parameters
 * and is written last, so an interrupted build is started again rather than half used.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { closeTrade, scheduledExitFillMs } from '../../src/paper/close-trade.js';
import { Ledger, tradeIdOf } from '../../src/paper/ledger.js';
import type { Decision, Position, Quote } from '../../src/paper/records.js';
import { slippageRatePerSide, slippedPrice } from '../../src/strategy/execution.js';
import { LocalStore } from '../../src/store/local-store.js';
import { DAY_MS, MINUTE_MS } from '../../src/time.js';
import { tickOutcome } from '../../fixtures/tick-outcome.js';

export interface YearLedgerShape {
  symbols: readonly string[];
  /** Closed trades spread evenly over the ticked minutes. */
  trades: number;
  days: number;
  firstMinuteMs: number;
  horizonMinutes: number;
}

const MODEL_ID = '20250101T000000Z-bench0';
const config = configSchema.parse({});
const MARKER = 'bench-ledger.json';
/** Ledger writes in flight while building. */
const WRITES_IN_FLIGHT = 128;
/** Minutes written per step: decisions and entries first, then due exits, then tick outcomes. */
const MINUTES_PER_STEP = 240;

/** A cheap, repeatable uniform number in [0, 1) for a pair and a minute. */
function hashUniform(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

export class YearLedger {
  readonly ledger: Ledger;
  readonly store: LocalStore;
  readonly totalMinutes: number;
  /** Minutes of the year at which closed trades enter (ascending). */
  private readonly entriesByMinute = new Map<number, number[]>();

  constructor(
    readonly dir: string,
    readonly shape: YearLedgerShape,
  ) {
    this.store = new LocalStore(dir);
    this.ledger = new Ledger(this.store);
    this.totalMinutes = (shape.days * DAY_MS) / MINUTE_MS;
    const enterable = this.totalMinutes - shape.horizonMinutes - 1;
    for (let index = 0; index < shape.trades; index++) {
      const minute = Math.floor((index * enterable) / shape.trades);
      const symbolIndex = Math.floor(hashUniform(index, 7) * shape.symbols.length);
      const list = this.entriesByMinute.get(minute) ?? [];
      if (!list.includes(symbolIndex)) list.push(symbolIndex);
      this.entriesByMinute.set(minute, list);
    }
  }

  minuteMs(minute: number): number {
    return this.shape.firstMinuteMs + minute * MINUTE_MS;
  }

  /**
   * Pairs entered at a minute: the year's schedule, a few in its last horizon that stay open, and
   * after the year (the bench's live ticks) one pair a minute, so every live tick from a horizon on
   * closes a trade.
   */
  entriesAt(minute: number): number[] {
    const { horizonMinutes, symbols } = this.shape;
    if (minute < this.totalMinutes - horizonMinutes - 1) return this.entriesByMinute.get(minute) ?? [];
    if (minute < this.totalMinutes) return minute % 5 === 0 ? [minute % symbols.length] : [];
    return [minute % symbols.length];
  }

  private price(symbolIndex: number, minute: number): number {
    const drift =
      0.08 * Math.sin(minute / 9973 + symbolIndex) + 0.01 * Math.sin(minute / 61 + 2 * symbolIndex);
    return (10 + 7 * symbolIndex) * Math.exp(drift + 0.0005 * (hashUniform(symbolIndex, minute) - 0.5));
  }

  private quote(symbolIndex: number, minute: number): Quote {
    const mid = this.price(symbolIndex, minute);
    const halfSpread = mid * 1e-4 * (1 + hashUniform(minute, symbolIndex));
    return { bidPrice: mid - halfSpread, askPrice: mid + halfSpread, timeMs: this.minuteMs(minute) + 61_500 };
  }

  private prediction(symbolIndex: number, minute: number): number {
    return (hashUniform(symbolIndex + 100, minute) - 0.5) * 0.004;
  }

  /** The position a minute's decision opens for a pair, priced at the book as a 'nextOpen' tick does. */
  private position(symbolIndex: number, minute: number): Position {
    const symbol = this.shape.symbols[symbolIndex]!;
    const entryTimeMs = this.minuteMs(minute);
    const raw = this.prediction(symbolIndex, minute);
    const prediction = raw === 0 ? 1e-6 : raw;
    const side = prediction > 0 ? 'long' : 'short';
    const quote = this.quote(symbolIndex, minute + 1);
    const referencePrice = (quote.bidPrice + quote.askPrice) / 2;
    const slippage = slippageRatePerSide(config.execution, symbol);
    return {
      tradeId: tradeIdOf(symbol, entryTimeMs),
      symbol,
      side,
      entryTimeMs,
      exitTimeMs: entryTimeMs + this.shape.horizonMinutes * MINUTE_MS,
      entryPrice: slippedPrice(referencePrice, side, 'entry', slippage),
      entryReferencePrice: referencePrice,
      fill: 'nextOpen',
      slippageRatePerSide: slippage,
      entryQuote: quote,
      prediction,
      calibratedPrediction: prediction,
      threshold: side === 'long' ? 0.0015 : -0.0015,
      modelId: MODEL_ID,
      notional: config.paper.notionalPerTrade,
      feeRatePerSide: config.strategy.feeRatePerSide,
    };
  }

  private decision(minute: number): Decision {
    const entries = this.entriesAt(minute).map((symbolIndex) => this.position(symbolIndex, minute));
    const sideOf = new Map(entries.map((entry) => [entry.symbol, entry.side]));
    return {
      version: 1,
      minuteMs: this.minuteMs(minute),
      createdAtMs: this.minuteMs(minute) + 61_200,
      modelId: MODEL_ID,
      predictions: this.shape.symbols.map((symbol, symbolIndex) => {
        const prediction = this.prediction(symbolIndex, minute);
        return {
          symbol,
          prediction,
          calibratedPrediction: prediction,
          longThreshold: 0.0015,
          shortThreshold: -0.0015,
          close: this.price(symbolIndex, minute),
          action: sideOf.get(symbol) ?? 'none',
        };
      }),
      staleSymbols: [],
      entries,
    };
  }

  /** The positions due at a minute's tick: entered a horizon earlier. */
  private dueAt(minute: number): Position[] {
    const entryMinute = minute - this.shape.horizonMinutes;
    if (entryMinute < 0) return [];
    return this.entriesAt(entryMinute).map((symbolIndex) => this.position(symbolIndex, entryMinute));
  }

  private async closeDue(minute: number): Promise<number> {
    const closed = await Promise.all(
      this.dueAt(minute).map((position) => {
        const symbolIndex = this.shape.symbols.indexOf(position.symbol);
        const fillMinute = (scheduledExitFillMs(position) - this.shape.firstMinuteMs) / MINUTE_MS;
        const quote = this.quote(symbolIndex, fillMinute);
        const trade = closeTrade(
          position,
          {
            fillTimeMs: scheduledExitFillMs(position),
            referencePrice: (quote.bidPrice + quote.askPrice) / 2,
            quote,
          },
          this.minuteMs(minute) + 61_800,
        );
        return this.ledger.closePosition(trade);
      }),
    );
    return closed.filter(Boolean).length;
  }

  private async decide(minute: number): Promise<number> {
    const decision = this.decision(minute);
    await this.ledger.createDecision(decision);
    const opened = await Promise.all(decision.entries.map((entry) => this.ledger.openPosition(entry)));
    return opened.filter(Boolean).length;
  }

  private recordTick(minute: number, opened: number, closed: number): Promise<boolean> {
    return this.ledger.recordTick(
      tickOutcome(this.minuteMs(minute), {
        modelId: MODEL_ID,
        predicted: this.shape.symbols.length,
        opened,
        closed,
        durationMs: 140 + 30 * hashUniform(minute, 3),
        finishedAtMs: this.minuteMs(minute) + 62_000,
      }),
    );
  }

  /** One live tick's writes, in the tick's order: due exits, the decision and its entries, the outcome. */
  async tick(minute: number): Promise<void> {
    const closed = await this.closeDue(minute);
    const opened = await this.decide(minute);
    await this.recordTick(minute, opened, closed);
  }

  /** Builds the year unless this folder already holds it; progress through `log`. */
  async build(log: (line: string) => void): Promise<'built' | 'reused'> {
    const marker = path.join(this.dir, MARKER);
    const wanted = JSON.stringify(this.shape);
    const existing = await readFile(marker, 'utf8').catch(() => undefined);
    if (existing !== undefined && JSON.stringify(JSON.parse(existing).shape) === wanted) return 'reused';
    await rm(this.dir, { recursive: true, force: true });
    const startedMs = performance.now();
    const openedAt = new Map<number, number>();
    const closedAt = new Map<number, number>();
    for (let from = 0; from < this.totalMinutes; from += MINUTES_PER_STEP) {
      const minutes = Array.from(
        { length: Math.min(MINUTES_PER_STEP, this.totalMinutes - from) },
        (_, i) => from + i,
      );
      // a position is opened before the tick that closes it; within a step every opening comes first
      await inPool(minutes, async (minute) => void openedAt.set(minute, await this.decide(minute)));
      await inPool(minutes, async (minute) => void closedAt.set(minute, await this.closeDue(minute)));
      await inPool(minutes, async (minute) => {
        await this.recordTick(minute, openedAt.get(minute) ?? 0, closedAt.get(minute) ?? 0);
        openedAt.delete(minute);
        closedAt.delete(minute);
      });
      const done = from + minutes.length;
      if (Math.floor(done / (7 * 1440)) !== Math.floor(from / (7 * 1440)) || done === this.totalMinutes) {
        const seconds = (performance.now() - startedMs) / 1000;
        log(
          `  ledger: day ${Math.ceil(done / 1440)} of ${this.shape.days} written (${seconds.toFixed(0)} s, ` +
            `about ${((seconds / done) * (this.totalMinutes - done)).toFixed(0)} s to go)`,
        );
      }
    }
    await writeFile(
      marker,
      JSON.stringify({ shape: this.shape, builtInS: (performance.now() - startedMs) / 1000 }),
    );
    return 'built';
  }
}

async function inPool<T>(items: readonly T[], run: (item: T) => Promise<void>, size = WRITES_IN_FLIGHT) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

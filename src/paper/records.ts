/**
 * What the paper-trading ledger holds, as zod schemas: everything read back from the object store is
 * parsed, so a corrupt or foreign object is a clear error, not a silent NaN in the PnL.
 *
 * Times follow `decide()`: `entryTimeMs` is the decision minute (the newest closed candle when the tick
 * ran), `exitTimeMs = entryTimeMs + horizon`. Prices follow the position's fill model (execution.ts):
 * under 'close' the closes of those two candles; under 'nextOpen' the price of the minute after each,
 * i.e. the book's mid when the tick trades in that minute, or that candle's open when the exit is filled
 * late from history. Fields added with the fill model are optional or defaulted, so ledgers written before
 * it still parse (as close fills without slippage or quotes).
 */
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, 'a finite number');
const side = z.enum(['long', 'short']);

/** Binance's best bid and ask when the tick filled a leg (bookTicker), for the spread actually on offer. */
export const quoteSchema = z.object({
  bidPrice: finite.positive(),
  askPrice: finite.positive(),
  /** Wall-clock time the quote was received. */
  timeMs: z.number().int(),
});
export type Quote = z.infer<typeof quoteSchema>;

export const positionSchema = z.object({
  /** `<entry minute>-<SYMBOL>`: one position per pair and minute, so every write of it is idempotent. */
  tradeId: z.string(),
  symbol: z.string(),
  side,
  entryTimeMs: z.number().int(),
  exitTimeMs: z.number().int(),
  /** The fill price, slippage included: fees are charged on it. */
  entryPrice: finite.positive(),
  /** The price the fill is taken from before slippage (absent in old ledgers: the entry price). */
  entryReferencePrice: finite.positive().optional(),
  /** The fill model, which the exit follows too. */
  fill: z.enum(['close', 'nextOpen']).default('close'),
  slippageRatePerSide: finite.nonnegative().default(0),
  /** The book when the entry filled; null when the quote could not be fetched. */
  entryQuote: quoteSchema.nullable().default(null),
  /** Raw model output. */
  prediction: finite,
  /** The value compared with the threshold (calibrated when the strategy is). */
  calibratedPrediction: finite,
  threshold: finite,
  modelId: z.string(),
  notional: finite.positive(),
  feeRatePerSide: finite.nonnegative(),
});
export type Position = z.infer<typeof positionSchema>;

export const tradeSchema = positionSchema.extend({
  /** The fill price, slippage included. */
  exitPrice: finite.positive(),
  exitReferencePrice: finite.positive().optional(),
  /**
   * Open time of the candle the exit price came from (or, for a nextOpen exit filled at the book, of the
   * minute it filled in): `exitTimeMs` (close) or a minute later (nextOpen), later still when that candle
   * was missing.
   */
  exitCandleTimeMs: z.number().int(),
  exitCandleMissing: z.boolean(),
  exitQuote: quoteSchema.nullable().default(null),
  /** Reference price move in the trade's favour, before costs (`exit/entry − 1`, negated for a short). */
  grossReturn: finite,
  netReturn: finite,
  grossPnl: finite,
  /** What slippage cost, in the quote currency: grossPnl − slippage − fees = netPnl. */
  slippage: finite.default(0),
  fees: finite,
  netPnl: finite,
  closedAtMs: z.number().int(),
  /**
   * Under `execution.entry: 'maker'`: whether a limit at the touch of the book read at entry (its bid for a
   * buy, its ask for a sell) would have filled, by the backtest's rule (the minute after the decision
   * trading through it); null when the book or that minute's candle is missing; absent otherwise.
   */
  makerWouldFill: z.boolean().nullable().optional(),
});
export type Trade = z.infer<typeof tradeSchema>;

export const PREDICTION_ACTIONS = ['long', 'short', 'none', 'stale'] as const;
export type PredictionAction = (typeof PREDICTION_ACTIONS)[number];

export const predictionSchema = z.object({
  symbol: z.string(),
  /** Null when the symbol was stale or its window incomplete: no prediction was made. */
  prediction: finite.nullable(),
  calibratedPrediction: finite.nullable(),
  longThreshold: finite.nullable(),
  shortThreshold: finite.nullable(),
  /** Close of the decision minute's candle, when there was one. */
  close: finite.nullable(),
  action: z.enum(PREDICTION_ACTIONS),
});
export type Prediction = z.infer<typeof predictionSchema>;

/** The decision of one minute: created once with putIfAbsent, then only read. */
export const decisionSchema = z.object({
  version: z.literal(1),
  /** Open time of the newest closed candle when the tick ran (decide()'s `minuteMs`). */
  minuteMs: z.number().int(),
  createdAtMs: z.number().int(),
  modelId: z.string(),
  predictions: z.array(predictionSchema),
  staleSymbols: z.array(z.string()),
  /** The positions this decision opens, complete, so a crashed tick's successor can open them. */
  entries: z.array(positionSchema),
});
export type Decision = z.infer<typeof decisionSchema>;

export const TICK_STATUSES = ['ok', 'repaired'] as const;

/** The outcome of one minute: written last, so a decision without one marks a tick that did not finish. */
export const tickOutcomeSchema = z.object({
  minuteMs: z.number().int(),
  /** 'repaired' when a later tick finished this minute's writes after a crash. */
  status: z.enum(TICK_STATUSES),
  modelId: z.string(),
  predicted: z.number().int().nonnegative(),
  opened: z.number().int().nonnegative(),
  closed: z.number().int().nonnegative(),
  /** Earlier minutes whose unfinished writes this tick completed. */
  reconciledMinutesMs: z.array(z.number().int()),
  staleSymbols: z.array(z.string()),
  /** Symbols whose newest candle is not yet the decision minute's (not stale yet, but not tradable now). */
  lateSymbols: z.array(z.string()).default([]),
  /** Why nothing was predicted, when nothing was (every symbol late or stale, for instance). */
  untradableReason: z.string().optional(),
  /** Corrupt ledger objects this tick moved under paper/quarantine/. */
  quarantined: z.array(z.string()).default([]),
  /** Due positions left open because no candle at or after their exit minute exists yet. */
  exitsPending: z.array(z.string()),
  telemetryFailed: z.number().int().nonnegative(),
  durationMs: finite.nonnegative(),
  finishedAtMs: z.number().int(),
});
export type TickOutcome = z.infer<typeof tickOutcomeSchema>;

/**
 * The every-minute step of paper trading, the same function in the Lambda, `alpha15 paper` and the
 * replay. One tick, for the minute m whose candle closed last:
 *
 *   1. fetch the newest closed candles of every symbol the model or an open position needs;
 *   2. repair: finish the writes of any earlier minute whose decision exists but whose tick did not;
 *   3. close every position whose exit minute has come, at its own exit fill's price;
 *   4. predict, decide (the backtest's `decide()`), price the entries, and create m's decision with
 *      putIfAbsent; if another tick created it first, apply that one instead of ours;
 *   5. open the decision's positions; send telemetry; write m's tick outcome last.
 *
 * Fills follow `execution` (src/strategy/execution.ts) as in the backtest. Under 'close' an entry gets
 * the close of candle m and an exit the close of its exit minute's candle. Under 'nextOpen' the tick,
 * running a few seconds into minute m+1, trades at the book: an entry gets the mid of Binance's best bid
 * and ask (bookTicker) now, the price the backtest approximates by open[m+1]; an exit due now likewise,
 * and an exit filled late (missed ticks) gets the open of the minute after its exit minute from history.
 * Slippage then moves each fill against the trade. Every fill records the book (bid, ask) it met, so the
 * dashboard can set the spread paid beside the slippage assumed; under 'nextOpen' a pair whose book
 * cannot be read is not entered and its due exit waits for the next tick.
 *
 * Every ledger write is keyed by minute and pair and created at most once, so duplicate, concurrent,
 * late or crashed ticks converge on the same ledger and nothing is counted twice.
 */
import type { BinanceClient, SymbolKlines } from '../market/binance-client.js';
import type { Config } from '../config/schema.js';
import type { KlineColumns } from '../market/kline.js';
import { allocateColumns } from '../market/kline-columns.js';
import { checkColumnsFreshness } from '../market/freshness.js';
import { alignToGrid } from '../lake/grid.js';
import { firstInputMinuteMs, inputCandleCount } from '../model/warm-up.js';
import { UnknownSymbolError } from '../market/errors.js';
import type { BookTicker } from '../market/binance-schema.js';
import { applyCalibration } from '../strategy/calibration.js';
import { decide, splitDue } from '../strategy/decision.js';
import { venueTakerFeeRatePerSide } from '../strategy/venue.js';
import type { StrategyParams } from '../strategy/params.js';
import { exitRule, slippageRatePerSide, slippedPrice } from '../strategy/execution.js';
import type { TelemetryRecord, TelemetrySink } from '../telemetry/sink.js';
import { DAY_MS, MINUTE_MS, floorToMinute, isoMinute } from '../time.js';
import {
  closeTrade,
  makerWouldFill,
  exitFillFromCandle,
  firstCandleAtOrAfter,
  scheduledExitFillMs,
  type ExitCandle,
  type ExitFill,
} from './close-trade.js';
import { tradeIdOf, type Ledger } from './ledger.js';
import type { ModelLoader, TickModel } from './model.js';
import type { Decision, Position, Prediction, Quote, TickOutcome, Trade } from './records.js';
import { closedTradeRecord, openedTradeRecord, predictionRecords, tickRecord } from './telemetry-records.js';

/** How far back a tick looks for unfinished minutes to repair. */
const REPAIR_LOOKBACK_MS = DAY_MS;

export interface TickDeps {
  ledger: Ledger;
  binance: Pick<BinanceClient, 'latestClosedKlinesForSymbols' | 'klines' | 'bookTicker'>;
  loadModel: ModelLoader;
  sink: TelemetrySink;
  config: Pick<Config, 'strategy' | 'paper' | 'execution'>;
  /** Wall clock for durations and record times (the market's time is `nowMs`). */
  clock?: () => number;
  log?: (message: string) => void;
}

export interface TickResult {
  minuteMs: number;
  /**
   * 'duplicate': the minute had already been ticked; nothing was written. 'no-champion': the use case
   * (src/app/paper-tick.ts) skipped the minute because the store has no champion to trade with yet.
   */
  status: 'ok' | 'duplicate' | 'no-champion';
  /** True when this tick's own decision was stored (false: another tick's decision was applied). */
  decidedHere: boolean;
  opened: Position[];
  closed: Trade[];
  outcome?: TickOutcome;
}

/** Market data for one tick: candles by symbol, and the symbols that may trade this minute. */
interface Market {
  /** The tick's market time. */
  nowMs: number;
  columns: Map<string, KlineColumns>;
  fresh: Set<string>;
  stale: string[];
  /** Served and not stale, but without the decision minute's candle yet. */
  late: string[];
}

export async function tick(nowMs: number, deps: TickDeps): Promise<TickResult> {
  const clock = deps.clock ?? Date.now;
  const startedMs = clock();
  const log = deps.log ?? (() => {});
  const { ledger } = deps;
  const minuteMs = floorToMinute(nowMs) - MINUTE_MS;
  if (await ledger.getTick(minuteMs))
    return { minuteMs, status: 'duplicate', decidedHere: false, opened: [], closed: [] };

  const model = await deps.loadModel();
  const [openBefore, unfinished] = await Promise.all([
    ledger.openPositions(),
    ledger.unfinishedMinutes(minuteMs - REPAIR_LOOKBACK_MS, minuteMs),
  ]);
  const symbols = [...new Set([...model.symbols, ...openBefore.map((position) => position.symbol)])];
  const market = assessMarket(
    await deps.binance.latestClosedKlinesForSymbols(symbols, inputCandleCount(model.windowMinutes), nowMs, {
      concurrency: deps.config.paper.fetchConcurrency,
    }),
    nowMs,
    deps.config.paper.staleAfterMinutes,
  );
  if (market.stale.length > 0)
    log(`${isoMinute(minuteMs)}: stale or missing, not traded: ${market.stale.join(', ')}`);
  if (market.late.length > 0)
    log(
      `${isoMinute(minuteMs)}: late (no candle for this minute yet), not traded: ${market.late.join(', ')}`,
    );

  const records: TelemetryRecord[] = [];
  const opened: Position[] = [];
  const repairedDecisions = new Map<number, Decision>();
  for (const earlierMs of unfinished) {
    const earlier = await ledger.getDecision(earlierMs);
    if (!earlier) continue;
    repairedDecisions.set(earlierMs, earlier);
    opened.push(...(await applyEntries(ledger, earlier)));
    log(`${isoMinute(minuteMs)}: repaired the unfinished tick of ${isoMinute(earlierMs)}`);
  }

  // the ledger's open positions are listed once: those listed above plus the ones the repair opened
  const { exits, holding } = splitDue([...openBefore, ...opened], minuteMs);
  const { closed, pending } = await closeDue(exits, market, minuteMs, deps, clock());
  if (pending.length > 0) log(`${isoMinute(minuteMs)}: no exit candle yet for ${pending.join(', ')}`);

  let decision = await ledger.getDecision(minuteMs);
  let decidedHere = false;
  if (!decision) {
    // a due exit still pending holds nothing for `decide` either: only the positions not yet due do
    const ours = await makeDecision(model, market, minuteMs, holding, deps, clock());
    decidedHere = await ledger.createDecision(ours);
    decision = decidedHere ? ours : await ledger.getDecision(minuteMs);
  }
  if (decision) opened.push(...(await applyEntries(ledger, decision)));
  // only the tick whose decision was stored sends its predictions: concurrent ticks of the same minute
  // would otherwise send every prediction once each
  if (decidedHere && decision) records.push(...predictionRecords(decision));

  for (const earlier of repairedDecisions.values()) {
    const repaired = await recordRepaired(ledger, earlier, clock, startedMs);
    if (repaired) records.push(...predictionRecords(repaired.decision), tickRecord(repaired.outcome));
  }
  records.push(...opened.map(openedTradeRecord), ...closed.map(closedTradeRecord));
  deps.sink.write(records);
  const report = await deps.sink.flush();
  if (report.failed > 0)
    log(
      `${isoMinute(minuteMs)}: telemetry kept ${report.failed} records back (the ledger has them): ${report.errors[0]}`,
    );

  const predicted = decision?.predictions.filter((prediction) => prediction.prediction !== null).length ?? 0;
  const quarantined = ledger.takeCorrupt().map(({ key, reason }) => {
    log(`${isoMinute(minuteMs)}: quarantined the corrupt ledger object ${key} (${reason}); trading the rest`);
    return key;
  });
  const outcome: TickOutcome = {
    minuteMs,
    status: 'ok',
    modelId: decision?.modelId ?? model.id,
    predicted,
    opened: opened.length,
    closed: closed.length,
    reconciledMinutesMs: unfinished,
    staleSymbols: market.stale,
    lateSymbols: market.late,
    untradableReason: predicted === 0 ? untradableReason(model.symbols, market, minuteMs) : undefined,
    quarantined,
    exitsPending: pending,
    telemetryFailed: report.failed,
    durationMs: clock() - startedMs,
    finishedAtMs: clock(),
  };
  if (await ledger.recordTick(outcome)) {
    deps.sink.write([tickRecord(outcome)]);
    await deps.sink.flush();
  }
  return { minuteMs, status: 'ok', decidedHere, opened, closed, outcome };
}

/** Stale symbols are logged and not traded; a symbol trades only with a real candle at the decision minute. */
function assessMarket(results: SymbolKlines[], nowMs: number, staleAfterMinutes: number): Market {
  const minuteMs = floorToMinute(nowMs) - MINUTE_MS;
  const columns = new Map<string, KlineColumns>();
  const fresh = new Set<string>();
  const stale: string[] = [];
  const late: string[] = [];
  for (const result of results) {
    if (!result.ok) {
      stale.push(result.symbol);
      continue;
    }
    columns.set(result.symbol, result.columns);
    if (checkColumnsFreshness(result.columns, nowMs, staleAfterMinutes).stale) stale.push(result.symbol);
    else if (result.columns.openTimeMs.at(-1) === minuteMs) fresh.add(result.symbol);
    else late.push(result.symbol);
  }
  return { nowMs, columns, fresh, stale, late };
}

/** Why a minute got no prediction at all, in words a person reading the tick log can act on. */
function untradableReason(symbols: readonly string[], market: Market, minuteMs: number): string {
  const late = symbols.filter((symbol) => market.late.includes(symbol));
  const stale = symbols.filter((symbol) => market.stale.includes(symbol));
  const newestMs = Math.max(
    ...late.map((symbol) => market.columns.get(symbol)?.openTimeMs.at(-1) ?? Number.NEGATIVE_INFINITY),
  );
  const parts = [
    late.length > 0
      ? `${late.length} late (newest candle ${Number.isFinite(newestMs) ? isoMinute(newestMs) : 'none'}: ${late.join(',')})`
      : '',
    stale.length > 0 ? `${stale.length} stale or missing (${stale.join(',')})` : '',
  ].filter((part) => part !== '');
  if (parts.length === 0) return `the model predicted nothing for ${isoMinute(minuteMs)}`;
  return `no symbol has a candle for ${isoMinute(minuteMs)}: ${parts.join('; ')}`;
}

async function closeDue(
  exits: Position[],
  market: Market,
  minuteMs: number,
  deps: TickDeps,
  closedAtMs: number,
): Promise<{ closed: Trade[]; pending: string[] }> {
  const closed: Trade[] = [];
  const pending: string[] = [];
  await Promise.all(
    exits.map(async (position) => {
      let exit: ExitFill | undefined;
      try {
        exit = await findExitFill(position, market, minuteMs, deps);
      } catch (error) {
        // one position's failure is its own: the other exits and this minute's entries go ahead
        const reason = error instanceof Error ? error.message : String(error);
        if (error instanceof UnknownSymbolError) {
          await deps.ledger.setAside(position, `no exit price: ${reason}`);
          return;
        }
        deps.log?.(`${isoMinute(minuteMs)}: no exit fill for ${position.tradeId} yet: ${reason}`);
      }
      if (!exit) {
        pending.push(position.tradeId);
        return;
      }
      const trade = closeTrade(position, exit, closedAtMs);
      if (deps.config.execution.entry === 'maker')
        trade.makerWouldFill = makerWouldFill(position, market.columns.get(position.symbol));
      if (await deps.ledger.closePosition(trade)) closed.push(trade);
    }),
  );
  return { closed, pending };
}

/**
 * The exit's fill: from a closed candle (this tick's candles, or history when ticks were missed for
 * longer), or, for a nextOpen exit whose fill minute is the one now running, from the book. The book is
 * recorded only for a fill happening now (that nextOpen one, or a close fill at the candle that just
 * closed): the book seen by a late tick is not the one the exit met.
 */
async function findExitFill(
  position: Position,
  market: Market,
  minuteMs: number,
  deps: TickDeps,
): Promise<ExitFill | undefined> {
  const fillFromMs = scheduledExitFillMs(position);
  if (fillFromMs > minuteMs) {
    const quote = await fetchQuote(position.symbol, market.nowMs, deps);
    return quote === null ? undefined : { fillTimeMs: fillFromMs, referencePrice: midOf(quote), quote };
  }
  const fromCandle = async (candle: ExitCandle | undefined) =>
    candle &&
    exitFillFromCandle(
      position,
      candle,
      candle.openTimeMs === minuteMs ? await fetchQuote(position.symbol, market.nowMs, deps) : null,
    );
  const columns = market.columns.get(position.symbol);
  const firstFetchedMs = columns?.openTimeMs[0];
  if (columns && firstFetchedMs !== undefined && firstFetchedMs <= fillFromMs)
    return fromCandle(firstCandleAtOrAfter(columns, fillFromMs, minuteMs));
  const [kline] = await deps.binance.klines(position.symbol, {
    startTimeMs: fillFromMs,
    endTimeMs: minuteMs,
    limit: 1,
  });
  return fromCandle(
    kline && { openTimeMs: kline.openTimeMs, open: Number(kline.open), close: Number(kline.close) },
  );
}

/**
 * The book now, or null (logged) when it cannot be read: a missing quote is never a failed tick. Its
 * time is the tick's market time, so a replayed tick records the same quote however fast it runs.
 */
async function fetchQuote(symbol: string, nowMs: number, deps: TickDeps): Promise<Quote | null> {
  let book: BookTicker;
  try {
    book = await deps.binance.bookTicker(symbol);
  } catch (error) {
    deps.log?.(`no book for ${symbol}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  return { bidPrice: book.bidPrice, askPrice: book.askPrice, timeMs: nowMs };
}

function midOf(quote: Quote): number {
  return (quote.bidPrice + quote.askPrice) / 2;
}

async function makeDecision(
  model: TickModel,
  market: Market,
  minuteMs: number,
  /** The open positions not due at this minute. */
  holding: Position[],
  deps: TickDeps,
  createdAtMs: number,
): Promise<Decision> {
  const { config } = deps;
  const fill = exitRule(config.execution.entry);
  const frame = alignToGrid(
    model.symbols.map((symbol) => market.columns.get(symbol) ?? allocateColumns(symbol, 0)),
    firstInputMinuteMs(minuteMs, model.windowMinutes),
    minuteMs + MINUTE_MS,
  );
  const raw = await model.predict(frame);
  const tradable = model.symbols.filter((symbol) => market.fresh.has(symbol));
  const predictions = Object.fromEntries(tradable.map((symbol) => [symbol, raw[symbol] ?? Number.NaN]));
  const { entries } = decide({
    minuteMs,
    predictions,
    strategy: model.strategy,
    openPositions: [...holding, ...(await tradesHeldDuring(deps.ledger, minuteMs, model.strategy))],
    tradableSymbols: tradable,
    shortsAllowed: config.execution.venue !== 'spot',
  });
  const lastRow = frame.length - 1;
  const quotes = await Promise.all(entries.map((entry) => fetchQuote(entry.symbol, market.nowMs, deps)));
  const unpriced = new Set<string>();
  const positions: Position[] = [];
  entries.forEach((entry, i) => {
    const quote = quotes[i]!;
    const referencePrice =
      fill === 'close'
        ? frame.columns[entry.symbol]!.close[lastRow]!
        : quote === null
          ? undefined
          : midOf(quote);
    if (referencePrice === undefined) {
      unpriced.add(entry.symbol);
      return;
    }
    const slippage = slippageRatePerSide(config.execution, entry.symbol);
    positions.push({
      tradeId: tradeIdOf(entry.symbol, entry.entryTimeMs),
      symbol: entry.symbol,
      side: entry.side,
      entryTimeMs: entry.entryTimeMs,
      exitTimeMs: entry.exitTimeMs,
      entryPrice: slippedPrice(referencePrice, entry.side, 'entry', slippage),
      entryReferencePrice: referencePrice,
      fill,
      slippageRatePerSide: slippage,
      entryQuote: quote,
      prediction: entry.prediction,
      calibratedPrediction: entry.calibratedPrediction,
      threshold: entry.threshold,
      modelId: model.id,
      notional: config.paper.notionalPerTrade,
      // the venue's taker fee (a futures tier's, else spot's); borrow and funding are not booked here yet
      feeRatePerSide: venueTakerFeeRatePerSide(config.execution, config.strategy.feeRatePerSide),
    });
  });
  if (unpriced.size > 0)
    deps.log?.(`${isoMinute(minuteMs)}: no book to fill at, not entered: ${[...unpriced].join(', ')}`);
  const sideOf = new Map(positions.map((position) => [position.symbol, position.side]));
  const staleSet = new Set(market.stale);
  const predictionRows: Prediction[] = model.symbols.map((symbol) => {
    const pair = model.strategy.pairs[symbol];
    const value = predictions[symbol];
    const finite = value !== undefined && Number.isFinite(value) ? value : null;
    const close = frame.columns[symbol]!.close[lastRow]!;
    return {
      symbol,
      prediction: finite,
      calibratedPrediction:
        finite === null
          ? null
          : model.strategy.calibrated
            ? applyCalibration(pair?.calibration ?? null, finite)
            : finite,
      longThreshold: pair?.long.threshold ?? null,
      shortThreshold: pair?.short.threshold ?? null,
      close: Number.isFinite(close) ? close : null,
      action:
        sideOf.get(symbol) ??
        (staleSet.has(symbol) || !market.fresh.has(symbol) || unpriced.has(symbol) ? 'stale' : 'none'),
    };
  });
  return {
    version: 1,
    minuteMs,
    createdAtMs,
    modelId: model.id,
    predictions: predictionRows,
    staleSymbols: market.stale,
    entries: positions,
  };
}

/**
 * The closed trades that would overlap a position entered at `minuteMs`, as positions `decide` holds.
 * Going forward in time none exist (a closed trade has exited by now); after the clock went back they
 * do, and the overlap rule must see them: the ledger's history decides, not the clock.
 */
async function tradesHeldDuring(
  ledger: Ledger,
  minuteMs: number,
  strategy: StrategyParams,
): Promise<Trade[]> {
  if (strategy.overlap !== 'skip') return [];
  const horizonMs = strategy.horizonMinutes * MINUTE_MS;
  // trade ids start with the entry minute, so only trades entered within a horizon either side are
  // read; going forward in time that range holds no closed trade and the check costs one listing
  const trades = await ledger.listTrades(minuteMs - horizonMs + MINUTE_MS, minuteMs + horizonMs);
  return trades.filter((trade) => trade.exitTimeMs > minuteMs);
}

/** Opens a decision's positions, skipping any already open or already closed; returns those opened now. */
async function applyEntries(ledger: Ledger, decision: Decision): Promise<Position[]> {
  const opened: Position[] = [];
  for (const position of decision.entries) {
    // a position whose trade is recorded was opened and closed already: re-opening it would count it twice
    if (await ledger.getTrade(position.tradeId)) continue;
    if (await ledger.openPosition(position)) opened.push(position);
  }
  return opened;
}

/** Marks an earlier minute finished by this tick, so no later tick repairs it again; the outcome if written here. */
async function recordRepaired(
  ledger: Ledger,
  decision: Decision,
  clock: () => number,
  startedMs: number,
): Promise<{ outcome: TickOutcome; decision: Decision } | undefined> {
  const { minuteMs } = decision;
  const outcome: TickOutcome = {
    minuteMs,
    status: 'repaired',
    modelId: decision.modelId,
    predicted: decision.predictions.filter((prediction) => prediction.prediction !== null).length,
    opened: decision.entries.length,
    closed: 0,
    reconciledMinutesMs: [],
    staleSymbols: decision.staleSymbols,
    lateSymbols: [],
    quarantined: [],
    exitsPending: [],
    telemetryFailed: 0,
    durationMs: clock() - startedMs,
    finishedAtMs: clock(),
  };
  return (await ledger.recordTick(outcome)) ? { outcome, decision } : undefined;
}

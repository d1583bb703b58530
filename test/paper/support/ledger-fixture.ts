/**
 * A ledger fixture for the dashboard: trades priced from the real snapshot-c closes (entered on a
 * fixed schedule, alternating sides), the decision of the last minute, one open position and tick
 * outcomes, written through the Ledger like the tick writes them.
 */
import { closeTrade } from '../../../src/paper/close-trade.js';
import { Ledger, tradeIdOf } from '../../../src/paper/ledger.js';
import type { Decision, Position } from '../../../src/paper/records.js';
import type { ObjectStore } from '../../../src/store/object-store.js';
import { MINUTE_MS } from '../../../src/time.js';
import { tickOutcome } from '../../../fixtures/tick-outcome.js';
import {
  FEE_RATE_PER_SIDE,
  HORIZON_MINUTES,
  NOTIONAL,
  rawCloses,
  SNAPSHOT_C_START_MS,
  SYMBOLS,
  THRESHOLD_RETURN,
} from './harness.js';

export const FIXTURE_FIRST_MINUTE_MS = SNAPSHOT_C_START_MS + 60 * MINUTE_MS;
export const FIXTURE_MINUTES = 120;

export function fixturePosition(symbol: string, entryTimeMs: number, index: number): Position {
  const closes = rawCloses(symbol);
  const lastReturn = Math.log(closes.get(entryTimeMs)! / closes.get(entryTimeMs - MINUTE_MS)!);
  return {
    tradeId: tradeIdOf(symbol, entryTimeMs),
    symbol,
    side: index % 2 === 0 ? 'long' : 'short',
    entryTimeMs,
    exitTimeMs: entryTimeMs + HORIZON_MINUTES * MINUTE_MS,
    entryPrice: closes.get(entryTimeMs)!,
    entryReferencePrice: closes.get(entryTimeMs)!,
    fill: 'close',
    slippageRatePerSide: 0,
    entryQuote: null,
    prediction: lastReturn,
    calibratedPrediction: lastReturn,
    threshold: index % 2 === 0 ? THRESHOLD_RETURN : -THRESHOLD_RETURN,
    modelId: '20211222T000000Z-f1x7re',
    notional: NOTIONAL,
    feeRatePerSide: FEE_RATE_PER_SIDE,
  };
}

/** Writes the fixture and returns how many closed trades it holds. */
export async function writeLedgerFixture(store: ObjectStore): Promise<number> {
  const ledger = new Ledger(store);
  const lastMinuteMs = FIXTURE_FIRST_MINUTE_MS + (FIXTURE_MINUTES - 1) * MINUTE_MS;
  let trades = 0;
  for (
    let index = 0;
    index * 7 * MINUTE_MS + HORIZON_MINUTES * MINUTE_MS <= lastMinuteMs - FIXTURE_FIRST_MINUTE_MS;
    index++
  ) {
    const symbol = SYMBOLS[index % SYMBOLS.length]!;
    const position = fixturePosition(symbol, FIXTURE_FIRST_MINUTE_MS + index * 7 * MINUTE_MS, index);
    const exitClose = rawCloses(symbol).get(position.exitTimeMs)!;
    await ledger.closePosition(
      closeTrade(
        position,
        { fillTimeMs: position.exitTimeMs, referencePrice: exitClose, quote: null },
        position.exitTimeMs + MINUTE_MS,
      ),
    );
    trades++;
  }
  await ledger.openPosition(fixturePosition('SOLUSDT', lastMinuteMs - 3 * MINUTE_MS, 1));
  const decision: Decision = {
    version: 1,
    minuteMs: lastMinuteMs,
    createdAtMs: lastMinuteMs + 62_000,
    modelId: '20211222T000000Z-f1x7re',
    predictions: SYMBOLS.map((symbol) => {
      const closes = rawCloses(symbol);
      const prediction = Math.log(closes.get(lastMinuteMs)! / closes.get(lastMinuteMs - MINUTE_MS)!);
      return {
        symbol,
        prediction,
        calibratedPrediction: prediction,
        longThreshold: THRESHOLD_RETURN,
        shortThreshold: -THRESHOLD_RETURN,
        close: closes.get(lastMinuteMs)!,
        action: 'none',
      };
    }),
    staleSymbols: [],
    entries: [],
  };
  await ledger.createDecision(decision);
  for (let minuteMs = FIXTURE_FIRST_MINUTE_MS; minuteMs <= lastMinuteMs; minuteMs += MINUTE_MS) {
    await ledger.recordTick(tickOutcome(minuteMs, { modelId: decision.modelId, predicted: SYMBOLS.length }));
  }
  return trades;
}

/**
 * A finished tick's outcome, for ledgers written by benches and tests the way the tick writes them:
 * every symbol predicted, nothing stale, late, quarantined or pending unless the caller says so.
 */
import type { TickOutcome } from '../../src/paper/records.js';

export function tickOutcome(
  minuteMs: number,
  fields: Partial<TickOutcome> & Pick<TickOutcome, 'modelId' | 'predicted'>,
): TickOutcome {
  return {
    minuteMs,
    status: 'ok',
    opened: 0,
    closed: 0,
    reconciledMinutesMs: [],
    staleSymbols: [],
    lateSymbols: [],
    quarantined: [],
    exitsPending: [],
    telemetryFailed: 0,
    durationMs: 12,
    finishedAtMs: minuteMs + 61_000,
    ...fields,
  };
}

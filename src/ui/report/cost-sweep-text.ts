/**
 * The cost sweep and the execution profile in words, shared by the terminal tables, the HTML reports
 * and `npm start`'s summary, so all three say the same thing with the same configuration counts.
 */
import type { MakerFills } from '../../strategy/backtest.js';
import type { CostSweep, SweepBreakEven } from '../../strategy/cost-sweep.js';
import type { ExecutionModel } from '../../strategy/execution.js';

const pct = (value: number | null, digits = 3): string =>
  value === null ? '-' : `${(value * 100).toFixed(digits)}%`;

/** "7 pairs × 50 thresholds per side × 33 costs × 1 venue (spot-margin, nextOpen entries)". */
export function sweepConfigurations(sweep: CostSweep): string {
  const { pairs, thresholdCandidatesPerSide, costs, venues } = sweep.configurations;
  return `${pairs} pairs × ${thresholdCandidatesPerSide} thresholds per side × ${costs} costs × ${venues} venue (${sweep.venue}, ${sweep.entry} entries)`;
}

/** How one text form words each answer of the break-even fee search. */
interface BreakEvenWording {
  /** A fee found at p < 0.05 (`fee` is already "at least x%" when it is the top of the sweep). */
  found: (fee: string, atTopOfSweep: boolean) => string;
  /** No fee at p < 0.05, but money at some p up to this fee. */
  profitableAtAnyP: (fee: string) => string;
  none: string;
  /** What the answer rests on, after it. */
  basis: (configurations: string) => string;
}

function breakEvenWords(
  sweep: CostSweep | null,
  breakEven: SweepBreakEven | null,
  words: BreakEvenWording,
): string {
  if (sweep === null || breakEven === null) return 'cost sweep: not computed';
  const answer =
    breakEven.costPerSide !== null
      ? words.found(
          `${breakEven.atTopOfSweep ? 'at least ' : ''}${pct(breakEven.costPerSide)}`,
          breakEven.atTopOfSweep,
        )
      : breakEven.largestProfitableCostPerSide !== null
        ? words.profitableAtAnyP(pct(breakEven.largestProfitableCostPerSide))
        : words.none;
  return `break-even fee per side ${answer}${words.basis(sweepConfigurations(sweep))}`;
}

/** The break-even fee per side of a sweep, with what it rests on (reports). */
export function sweepBreakEvenText(sweep: CostSweep | null, breakEven: SweepBreakEven | null): string {
  return breakEvenWords(sweep, breakEven, {
    found: (fee, atTop) =>
      `${fee} (the highest fee ${atTop ? 'swept, ' : ''}at which the test made money with random-entry p < 0.05)`,
    profitableAtAnyP: (fee) =>
      `none at p < 0.05 (the largest fee at which the test made money at any p: ${fee})`,
    none: 'none (no fee from 0 up made money on the test period)',
    basis: (configurations) =>
      `; thresholds refitted on validation at each fee, ${configurations}; slippage, borrow and funding as configured`,
  });
}

/** The same answer in one summary line: the fee, its test, and the configurations behind it. */
export function sweepBreakEvenLine(sweep: CostSweep | null, breakEven: SweepBreakEven | null): string {
  return breakEvenWords(sweep, breakEven, {
    found: (fee) => `${fee} at p < 0.05`,
    profitableAtAnyP: (fee) => `none at p < 0.05 (money at any p up to ${fee})`,
    none: 'none',
    basis: (configurations) => `, refitted at each fee: ${configurations}`,
  });
}

/** Dropped shorts and maker fills, when the venue or the entries produce them; '' otherwise. */
export function executionNotes(
  execution: ExecutionModel,
  droppedShorts: number,
  makerFills: MakerFills | null,
): string {
  const notes: string[] = [];
  if (!execution.venue.shortsAllowed)
    notes.push(`${droppedShorts} short signals dropped (long-only ${execution.venue.venue})`);
  if (makerFills !== null)
    notes.push(
      `maker entries: ${makerFills.filled} of ${makerFills.signals} limits filled (fill rate ${pct(makerFills.fillRate, 1)}); ` +
        `average move of the filled ${pct(makerFills.avgMoveFilled)} against the unfilled ${pct(makerFills.avgMoveUnfilled)} (adverse selection)`,
    );
  return notes.join('; ');
}

/** The venue's fee terms in one phrase: "spot-margin: taker 0.100% per side, borrow 0.0010%/h on shorts". */
export function venueText(execution: ExecutionModel): string {
  const { venue } = execution;
  const rates = Object.values(venue.borrowRatePerHour);
  const fees = [`taker ${pct(venue.takerFeeRatePerSide)}`];
  if (execution.entry === 'maker') fees.push(`maker ${pct(venue.makerFeeRatePerSide)}`);
  const parts = [`${fees.join(', ')} per side`];
  if (venue.venue === 'spot-margin' && rates.length > 0)
    parts.push(`borrow ${range(rates)} per hour on shorts`);
  if (venue.funding !== null)
    parts.push(
      `funding ${range(Object.values(venue.funding.ratePerInterval))} every ${venue.funding.intervalMs / 3_600_000} h`,
    );
  return `${venue.venue}: ${parts.join(', ')}`;
}

/** One rate, or the lowest and highest of several, to 4 decimals of a percent. */
function range(rates: readonly number[]): string {
  const low = Math.min(...rates);
  const high = Math.max(...rates);
  return low === high ? pct(low, 4) : `${pct(low, 4)}-${pct(high, 4)}`;
}

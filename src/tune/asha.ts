/**
 * Pruning by asynchronous successive halving (ASHA, Li et al. 2018). Rungs sit at epochs
 * minEpochs × reductionFactor^k of each walk-forward fold. A trial reaching a rung continues only if
 * its validation IC there is in the top 1/reductionFactor of every value any trial has reported at
 * that rung (itself included), so weak trials stop after one epoch and strong ones run to the end.
 * With fewer than `reductionFactor` values at a rung nobody is pruned yet: a top third of two trials
 * says nothing.
 */

export interface AshaOptions {
  minEpochs: number;
  reductionFactor: number;
}

export const DEFAULT_ASHA: AshaOptions = { minEpochs: 1, reductionFactor: 3 };

export function isRung(epoch: number, options: AshaOptions): boolean {
  for (let rung = options.minEpochs; rung <= epoch; rung *= options.reductionFactor)
    if (rung === epoch) return true;
  return false;
}

/** The key under which values at the same resource are compared: fold and epoch. */
export function rungKey(fold: number, epoch: number): string {
  return `${fold}:${epoch}`;
}

/**
 * Should a trial that reports `value` at this rung stop? `competitors` are the values other trials
 * reported at the same rung. NaN (an undefined IC) ranks last.
 */
export function shouldPrune(value: number, competitors: readonly number[], options: AshaOptions): boolean {
  const all = [value, ...competitors].map((one) => (Number.isNaN(one) ? -Infinity : one));
  if (all.length < options.reductionFactor) return false;
  const promoted = Math.floor(all.length / options.reductionFactor);
  const threshold = [...all].sort((a, b) => b - a)[promoted - 1]!;
  return (Number.isNaN(value) ? -Infinity : value) < threshold;
}

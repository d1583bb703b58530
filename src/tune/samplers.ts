/**
 * Where the next trial looks. Two samplers over the same search space:
 *
 * - `random`: every parameter drawn independently from its range (log-uniform for log-float).
 * - `tpe`: the Tree-structured Parzen Estimator (Bergstra et al. 2011, as Optuna's default sampler
 *   does it, parameter by parameter). Finished trials are split into the best quarter ("good") and the
 *   rest; each side becomes a density over the range (a Gaussian per observation plus a wide prior);
 *   candidates drawn from the good density are scored by good/bad density ratio and the best is taken.
 *   Until `startupTrials` trials have run (pruned ones included) it samples at random.
 *
 * A sampler is a pure function of (space, history, uniform source): the study derives the source from
 * (seed, trial number), so a resumed study suggests exactly what an uninterrupted one would.
 */
import type { ParameterRange, ParamValue, Params, SearchSpace } from './search-space.js';

export const SAMPLER_NAMES = ['tpe', 'random'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface Observation {
  params: Params;
  /** The objective (higher is better); NaN for a trial without a defined value. */
  value: number;
  /** Stopped early by the pruner: its value is not comparable with finished trials'. */
  pruned: boolean;
}

export interface TpeOptions {
  /** Trials sampled at random before the model-based search starts. */
  startupTrials: number;
  /** The share of finished trials counted as good. */
  gamma: number;
  /** Candidates drawn from the good density per parameter. */
  candidates: number;
}

export const DEFAULT_TPE: TpeOptions = { startupTrials: 4, gamma: 0.25, candidates: 24 };

export function suggest(
  sampler: SamplerName,
  space: SearchSpace,
  history: readonly Observation[],
  uniform: () => number,
  tpe: TpeOptions = DEFAULT_TPE,
): Params {
  const entries = Object.entries(space) as [string, ParameterRange][];
  const finished = history.filter((trial) => !trial.pruned && Number.isFinite(trial.value));
  // pruned trials count: they tell the model where not to look
  if (sampler === 'random' || history.length < tpe.startupTrials || finished.length === 0)
    return Object.fromEntries(entries.map(([name, range]) => [name, sampleUniform(range, uniform)]));
  // best first; pruned trials only ever count as bad: they stopped because they trailed
  const ranked = [...finished].sort((a, b) => b.value - a.value);
  const goodCount = Math.max(1, Math.ceil(tpe.gamma * ranked.length));
  const good = ranked.slice(0, goodCount);
  const bad = [...ranked.slice(goodCount), ...history.filter((trial) => trial.pruned)];
  return Object.fromEntries(
    entries.map(([name, range]) => [
      name,
      suggestParameter(
        range,
        good.map((trial) => trial.params[name]),
        bad.map((trial) => trial.params[name]),
        uniform,
        tpe.candidates,
      ),
    ]),
  );
}

export function sampleUniform(range: ParameterRange, uniform: () => number): ParamValue {
  switch (range.type) {
    case 'choice':
      return range.values[Math.min(range.values.length - 1, Math.floor(uniform() * range.values.length))]!;
    case 'int': {
      const steps = Math.floor((range.high - range.low) / range.step);
      return range.low + range.step * Math.min(steps, Math.floor(uniform() * (steps + 1)));
    }
    case 'float':
      return range.low + uniform() * (range.high - range.low);
    case 'log-float':
      return Math.exp(Math.log(range.low) + uniform() * (Math.log(range.high) - Math.log(range.low)));
  }
}

function suggestParameter(
  range: ParameterRange,
  good: readonly (ParamValue | undefined)[],
  bad: readonly (ParamValue | undefined)[],
  uniform: () => number,
  candidateCount: number,
): ParamValue {
  if (range.type === 'choice') {
    const goodWeights = categoricalWeights(range.values, good);
    const badWeights = categoricalWeights(range.values, bad);
    let best = 0;
    let bestScore = -Infinity;
    for (let draw = 0; draw < candidateCount; draw++) {
      const index = drawIndex(goodWeights, uniform);
      const score = Math.log(goodWeights[index]!) - Math.log(badWeights[index]!);
      if (score > bestScore) [best, bestScore] = [index, score];
    }
    return range.values[best]!;
  }
  // numeric: work on the internal scale (log for log-float), where the prior is uniform
  const log = range.type === 'log-float';
  const low = log ? Math.log(range.low) : range.low - (range.type === 'int' ? range.step / 2 : 0);
  const high = log ? Math.log(range.high) : range.high + (range.type === 'int' ? range.step / 2 : 0);
  const toInternal = (value: ParamValue | undefined) =>
    typeof value === 'number' ? Math.min(high, Math.max(low, log ? Math.log(value) : value)) : undefined;
  const goodDensity = parzen(good.map(toInternal).filter(isNumber), low, high);
  const badDensity = parzen(bad.map(toInternal).filter(isNumber), low, high);
  let best = goodDensity.sample(uniform);
  let bestScore = -Infinity;
  for (let draw = 0; draw < candidateCount; draw++) {
    const candidate = goodDensity.sample(uniform);
    const score = Math.log(goodDensity.density(candidate)) - Math.log(badDensity.density(candidate));
    if (score > bestScore) [best, bestScore] = [candidate, score];
  }
  if (log) return Math.min(range.high, Math.max(range.low, Math.exp(best)));
  if (range.type === 'int') {
    const steps = Math.round((best - range.low) / range.step);
    return Math.min(range.high, Math.max(range.low, range.low + steps * range.step));
  }
  return Math.min(range.high, Math.max(range.low, best));
}

const isNumber = (value: number | undefined): value is number => value !== undefined;

/** Observed counts plus one per value (the prior), so no value ever has zero probability. */
function categoricalWeights(
  values: readonly ParamValue[],
  observed: readonly (ParamValue | undefined)[],
): number[] {
  const weights = values.map(() => 1);
  for (const value of observed) {
    const index = values.indexOf(value as ParamValue);
    if (index >= 0) weights[index]! += 1;
  }
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}

function drawIndex(weights: readonly number[], uniform: () => number): number {
  let remaining = uniform();
  for (let index = 0; index < weights.length; index++) {
    remaining -= weights[index]!;
    if (remaining < 0) return index;
  }
  return weights.length - 1;
}

interface Density {
  density(x: number): number;
  sample(uniform: () => number): number;
}

/**
 * A Gaussian mixture on [low, high]: one component per observation, its width the larger gap to its
 * neighbours (clipped to [range/100, range]), plus a prior component centred on the range as wide as
 * the range. Samples outside the range are redrawn (truncation).
 */
export function parzen(observations: readonly number[], low: number, high: number): Density {
  const width = high - low;
  const sorted = [...observations].sort((a, b) => a - b);
  const points = [
    ...sorted.map((mu, at) => {
      const left = at > 0 ? mu - sorted[at - 1]! : mu - low;
      const right = at < sorted.length - 1 ? sorted[at + 1]! - mu : high - mu;
      return { mu, sigma: Math.min(width, Math.max(width / 100, left, right)) };
    }),
    { mu: (low + high) / 2, sigma: width },
  ];
  const weight = 1 / points.length;
  return {
    density: (x) =>
      points.reduce(
        (sum, { mu, sigma }) =>
          sum + (weight * Math.exp(-0.5 * ((x - mu) / sigma) ** 2)) / (sigma * Math.sqrt(2 * Math.PI)),
        0,
      ) || Number.MIN_VALUE,
    sample: (uniform) => {
      const { mu, sigma } = points[Math.min(points.length - 1, Math.floor(uniform() * points.length))]!;
      for (let attempt = 0; attempt < 32; attempt++) {
        // Box-Muller from two uniforms, so the draw depends only on the given source
        const normal = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
        const x = mu + sigma * normal;
        if (x >= low && x <= high) return x;
      }
      return Math.min(high, Math.max(low, mu));
    },
  };
}

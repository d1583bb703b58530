/**
 * A seeded synthetic 1-minute market, so the whole pipeline runs offline and tests can ask "does the
 * model find alpha we planted?" with a known answer.
 *
 * Per minute m and coin i, the log return is
 *
 *   r[i,m] = beta[i] * f[m] + e[i,m] + k * r[leader, m - L]      (the last term for laggards only)
 *
 * - f (market factor) and e (idiosyncratic) are unit-variance Student-t shocks (fat tails) scaled by
 *   GARCH(1,1) variances with unconditional mean 1 (volatility clustering), by an intraday volatility
 *   profile whose mean square over a day is 1, and by per-coin volatility levels;
 * - the common factor correlates the coins;
 * - the planted lead-lag: every laggard's return carries k (= `strength`) times the leader's return of
 *   L (= `lagMinutes`) minutes earlier. Nothing else is predictable: every other term is a martingale
 *   difference, so E[forward return | past] = k * (leader's return over the known part of the lag).
 *
 * `expectedLeadLagIc` gives the information coefficient that predictor reaches (see there); it is the
 * ceiling any model can reach on the laggards' forward returns.
 */
import { Alpha15Error } from '../errors.js';
import { mulberry32, normalSource, unitStudentTSource } from '../random.js';
import { DAY_MS, MINUTE_MS } from '../time.js';
import type { KlineColumns } from './kline.js';
import { allocateColumns } from './kline-columns.js';

export interface PlantedAlpha {
  leader: string;
  /** L: laggards follow the leader's return of L minutes earlier. */
  lagMinutes: number;
  /** k: the share of the leader's lagged return in each laggard's return. */
  strength: number;
  /** Defaults to every symbol but the leader. */
  laggards?: string[];
  /**
   * The lead-lag acts only on minutes opening at or after this time (default: from the first minute):
   * a market whose alpha appears part-way, to prove a walk-forward simulation cannot trade it early.
   */
  fromMs?: number;
}

export interface SyntheticMarketOptions {
  symbols: string[];
  startTimeMs: number;
  minutes: number;
  seed: number;
  plantedAlpha?: PlantedAlpha;
  /** Share of minutes missing per symbol, in runs of 1-7 minutes (0 = none). */
  gapRate?: number;
}

/** The fixed shape of the synthetic market; per-coin levels are drawn from these ranges by seed. */
export const SYNTHETIC_MODEL = {
  factorVolPerMinute: 0.0007,
  idiosyncraticVolRange: [0.0005, 0.0011],
  betaRange: [0.7, 1.3],
  basePriceRange: [0.05, 50_000],
  quoteVolumePerMinuteRange: [20_000, 2_000_000],
  averageTradeQuote: 250,
  /** Student-t degrees of freedom of every shock: 5 gives excess kurtosis 6 before GARCH adds more. */
  tailDegreesOfFreedom: 5,
  /** GARCH(1,1): h = (1 - a - b) + a z^2 h + b h; a + b = 0.98 is a half-life of about 35 minutes. */
  garchAlpha: 0.05,
  garchBeta: 0.93,
  /** Volatility and volume peak at 14:00 UTC (US and Europe both open) and trough 12 hours later. */
  peakHourUtc: 14,
  intradayVolAmplitude: 0.3,
  intradayVolumeAmplitude: 0.45,
  weekendVolumeFactor: 0.7,
  gapRunMaxMinutes: 7,
} as const;

export interface SyntheticSymbolParameters {
  symbol: string;
  beta: number;
  idiosyncraticVolPerMinute: number;
  basePrice: number;
  quoteVolumePerMinute: number;
  /** Decimals the prices are rounded to (about 6 significant digits at the base price). */
  priceDecimals: number;
}

export class InvalidSyntheticOptionsError extends Alpha15Error {
  readonly code = 'INVALID_SYNTHETIC_OPTIONS';
}

/** Per-coin levels, drawn from their own stream so they depend only on the seed and the symbol order. */
export function syntheticSymbolParameters(
  symbols: readonly string[],
  seed: number,
): SyntheticSymbolParameters[] {
  const uniform = mulberry32(seed ^ 0x3c6ef372);
  const between = ([low, high]: readonly [number, number]) => low + (high - low) * uniform();
  const logBetween = ([low, high]: readonly [number, number]) =>
    Math.exp(between([Math.log(low), Math.log(high)]));
  return symbols.map((symbol) => {
    const basePrice = logBetween(SYNTHETIC_MODEL.basePriceRange);
    return {
      symbol,
      beta: between(SYNTHETIC_MODEL.betaRange),
      idiosyncraticVolPerMinute: between(SYNTHETIC_MODEL.idiosyncraticVolRange),
      basePrice,
      quoteVolumePerMinute: logBetween(SYNTHETIC_MODEL.quoteVolumePerMinuteRange),
      priceDecimals: Math.max(0, 5 - Math.floor(Math.log10(basePrice))),
    };
  });
}

/**
 * The Pearson IC of the best predictor of a laggard's H-minute forward log return: its part known at t,
 * k * (the leader's log return over minutes t-L+1 .. t-L+min(L,H)), which for L <= H is simply the
 * leader's return over the last L minutes. With unconditional per-minute variances
 *   V_lead = beta_lead^2 s_f^2 + s_lead^2,   V_i = beta_i^2 s_f^2 + s_i^2 + k^2 V_lead
 * and n = min(L, H):
 *   Cov = k n V_lead,  Var(predictor) = n V_lead,
 *   Var(forward) = H V_i + 2 max(H - L, 0) k beta_lead beta_i s_f^2
 * (the last term: r[i,m] and r[i,m-L] share the factor shock f[m-L] through the leader), so
 *   IC = k sqrt(n V_lead) / sqrt(Var(forward)).
 * GARCH and the intraday profile have unconditional mean 1, so they leave these moments unchanged; the
 * target uses simple returns, which differ from log returns by far less than sampling noise.
 */
export function expectedLeadLagIc(
  options: SyntheticMarketOptions,
  laggard: string,
  horizonMinutes: number,
): number {
  const alpha = options.plantedAlpha;
  if (!alpha) return 0;
  const parameters = syntheticSymbolParameters(options.symbols, options.seed);
  const leader = parameters.find((p) => p.symbol === alpha.leader);
  const follower = parameters.find((p) => p.symbol === laggard);
  if (!leader || !follower)
    throw new InvalidSyntheticOptionsError(`unknown symbol ${laggard} or ${alpha.leader}`);
  if (!laggardsOf(options.symbols, alpha).includes(laggard)) return 0;
  const factorVariance = SYNTHETIC_MODEL.factorVolPerMinute ** 2;
  const k = alpha.strength;
  const leaderVariance = leader.beta ** 2 * factorVariance + leader.idiosyncraticVolPerMinute ** 2;
  const laggardVariance =
    follower.beta ** 2 * factorVariance + follower.idiosyncraticVolPerMinute ** 2 + k ** 2 * leaderVariance;
  const overlap = Math.min(alpha.lagMinutes, horizonMinutes);
  const forwardVariance =
    horizonMinutes * laggardVariance +
    2 * Math.max(horizonMinutes - alpha.lagMinutes, 0) * k * leader.beta * follower.beta * factorVariance;
  return (k * Math.sqrt(overlap * leaderVariance)) / Math.sqrt(forwardVariance);
}

export function generateSyntheticMarket(options: SyntheticMarketOptions): KlineColumns[] {
  validate(options);
  const { symbols, startTimeMs, minutes, seed, plantedAlpha } = options;
  const parameters = syntheticSymbolParameters(symbols, seed);
  const normal = normalSource(mulberry32(seed));
  const shock = unitStudentTSource(normal, SYNTHETIC_MODEL.tailDegreesOfFreedom);
  const { garchAlpha, garchBeta } = SYNTHETIC_MODEL;
  const garchOmega = 1 - garchAlpha - garchBeta;
  const nextVariance = (variance: number, lastShock: number) =>
    garchOmega + garchAlpha * lastShock ** 2 * variance + garchBeta * variance;

  const leaderIndex = plantedAlpha ? symbols.indexOf(plantedAlpha.leader) : -1;
  const laggards = new Set(plantedAlpha ? laggardsOf(symbols, plantedAlpha) : []);
  const lagMinutes = plantedAlpha?.lagMinutes ?? 0;
  const strength = plantedAlpha?.strength ?? 0;
  const alphaFromMs = plantedAlpha?.fromMs ?? -Infinity;
  const leaderReturns = new Float64Array(minutes);

  const columns = symbols.map((symbol) => allocateColumns(symbol, minutes));
  const coinVariance = new Float64Array(symbols.length).fill(1);
  const coinShock = new Float64Array(symbols.length);
  const logPrice = Float64Array.from(parameters, (p) => Math.log(p.basePrice));
  const totalVolPerMinute = parameters.map((p) =>
    Math.hypot(p.beta * SYNTHETIC_MODEL.factorVolPerMinute, p.idiosyncraticVolPerMinute),
  );
  let factorVariance = 1;
  let factorShock = 0;

  for (let minute = 0; minute < minutes; minute++) {
    const openTimeMs = startTimeMs + minute * MINUTE_MS;
    const volScale = intradayVolatility(openTimeMs);
    factorVariance = nextVariance(factorVariance, factorShock);
    factorShock = shock();
    const factorReturn =
      SYNTHETIC_MODEL.factorVolPerMinute * volScale * Math.sqrt(factorVariance) * factorShock;
    const lagged = minute >= lagMinutes ? leaderReturns[minute - lagMinutes]! : 0;

    for (let coin = 0; coin < symbols.length; coin++) {
      const p = parameters[coin]!;
      coinVariance[coin] = nextVariance(coinVariance[coin]!, coinShock[coin]!);
      coinShock[coin] = shock();
      const idiosyncratic =
        p.idiosyncraticVolPerMinute * volScale * Math.sqrt(coinVariance[coin]!) * coinShock[coin]!;
      const follows = laggards.has(symbols[coin]!) && openTimeMs >= alphaFromMs;
      const logReturn = p.beta * factorReturn + idiosyncratic + (follows ? strength * lagged : 0);
      if (coin === leaderIndex) leaderReturns[minute] = logReturn;
      const prevLogPrice = logPrice[coin]!;
      logPrice[coin] = prevLogPrice + logReturn;
      writeCandle(columns[coin]!, minute, {
        openTimeMs,
        prevClose: Math.exp(prevLogPrice),
        close: Math.exp(prevLogPrice + logReturn),
        minuteVol: totalVolPerMinute[coin]! * volScale,
        activity: Math.abs(logReturn) / (totalVolPerMinute[coin]! * volScale),
        parameters: p,
        normal,
      });
    }
  }
  return options.gapRate
    ? columns.map((coinColumns, coin) => dropGaps(coinColumns, options.gapRate!, seed + coin))
    : columns;
}

interface CandleInputs {
  openTimeMs: number;
  prevClose: number;
  close: number;
  /** Expected standard deviation of this minute's log return. */
  minuteVol: number;
  /** |return| in units of minuteVol: busy minutes trade more. */
  activity: number;
  parameters: SyntheticSymbolParameters;
  normal: () => number;
}

function writeCandle(columns: KlineColumns, row: number, inputs: CandleInputs): void {
  const { prevClose, close, minuteVol, normal, parameters } = inputs;
  const decimals = parameters.priceDecimals;
  // The first trade lands near, not exactly at, the previous close.
  const open = roundTo(prevClose * Math.exp(0.1 * minuteVol * normal()), decimals);
  const roundedClose = roundTo(close, decimals);
  const high = roundTo(
    Math.max(open, roundedClose) * Math.exp(0.5 * minuteVol * Math.abs(normal())),
    decimals,
  );
  const low = roundTo(
    Math.min(open, roundedClose) * Math.exp(-0.5 * minuteVol * Math.abs(normal())),
    decimals,
  );
  const averagePrice = (open + high + low + roundedClose) / 4;

  const quoteVolume =
    parameters.quoteVolumePerMinute *
    intradayVolume(inputs.openTimeMs) *
    (0.5 + 0.5 * inputs.activity) *
    Math.exp(0.35 * normal() - 0.06125);
  const trades = Math.round(
    (quoteVolume / SYNTHETIC_MODEL.averageTradeQuote) * Math.exp(0.2 * normal() - 0.02),
  );
  const volume = trades === 0 ? 0 : roundTo(quoteVolume / averagePrice, 8);
  // Buyers lift the offer in rising minutes: the taker-buy share leans with the return.
  const upness = Math.tanh((Math.log(roundedClose / prevClose) / minuteVol) * 0.5);
  const takerBuyShare = Math.min(1, Math.max(0, 0.5 + 0.2 * upness + 0.05 * normal()));
  const takerBuyBaseVolume = roundTo(volume * takerBuyShare, 8);

  columns.openTimeMs[row] = inputs.openTimeMs;
  columns.open[row] = open;
  columns.high[row] = high;
  columns.low[row] = low;
  columns.close[row] = roundedClose;
  columns.volume[row] = volume;
  columns.quoteVolume[row] = roundTo(volume * averagePrice, 8);
  columns.trades[row] = trades;
  columns.takerBuyBaseVolume[row] = takerBuyBaseVolume;
  columns.takerBuyQuoteVolume[row] = roundTo(takerBuyBaseVolume * averagePrice, 8);
}

/** An integer divided by an exact power of ten is the double nearest the decimal, so it prints short. */
function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

function dayPhase(openTimeMs: number): number {
  const hourOfDay = (((openTimeMs % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
  return (2 * Math.PI * (hourOfDay - SYNTHETIC_MODEL.peakHourUtc)) / 24;
}

/** Divided by sqrt(1 + a^2 / 2), the mean of (1 + a cos)^2 over a day, so variance averages to 1. */
function intradayVolatility(openTimeMs: number): number {
  const a = SYNTHETIC_MODEL.intradayVolAmplitude;
  return (1 + a * Math.cos(dayPhase(openTimeMs))) / Math.sqrt(1 + (a * a) / 2);
}

function intradayVolume(openTimeMs: number): number {
  const weekday = new Date(openTimeMs).getUTCDay();
  const weekend = weekday === 0 || weekday === 6 ? SYNTHETIC_MODEL.weekendVolumeFactor : 1;
  return (1 + SYNTHETIC_MODEL.intradayVolumeAmplitude * Math.cos(dayPhase(openTimeMs))) * weekend;
}

/**
 * Removes runs of 1..gapRunMaxMinutes minutes, started so that about gapRate of all minutes go missing.
 * Its own random stream: the same seed gives the same prices with or without gaps.
 */
function dropGaps(columns: KlineColumns, gapRate: number, seed: number): KlineColumns {
  const uniform = mulberry32(seed ^ 0x5bd1e995);
  const maxRun = SYNTHETIC_MODEL.gapRunMaxMinutes;
  const startProbability = gapRate / ((1 + maxRun) / 2);
  const keep: number[] = [];
  const rowCount = columns.openTimeMs.length;
  for (let row = 0; row < rowCount; row++) {
    if (uniform() < startProbability) {
      row += Math.floor(uniform() * maxRun); // this row and the next ones up to the run length are dropped
      continue;
    }
    keep.push(row);
  }
  const kept = allocateColumns(columns.symbol, keep.length);
  for (const field of Object.keys(kept) as Array<keyof KlineColumns>) {
    if (field === 'symbol') continue;
    const source = columns[field];
    const target = kept[field];
    keep.forEach((row, at) => (target[at] = source[row]!));
  }
  return kept;
}

function laggardsOf(symbols: readonly string[], alpha: PlantedAlpha): string[] {
  return alpha.laggards ?? symbols.filter((symbol) => symbol !== alpha.leader);
}

function validate(options: SyntheticMarketOptions): void {
  const fail = (problem: string, hint: string): never => {
    throw new InvalidSyntheticOptionsError(`synthetic market: ${problem}`, hint);
  };
  if (options.symbols.length === 0 || new Set(options.symbols).size !== options.symbols.length) {
    fail('symbols must be a non-empty list without repeats', 'pass distinct symbols, e.g. BTCUSDT,ETHUSDT');
  }
  if (options.startTimeMs % MINUTE_MS !== 0)
    fail('startTimeMs is not on a minute', 'start on a whole minute (UTC)');
  if (!Number.isInteger(options.minutes) || options.minutes <= 0)
    fail(`minutes ${options.minutes} is not a positive whole number`, 'e.g. 40320 for four weeks');
  const gapRate = options.gapRate ?? 0;
  if (!(gapRate >= 0 && gapRate < 0.5))
    fail(`gapRate ${gapRate} is outside [0, 0.5)`, 'a few percent (0.01) already exercises masking');
  const alpha = options.plantedAlpha;
  if (alpha) {
    if (!options.symbols.includes(alpha.leader))
      fail(`leader ${alpha.leader} is not among the symbols`, 'pick the leader from the symbols');
    if (!Number.isInteger(alpha.lagMinutes) || alpha.lagMinutes < 1)
      fail(`lagMinutes ${alpha.lagMinutes} must be a whole number ≥ 1`, 'e.g. 5');
    if (!(Math.abs(alpha.strength) < 1)) fail(`strength ${alpha.strength} must lie in (-1, 1)`, 'e.g. 0.3');
    if (alpha.fromMs !== undefined && alpha.fromMs % MINUTE_MS !== 0)
      fail('plantedAlpha.fromMs is not on a minute', 'start the lead-lag on a whole minute (UTC)');
    for (const laggard of laggardsOf(options.symbols, alpha)) {
      if (laggard === alpha.leader || !options.symbols.includes(laggard))
        fail(`laggard ${laggard} is the leader or unknown`, 'list other symbols as laggards');
    }
  }
}

/**
 * The strategy a model trades with: per pair, the calibration and the long/short thresholds chosen on
 * validation data, plus the fee, horizon and overlap rule they were chosen under. Stored beside the
 * model as `thresholds.json`; the backtest and the live paper trader read the same file, so what was
 * validated is what trades.
 */
import { z } from 'zod';
import { Alpha15Error } from '../errors.js';

export const THRESHOLDS_FILE = 'thresholds.json';

export class StrategyParamsError extends Alpha15Error {
  readonly code = 'STRATEGY_PARAMS';
}

const finite = z.number().refine(Number.isFinite, 'a finite number');

/** realised ≈ intercept + slope · prediction, fitted per pair by least squares on validation data. */
export const calibrationSchema = z.object({
  intercept: finite,
  slope: finite,
  samples: z.number().int().nonnegative(),
  /** Share of the realised variance the fit explains, on the data it was fitted on. */
  r2: finite,
});
export type Calibration = z.infer<typeof calibrationSchema>;

/** One point of a threshold sweep: what trading at this threshold did on the validation data. */
export const thresholdPointSchema = z.object({
  threshold: finite,
  /** The quantile of the validation predictions this threshold sits at. */
  quantile: finite,
  trades: z.number().int().nonnegative(),
  avgNetReturn: z.number().nullable(),
  totalNetReturn: finite,
  firstHalfAvgNetReturn: z.number().nullable(),
  secondHalfAvgNetReturn: z.number().nullable(),
  /** Meets the minimum trade count and is profitable in both halves of the validation period. */
  eligible: z.boolean(),
});
export type ThresholdPoint = z.infer<typeof thresholdPointSchema>;

export const sideParamsSchema = z.object({
  /** The chosen threshold, or null when no candidate was eligible: that side of the pair does not trade. */
  threshold: finite.nullable(),
  chosen: thresholdPointSchema.nullable(),
  curve: z.array(thresholdPointSchema),
});
export type SideParams = z.infer<typeof sideParamsSchema>;

export const pairParamsSchema = z.object({
  /** Null when calibration is off or the pair had too little validation data to fit it. */
  calibration: calibrationSchema.nullable(),
  /** Go long when the (calibrated) prediction is at or above the long threshold. */
  long: sideParamsSchema,
  /** Go short when the (calibrated) prediction is at or below the short threshold. */
  short: sideParamsSchema,
  validationSamples: z.number().int().nonnegative(),
});
export type PairParams = z.infer<typeof pairParamsSchema>;

export const strategyParamsSchema = z.object({
  version: z.literal(1),
  horizonMinutes: z.number().int().positive(),
  feeRatePerSide: z.number().min(0).lt(0.1),
  overlap: z.enum(['skip', 'stack']),
  minTrades: z.number().int().positive(),
  /** Whether thresholds apply to calibrated predictions (true) or raw model outputs (false). */
  calibrated: z.boolean(),
  validation: z.object({ fromMs: z.number(), toMs: z.number(), splitMs: z.number() }),
  pairs: z.record(z.string(), pairParamsSchema),
});
export type StrategyParams = z.infer<typeof strategyParamsSchema>;
export type Overlap = StrategyParams['overlap'];

/** Parses `thresholds.json` (bytes, text or an object); a wrong file is a typed error naming the field. */
export function parseStrategyParams(
  input: Uint8Array | string | unknown,
  source = THRESHOLDS_FILE,
): StrategyParams {
  let value = input;
  try {
    if (input instanceof Uint8Array) value = JSON.parse(new TextDecoder().decode(input));
    else if (typeof input === 'string') value = JSON.parse(input);
  } catch (error) {
    throw new StrategyParamsError(
      `${source} is not valid JSON`,
      'retrain the model or refit its thresholds',
      {
        cause: error,
      },
    );
  }
  const parsed = strategyParamsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StrategyParamsError(
      `${source} is invalid at "${issue.path.join('.')}": ${issue.message}`,
      'retrain the model or refit its thresholds (fitStrategy) so the file matches this version',
    );
  }
  return parsed.data;
}

/** True when at least one side of the pair has a threshold. */
export function pairTrades(pair: PairParams | undefined): boolean {
  return pair !== undefined && (pair.long.threshold !== null || pair.short.threshold !== null);
}

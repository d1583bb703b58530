/** Hand-set strategy parameters for tests of the decision step and the replay. */
import type { Calibration, PairParams, SideParams, StrategyParams } from '../../src/strategy/params.js';
import { strategyParamsSchema } from '../../src/strategy/params.js';
import type { ExecutionModel } from '../../src/strategy/execution.js';
import type { VenueModel } from '../../src/strategy/venue.js';

export interface PairThresholds {
  long?: number | null;
  short?: number | null;
  calibration?: Calibration | null;
}

function side(threshold: number | null | undefined): SideParams {
  return { threshold: threshold ?? null, chosen: null, curve: [] };
}

export function handSetStrategy(
  pairs: Record<string, PairThresholds>,
  options: Partial<Pick<StrategyParams, 'overlap' | 'horizonMinutes' | 'feeRatePerSide' | 'calibrated'>> = {},
): StrategyParams {
  const pairParams: Record<string, PairParams> = {};
  for (const [symbol, thresholds] of Object.entries(pairs)) {
    pairParams[symbol] = {
      calibration: thresholds.calibration ?? null,
      long: side(thresholds.long),
      short: side(thresholds.short),
      validationSamples: 0,
    };
  }
  return strategyParamsSchema.parse({
    version: 1,
    horizonMinutes: options.horizonMinutes ?? 15,
    feeRatePerSide: options.feeRatePerSide ?? 0.001,
    overlap: options.overlap ?? 'skip',
    minTrades: 20,
    calibrated: options.calibrated ?? false,
    validation: { fromMs: 0, toMs: 0, splitMs: 0 },
    pairs: pairParams,
  });
}

/**
 * A fill model on a venue that charges 0.1% per side on both liquidities and nothing else (no borrow,
 * no funding, shorts allowed): the fee arithmetic the hand-checked cases assume.
 */
export function handExecution(
  entry: ExecutionModel['entry'],
  slippageRatePerSide: Record<string, number> = {},
  venue: Partial<VenueModel> = {},
): ExecutionModel {
  return {
    entry,
    slippageRatePerSide,
    venue: {
      venue: 'spot-margin',
      shortsAllowed: true,
      takerFeeRatePerSide: 0.001,
      makerFeeRatePerSide: 0.001,
      borrowRatePerHour: {},
      interestAccrual: 'hourly',
      funding: null,
      ...venue,
    },
  };
}

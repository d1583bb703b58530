/** Hand-set strategy parameters for tests of the decision step and the replay. */
import type { Calibration, PairParams, SideParams, StrategyParams } from '../../src/strategy/params.js';
import { strategyParamsSchema } from '../../src/strategy/params.js';

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

/**
 * The tick's model: the champion from the registry with the strategy (`thresholds.json`) stored beside
 * it. The pointer is read on every tick and the weights reloaded only when it changes, so a promotion or
 * a refit takes effect at the next minute without a restart.
 */
import { assertStrategyFitsModel } from '../contracts/run-invariants.js';
import { selectBackend } from '../model/backend.js';
import { predictRange } from '../model/predict-range.js';
import { loadPredictor, type Predictor } from '../model/predictor.js';
import { CHAMPION, getChampion, getModelFile, readModelMeta } from '../model/registry.js';
import { ModelNotFoundError } from '../model/registry-errors.js';
import { Alpha15Error } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { THRESHOLDS_FILE, parseStrategyParams, type StrategyParams } from '../strategy/params.js';
import { MINUTE_MS } from '../time.js';
import type { ModelLoader, TickModel } from './model.js';

export class MissingStrategyError extends Alpha15Error {
  readonly code = 'MISSING_STRATEGY';
}

/** Wraps a predictor and its strategy as the tick's model. */
export function tickModelOf(predictor: Predictor, strategy: StrategyParams): TickModel {
  const { windowMinutes, symbols } = predictor.meta;
  return {
    id: predictor.id,
    symbols,
    windowMinutes,
    strategy,
    predict: async (frame) => {
      const lastMinuteMs = frame.startTimeMs + (frame.length - 1) * MINUTE_MS;
      const returns = await predictRange(predictor, frame, [lastMinuteMs]);
      return Object.fromEntries(symbols.map((symbol, coin) => [symbol, returns[coin]!]));
    },
  };
}

/**
 * Loads `idOrChampion` (default the champion), reusing the loaded weights while the id stays the same.
 * `charged.feeRatePerSide` is the fee the ledger will charge: thresholds chosen net of another fee are refused.
 */
export function cachedModelLoader(
  store: ObjectStore,
  idOrChampion = 'champion',
  charged: { feeRatePerSide?: number } = {},
): ModelLoader {
  let cached:
    | { id: string; weightsSha256?: string; strategyBytes: string; model: TickModel; predictor: Predictor }
    | undefined;
  return async () => {
    await selectBackend();
    const pointer = idOrChampion === CHAMPION ? await getChampion(store) : undefined;
    if (idOrChampion === CHAMPION && pointer === undefined) throw new ModelNotFoundError(CHAMPION);
    const modelId = pointer?.modelId ?? idOrChampion;
    // the pointer's digest is part of what is cached: a re-pointed champion is loaded and checked again
    const weightsSha256 = pointer?.weightsSha256;
    // meta.json is read once: it checks the thresholds here and the weights below
    const meta = await readModelMeta(store, modelId);
    const bytes = await getModelFile(store, modelId, THRESHOLDS_FILE, meta);
    if (bytes === undefined) {
      throw new MissingStrategyError(
        `model ${modelId} has no ${THRESHOLDS_FILE}`,
        'fit its thresholds (training does so at its end) before paper trading',
      );
    }
    const strategyBytes = new TextDecoder().decode(bytes);
    const sameWeights = cached?.id === modelId && cached.weightsSha256 === weightsSha256;
    if (sameWeights && cached?.strategyBytes === strategyBytes) return cached.model;
    const strategy = parseStrategyParams(strategyBytes, `${modelId}/${THRESHOLDS_FILE}`);
    const predictor =
      sameWeights && cached ? cached.predictor : await loadPredictor(store, modelId, { weightsSha256, meta });
    try {
      assertStrategyFitsModel(predictor.meta, strategy, charged);
    } catch (error) {
      // the model in use keeps trading; a refused newcomer releases its weights
      if (predictor !== cached?.predictor) predictor.dispose();
      throw error;
    }
    if (cached && cached.predictor !== predictor) cached.predictor.dispose();
    const model = tickModelOf(predictor, strategy);
    cached = { id: modelId, weightsSha256, strategyBytes, model, predictor };
    return model;
  };
}

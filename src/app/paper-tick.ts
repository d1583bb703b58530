/**
 * The paper-trading tick as a use case: its dependencies built from a store, the config and a Binance
 * client (shared by `alpha15 paper`, the replay and the every-minute Lambda, so they differ only in
 * where the clock and the market come from), and `paperTick`, the tick with the rule they all follow
 * when the store has no champion yet.
 */
import type { Config } from '../config/schema.js';
import type { BinanceClient } from '../market/binance-client.js';
import type { ObjectStore } from '../store/object-store.js';
import { openTelemetrySink } from '../telemetry/open-sink.js';
import type { TelemetrySink } from '../telemetry/sink.js';
import { cachedModelLoader } from '../paper/champion.js';
import { Ledger } from '../paper/ledger.js';
import type { ModelLoader } from '../paper/model.js';
import { tick, type TickDeps, type TickResult } from '../paper/tick.js';
import { CHAMPION } from '../model/registry.js';
import { ModelNotFoundError } from '../model/registry-errors.js';
import { MINUTE_MS, floorToMinute } from '../time.js';
import { venueTakerFeeRatePerSide } from '../strategy/venue.js';

export interface PaperDepsOptions {
  store: ObjectStore;
  config: Config;
  binance: TickDeps['binance'] | BinanceClient;
  /** Model id or 'champion' (default). */
  model?: string;
  loadModel?: ModelLoader;
  sink?: TelemetrySink;
  log?: (message: string) => void;
}

export function paperTickDeps(options: PaperDepsOptions): TickDeps {
  return {
    // the trader moves a corrupt object aside and keeps trading the rest (the tick reports it)
    ledger: new Ledger(options.store, { onCorrupt: 'quarantine' }),
    binance: options.binance,
    loadModel:
      options.loadModel ??
      cachedModelLoader(options.store, options.model, {
        feeRatePerSide: venueTakerFeeRatePerSide(
          options.config.execution,
          options.config.strategy.feeRatePerSide,
        ),
      }),
    sink: options.sink ?? openTelemetrySink(options.config.telemetry, options.store),
    config: options.config,
    log: options.log,
  };
}

/**
 * One tick of paper trading. Without a champion (a fresh store, or a deployment before its first
 * training job has produced one) the minute is skipped, not failed: status 'no-champion', nothing
 * written, the next minute looks again. The Lambda records the skip as a metric, `alpha15 paper` and the
 * replay report it per minute; the one read of the champion pointer is the model loader's.
 */
export async function paperTick(nowMs: number, deps: TickDeps): Promise<TickResult> {
  try {
    return await tick(nowMs, deps);
  } catch (error) {
    if (!(error instanceof ModelNotFoundError && error.modelId === CHAMPION)) throw error;
    const minuteMs = floorToMinute(nowMs) - MINUTE_MS;
    return { minuteMs, status: 'no-champion', decidedHere: false, opened: [], closed: [] };
  }
}

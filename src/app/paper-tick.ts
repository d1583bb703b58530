/**
 * Builds the tick's dependencies from a store, the config and a Binance client: the one composition
 * shared by `alpha15 paper`, the replay and the every-minute Lambda, so they differ only in where the
 * clock and the market come from.
 */
import type { Config } from '../config/schema.js';
import type { BinanceClient } from '../market/binance-client.js';
import type { ObjectStore } from '../store/object-store.js';
import { openTelemetrySink } from '../telemetry/open-sink.js';
import type { TelemetrySink } from '../telemetry/sink.js';
import { registryModelLoader } from '../paper/champion.js';
import { Ledger } from '../paper/ledger.js';
import type { ModelLoader } from '../paper/model.js';
import type { TickDeps } from '../paper/tick.js';
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
      registryModelLoader(options.store, options.model, {
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

/**
 * The one composition point: the config (and the process environment, for what only the platform
 * knows) turned into the adapters the use cases run on: the store, the Binance client and the clock
 * here, the telemetry sink in compose-telemetry.ts (its own module, so that a Lambda sending no
 * telemetry does not bundle the OpenSearch client). The CLI, every Lambda handler and the training
 * container take their adapters from these two (test/app/compose.test.ts fails on one built
 * elsewhere); a Lambda's config comes from its function settings through `composeFunction`.
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { AWS_REGION_ENV_VARIABLE } from '../contracts/environment.js';
import { BinanceClient, type BinanceClientOptions } from '../market/binance-client.js';
import type { ObjectStore } from '../store/object-store.js';
import { openStore } from '../store/open-store.js';

export interface Adapters {
  config: Config;
  store: ObjectStore;
  /** Built on first use, against `config.binanceBaseUrl`. */
  readonly binance: BinanceClient;
  /** Wall clock, epoch ms. */
  clock: () => number;
  /** The region whose credentials sign OpenSearch requests whatever the URL (a Lambda's role), if any. */
  signTelemetryIn?: string;
}

export interface AdapterSettings {
  /** Request terms for Binance; default the config's request timeout and the client's retries. */
  binance?: Pick<BinanceClientOptions, 'timeoutMs' | 'maxRetries'>;
  /** Sign OpenSearch requests with the process's AWS credentials whatever the URL (a Lambda's role). */
  signTelemetry?: boolean;
  clock?: () => number;
}

export function composeAdapters(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  settings: AdapterSettings = {},
): Adapters {
  let binance: BinanceClient | undefined;
  return {
    config,
    store: openStore(config.store),
    clock: settings.clock ?? Date.now,
    signTelemetryIn: settings.signTelemetry ? (env[AWS_REGION_ENV_VARIABLE] ?? 'us-east-1') : undefined,
    get binance() {
      binance ??= new BinanceClient({
        baseUrl: config.binanceBaseUrl,
        timeoutMs: settings.binance?.timeoutMs ?? config.requestTimeoutMs,
        maxRetries: settings.binance?.maxRetries,
      });
      return binance;
    },
  };
}

/** The settings a Lambda's construct may set that reach the config (src/contracts/function-env.ts). */
export interface FunctionConfigSettings {
  storeUrl: string;
  symbols?: readonly string[];
  /** The stack's OpenSearch domain; without one a function sends no telemetry. */
  opensearchUrl?: string;
  indexPrefix?: string;
}

/**
 * A Lambda's adapters: its config from its settings over the ALPHA15_* variables the construct sets
 * (read by the config loader as the CLI reads them), its telemetry signed with the function's role.
 */
export function composeFunction(
  settings: FunctionConfigSettings,
  adapterSettings: AdapterSettings = {},
  env: NodeJS.ProcessEnv = process.env,
): Adapters {
  const config = loadConfig({
    env,
    flags: {
      store: settings.storeUrl,
      symbols: settings.symbols,
      'telemetry.sink': settings.opensearchUrl ? 'opensearch' : 'none',
      'telemetry.opensearchUrl': settings.opensearchUrl,
      'telemetry.indexPrefix': settings.indexPrefix,
    },
  });
  return composeAdapters(config, env, { signTelemetry: true, ...adapterSettings });
}

/**
 * The telemetry sink of a composition (src/app/compose.ts): the config's sink on the composition's
 * store, signed as the composition says. Its own module, so that only the processes that send
 * telemetry (the CLI, the paper tick, the runs indexer) bundle the OpenSearch client.
 */
import { openTelemetrySink, type SinkSettings } from '../telemetry/open-sink.js';
import type { TelemetrySink } from '../telemetry/sink.js';
import type { Adapters } from './compose.js';

export function composeSink(
  adapters: Pick<Adapters, 'config' | 'store' | 'signTelemetryIn'>,
  settings: Omit<SinkSettings, 'signIn'> = {},
): TelemetrySink {
  return openTelemetrySink(adapters.config.telemetry, adapters.store, {
    ...settings,
    signIn: adapters.signTelemetryIn,
  });
}

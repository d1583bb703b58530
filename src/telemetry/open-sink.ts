/**
 * Turns the config's telemetry section into a sink: JSONL beside the store's data (a `telemetry/`
 * folder for a local store, `telemetry/` objects otherwise), OpenSearch, or none. The stack's domain
 * serves only signed requests, so an Amazon OpenSearch Service URL gets the SigV4 client (the caller's
 * AWS credentials, e.g. a profile that assumes the stack's operator role); any other URL is used as
 * given (a local cluster, credentials in the URL) unless `signIn` names a region to sign for (a Lambda
 * signs with its role whatever the URL). src/app/compose.ts is the composition that calls this.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { JsonlSink } from './jsonl-sink.js';
import { OpenSearchSink } from './opensearch-sink.js';
import { awsDomainRegion, signedOpenSearchClient } from './signed-client.js';
import { nullSink, type TelemetrySink } from './sink.js';

export class TelemetryConfigError extends Alpha15Error {
  readonly code = 'TELEMETRY_CONFIG';
}

export interface SinkSettings {
  /** Per OpenSearch request; the sink retries per document, so the client's own retries stay off. */
  requestTimeoutMs?: number;
  /** Attempts per OpenSearch batch, the first included. */
  maxAttempts?: number;
  /** Sign every OpenSearch request for this region, whatever the URL. */
  signIn?: string;
}

export function openTelemetrySink(
  telemetry: Config['telemetry'],
  store: ObjectStore,
  settings: SinkSettings = {},
): TelemetrySink {
  if (telemetry.sink === 'none') return nullSink();
  if (telemetry.sink === 'opensearch') {
    if (!telemetry.opensearchUrl) {
      throw new TelemetryConfigError(
        'telemetry.sink is opensearch but no OpenSearch URL is set',
        'set telemetry.opensearchUrl (or ALPHA15_TELEMETRY__OPENSEARCH_URL)',
      );
    }
    const url = telemetry.opensearchUrl;
    const region = settings.signIn ?? awsDomainRegion(url);
    const requestTimeoutMs = settings.requestTimeoutMs ?? 10_000;
    const client = region ? signedOpenSearchClient({ url, region, requestTimeoutMs }) : undefined;
    return new OpenSearchSink({
      node: url,
      client,
      indexPrefix: telemetry.indexPrefix,
      maxAttempts: settings.maxAttempts,
    });
  }
  return store.url.startsWith('file:')
    ? new JsonlSink({ dir: path.join(fileURLToPath(store.url), 'telemetry') })
    : new JsonlSink({ store });
}

/**
 * The one composition point that turns config into a telemetry sink: JSONL beside the store's data
 * (a `telemetry/` folder for a local store, `telemetry/` objects otherwise) or OpenSearch. The stack's
 * domain serves only signed requests, so an Amazon OpenSearch Service URL gets the SigV4 client (the
 * caller's AWS credentials, e.g. a profile that assumes the stack's operator role); any other URL is
 * used as given (a local cluster, credentials in the URL).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { JsonlSink } from './jsonl-sink.js';
import { OpenSearchSink } from './opensearch-sink.js';
import { awsDomainRegion, signedOpenSearchClient } from './signed-client.js';
import type { TelemetrySink } from './sink.js';

export class TelemetryConfigError extends Alpha15Error {
  readonly code = 'TELEMETRY_CONFIG';
}

export function openTelemetrySink(telemetry: Config['telemetry'], store: ObjectStore): TelemetrySink {
  if (telemetry.sink === 'opensearch') {
    if (!telemetry.opensearchUrl) {
      throw new TelemetryConfigError(
        'telemetry.sink is opensearch but no OpenSearch URL is set',
        'set telemetry.opensearchUrl (or ALPHA15_TELEMETRY__OPENSEARCH_URL)',
      );
    }
    const url = telemetry.opensearchUrl;
    const region = awsDomainRegion(url);
    const client = region ? signedOpenSearchClient({ url, region, requestTimeoutMs: 10_000 }) : undefined;
    return new OpenSearchSink({ node: url, client, indexPrefix: telemetry.indexPrefix });
  }
  return store.url.startsWith('file:')
    ? new JsonlSink({ dir: path.join(fileURLToPath(store.url), 'telemetry') })
    : new JsonlSink({ store });
}

/**
 * The telemetry sink of a Lambda in AWS: the OpenSearch adapter over the signed client (the function's
 * role, which `Observability.grantWrite` names in the domain's policy and the setup maps onto the writer
 * role). Without a domain, records go to the ledger or the store only.
 */
import { OpenSearchSink } from '../../src/telemetry/opensearch-sink.js';
import { nullSink, type TelemetrySink } from '../../src/telemetry/sink.js';
import { signedOpenSearchClient } from '../../src/telemetry/signed-client.js';

export function lambdaTelemetrySink(options: {
  url?: string;
  indexPrefix: string;
  /** Per request; the sink retries per document, so the client's own retries stay off. */
  requestTimeoutMs: number;
  /** Attempts per batch, the first included. */
  maxAttempts: number;
  region?: string;
}): TelemetrySink {
  if (!options.url) return nullSink();
  const client = signedOpenSearchClient({
    url: options.url,
    region: options.region,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  return new OpenSearchSink({ client, indexPrefix: options.indexPrefix, maxAttempts: options.maxAttempts });
}

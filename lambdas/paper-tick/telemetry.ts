/**
 * The paper tick's telemetry sink in AWS: the OpenSearch adapter over the signed client (the
 * function's role, which `Observability.grantWrite` names in the domain's policy and the setup maps
 * onto the writer role). Without a domain the tick records to the ledger only.
 */
import { signedOpenSearchClient } from '../../src/telemetry/signed-client.js';
import { OpenSearchSink } from '../../src/telemetry/opensearch-sink.js';
import { nullSink, type TelemetrySink } from '../../src/telemetry/sink.js';

export function lambdaTelemetrySink(options: {
  url?: string;
  indexPrefix: string;
  region?: string;
}): TelemetrySink {
  if (!options.url) return nullSink();
  // the tick must finish inside its minute
  const client = signedOpenSearchClient({
    url: options.url,
    region: options.region,
    requestTimeoutMs: 5_000,
  });
  return new OpenSearchSink({ client, indexPrefix: options.indexPrefix, maxAttempts: 2 });
}

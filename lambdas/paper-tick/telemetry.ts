/**
 * The paper tick's telemetry sink in AWS: the OpenSearch adapter with a client that signs every
 * request with the function's role (SigV4), which the setup custom resource mapped to the writer role.
 * Without a domain the tick records to the ledger only.
 */
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { OpenSearchSink } from '../../src/telemetry/opensearch-sink.js';
import { nullSink, type TelemetrySink } from '../../src/telemetry/sink.js';

export function lambdaTelemetrySink(options: {
  url?: string;
  indexPrefix: string;
  region?: string;
}): TelemetrySink {
  if (!options.url) return nullSink();
  const client = new Client({
    ...AwsSigv4Signer({ region: options.region ?? process.env.AWS_REGION ?? 'us-east-1', service: 'es' }),
    node: options.url,
    // the sink retries per document; the tick must finish inside its minute
    maxRetries: 0,
    requestTimeout: 5_000,
  });
  return new OpenSearchSink({ client, indexPrefix: options.indexPrefix, maxAttempts: 2 });
}

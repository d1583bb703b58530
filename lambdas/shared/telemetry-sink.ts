/**
 * The telemetry sink of a Lambda in AWS: the OpenSearch adapter with a client that signs every request
 * with the function's role (SigV4), which the setup custom resource mapped to the writer role
 * (Observability.grantWrite). Without a domain, records go to the ledger or the store only.
 */
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { OpenSearchSink } from '../../src/telemetry/opensearch-sink.js';
import { nullSink, type TelemetrySink } from '../../src/telemetry/sink.js';

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
  const client = new Client({
    ...AwsSigv4Signer({ region: options.region ?? process.env.AWS_REGION ?? 'us-east-1', service: 'es' }),
    node: options.url,
    maxRetries: 0,
    requestTimeout: options.requestTimeoutMs,
  });
  return new OpenSearchSink({ client, indexPrefix: options.indexPrefix, maxAttempts: options.maxAttempts });
}

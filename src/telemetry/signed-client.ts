/**
 * The one way to talk to the stack's OpenSearch domain: a client that signs every request with the
 * caller's AWS credentials (SigV4, service `es`): a Lambda's role, or whatever the default credential
 * chain finds. The domain's resource policy names each caller's role and fine-grained access control
 * maps it onto an OpenSearch role (infra/observability.ts); the domain accepts nothing unsigned.
 */
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { AWS_REGION_ENV_VARIABLE } from '../contracts/environment.js';

/** The region of an Amazon OpenSearch Service endpoint (`search-<domain>-<id>.<region>.es.amazonaws.com`), else undefined. */
export function awsDomainRegion(url: string): string | undefined {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return undefined;
  }
  return /\.([a-z]{2}(?:-[a-z]+)+-\d+)\.es\.amazonaws\.com(?:\.cn)?$/.exec(hostname)?.[1];
}

export function signedOpenSearchClient(options: {
  url: string;
  requestTimeoutMs: number;
  region?: string;
}): Client {
  return new Client({
    ...AwsSigv4Signer({
      region: options.region ?? process.env[AWS_REGION_ENV_VARIABLE] ?? 'us-east-1',
      service: 'es',
    }),
    node: options.url,
    // callers retry on their own terms (the sink per document; a failed setup fails its deployment)
    maxRetries: 0,
    requestTimeout: options.requestTimeoutMs,
  });
}

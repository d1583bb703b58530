/**
 * A local HTTP server speaking the small part of the OpenSearch REST API the sink and the setup use:
 * index templates, `_bulk`, the security plugin's roles and mappings, and the Dashboards import. Tests
 * script its failures (whole-request 503s, per-document statuses) and read back what a real cluster
 * would hold. With `requireSigV4` it authenticates as an AWS domain without a password does: every
 * request must carry a SigV4 signature by the given key for service `es`, which it recomputes with
 * aws4 (the signer the OpenSearch client uses) over the method, path, signed headers and the body's
 * hash; anything else (Basic auth, no signature, another key, altered bytes) is answered 403.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

/** The part of aws4 (CommonJS, untyped) the stand-in calls. */
const aws4 = createRequire(import.meta.url)('aws4') as {
  sign(
    request: {
      method?: string;
      host?: string;
      path?: string;
      headers: Record<string, string>;
      body?: Buffer;
      service: string;
      region: string;
    },
    credentials: { accessKeyId: string; secretAccessKey: string },
  ): { headers: Record<string, string> };
};

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface FakeOpenSearch {
  url: string;
  /** Every request in arrival order, as "METHOD /path". */
  requests: string[];
  templates: Map<
    string,
    {
      index_patterns: string[];
      template: {
        settings?: Record<string, unknown>;
        mappings: { properties: Record<string, { type: string }> };
      };
    }
  >;
  /** Documents by index, then by _id. */
  documents: Map<string, Map<string, Record<string, unknown>>>;
  /** Whole bulk requests still to answer with 503. */
  failNextBulkRequests: number;
  /** Per-document statuses to answer, by _id, consumed one per attempt. */
  itemStatuses: Map<string, number[]>;
  /** The authorization header of every request, in arrival order. */
  authorizations: (string | undefined)[];
  /** Security-plugin roles and role mappings, by name, as last PUT. */
  securityRoles: Map<string, unknown>;
  roleMappings: Map<string, { backend_roles: string[] }>;
  /** Settings PUT on existing indices (`PUT /<index or pattern>/_settings`), by index or pattern. */
  indexSettings: Map<string, unknown>;
  /**
   * Saved objects imported through the Dashboards import API (under `/_dashboards`), by id, with the
   * security tenant the import named (the `securitytenant` header; none: the user's private tenant).
   */
  savedObjects: Map<string, { type: string; tenant: string | undefined }>;
  /** Requests refused for their authentication ("METHOD /path: reason"), in arrival order. */
  refused: string[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const SIGV4_AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/;

/** Why a request is not signed by `credentials` for `es`, or undefined when it is. */
export function sigV4Refusal(
  request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  body: Buffer,
  credentials: SigV4Credentials,
): string | undefined {
  const authorization = request.headers.authorization ?? '';
  const match = SIGV4_AUTHORIZATION.exec(authorization);
  if (!match) return `not SigV4-signed (${authorization.split(' ')[0] || 'no Authorization header'})`;
  const [, accessKeyId, region, service, signedHeaderNames] = match;
  if (accessKeyId !== credentials.accessKeyId) return `signed by another key (${accessKeyId})`;
  if (region !== credentials.region || service !== 'es') return `signed for ${region}/${service}`;
  const bodyHash = createHash('sha256').update(body).digest('hex');
  if (request.headers['x-amz-content-sha256'] !== bodyHash) return 'the body differs from the one signed';
  const signedHeaders: Record<string, string> = {};
  for (const name of signedHeaderNames!.split(';')) {
    const value = request.headers[name];
    if (value === undefined) return `signed header ${name} is missing`;
    signedHeaders[name] = String(value);
  }
  const resigned = aws4.sign(
    {
      method: request.method,
      host: signedHeaders.host,
      path: request.url,
      headers: signedHeaders,
      // aws4 adds content headers to any body, an empty one included; a bodiless request signed none
      body: body.length > 0 ? body : undefined,
      service: 'es',
      region: credentials.region,
    },
    { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  );
  return resigned.headers.Authorization === authorization ? undefined : 'the signature does not match';
}

export async function startFakeOpenSearch(
  options: { requireSigV4?: SigV4Credentials } = {},
): Promise<FakeOpenSearch> {
  const fake: Omit<FakeOpenSearch, 'url' | 'close'> = {
    requests: [],
    templates: new Map(),
    documents: new Map(),
    failNextBulkRequests: 0,
    itemStatuses: new Map(),
    authorizations: [],
    securityRoles: new Map(),
    roleMappings: new Map(),
    indexSettings: new Map(),
    savedObjects: new Map(),
    refused: [],
  };
  const server = createServer(async (request, response) => {
    const bytes = await readBody(request);
    const body = bytes.toString('utf8');
    const url = new URL(request.url ?? '/', 'http://localhost');
    fake.requests.push(`${request.method} ${url.pathname}`);
    fake.authorizations.push(request.headers.authorization);
    const reply = (status: number, json: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    const refusal = options.requireSigV4 && sigV4Refusal(request, bytes, options.requireSigV4);
    if (refusal) {
      fake.refused.push(`${request.method} ${url.pathname}: ${refusal}`);
      return reply(403, { message: `alpha15 stand-in: ${refusal}` });
    }
    const templateMatch = /^\/_index_template\/([^/]+)$/.exec(url.pathname);
    if (templateMatch && (request.method === 'PUT' || request.method === 'POST')) {
      fake.templates.set(templateMatch[1]!, JSON.parse(body));
      return reply(200, { acknowledged: true });
    }
    // index settings of existing indices (a wildcard matching none is fine, as allow_no_indices makes it)
    const settingsMatch = /^\/([^/_][^/]*)\/_settings$/.exec(url.pathname);
    if (settingsMatch && request.method === 'PUT') {
      fake.indexSettings.set(decodeURIComponent(settingsMatch[1]!), JSON.parse(body));
      return reply(200, { acknowledged: true });
    }
    const securityMatch = /^\/_plugins\/_security\/api\/(roles|rolesmapping)\/([^/]+)$/.exec(url.pathname);
    if (securityMatch && request.method === 'PUT') {
      if (securityMatch[1] === 'roles') fake.securityRoles.set(securityMatch[2]!, JSON.parse(body));
      else fake.roleMappings.set(securityMatch[2]!, JSON.parse(body));
      return reply(200, { status: 'OK' });
    }
    if (url.pathname === '/_dashboards/api/saved_objects/_import' && request.method === 'POST') {
      // the multipart body carries the NDJSON file; its object lines are the saved objects
      const objects = body
        .split(/\r?\n/)
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { id: string; type: string });
      const tenant = request.headers.securitytenant as string | undefined;
      for (const object of objects) fake.savedObjects.set(object.id, { ...object, tenant });
      return reply(200, { success: true, successCount: objects.length });
    }
    if (url.pathname === '/_bulk' && request.method === 'POST') {
      if (fake.failNextBulkRequests > 0) {
        fake.failNextBulkRequests--;
        return reply(503, {
          error: { type: 'unavailable_shards_exception', reason: 'try again' },
          status: 503,
        });
      }
      const lines = body.split('\n').filter((line) => line.length > 0);
      const items: unknown[] = [];
      for (let i = 0; i < lines.length; i += 2) {
        const action = JSON.parse(lines[i]!) as { index: { _index: string; _id: string } };
        const { _index, _id } = action.index;
        const scripted = fake.itemStatuses.get(_id)?.shift();
        const status = scripted ?? 201;
        if (status < 300) {
          const index = fake.documents.get(_index) ?? new Map();
          index.set(_id, JSON.parse(lines[i + 1]!));
          fake.documents.set(_index, index);
          items.push({ index: { _index, _id, status } });
        } else {
          items.push({
            index: {
              _index,
              _id,
              status,
              error: {
                type: status === 400 ? 'mapper_parsing_exception' : 'es_rejected_execution_exception',
                reason: 'scripted',
              },
            },
          });
        }
      }
      return reply(200, {
        took: 1,
        errors: items.some((item) => (item as { index: { status: number } }).index.status >= 300),
        items,
      });
    }
    return reply(404, {
      error: { type: 'not_found', reason: `${request.method} ${url.pathname}` },
      status: 404,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

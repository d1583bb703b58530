/**
 * A local HTTP server speaking the small part of the OpenSearch REST API the sink uses: index
 * templates and `_bulk`. Tests script its failures (whole-request 503s, per-document statuses) and
 * read back what a real cluster would hold.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenSearch {
  url: string;
  /** Every request in arrival order, as "METHOD /path". */
  requests: string[];
  templates: Map<
    string,
    { index_patterns: string[]; template: { mappings: { properties: Record<string, { type: string }> } } }
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
  /**
   * Saved objects imported through the Dashboards import API (under `/_dashboards`), by id, with the
   * security tenant the import named (the `securitytenant` header; none: the user's private tenant).
   */
  savedObjects: Map<string, { type: string; tenant: string | undefined }>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeOpenSearch(): Promise<FakeOpenSearch> {
  const fake: Omit<FakeOpenSearch, 'url' | 'close'> = {
    requests: [],
    templates: new Map(),
    documents: new Map(),
    failNextBulkRequests: 0,
    itemStatuses: new Map(),
    authorizations: [],
    securityRoles: new Map(),
    roleMappings: new Map(),
    savedObjects: new Map(),
  };
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://localhost');
    fake.requests.push(`${request.method} ${url.pathname}`);
    fake.authorizations.push(request.headers.authorization);
    const reply = (status: number, json: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    const templateMatch = /^\/_index_template\/([^/]+)$/.exec(url.pathname);
    if (templateMatch && (request.method === 'PUT' || request.method === 'POST')) {
      fake.templates.set(templateMatch[1]!, JSON.parse(body));
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

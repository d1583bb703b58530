/**
 * Installs the versioned OpenSearch Dashboards saved objects (index patterns, visualizations, the
 * paper-trading dashboard) through the Dashboards import API, overwriting earlier versions.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { Alpha15Error } from '../errors.js';
import { splitUrlCredentials } from '../url-credentials.js';

export const SAVED_OBJECTS_FILE = new URL('./dashboards/alpha15.ndjson', import.meta.url);
/** The index prefix the saved objects are written with; another configured prefix is substituted. */
export const SAVED_OBJECTS_PREFIX = 'alpha15';

export class DashboardsImportError extends Alpha15Error {
  readonly code = 'DASHBOARDS_IMPORT';
}

const importResponseSchema = z.object({
  success: z.boolean(),
  successCount: z.number().int(),
  errors: z
    .array(
      z.object({ id: z.string(), type: z.string(), error: z.object({ type: z.string() }).loose() }).loose(),
    )
    .optional(),
});
export type DashboardsImportResult = z.infer<typeof importResponseSchema>;

export async function readSavedObjects(indexPrefix = SAVED_OBJECTS_PREFIX): Promise<string> {
  return savedObjectsWithPrefix(await readFile(SAVED_OBJECTS_FILE, 'utf8'), indexPrefix);
}

/** The saved objects' NDJSON with their index patterns moved to another index prefix. */
export function savedObjectsWithPrefix(ndjson: string, indexPrefix: string): string {
  return indexPrefix === SAVED_OBJECTS_PREFIX
    ? ndjson
    : ndjson.replaceAll(`${SAVED_OBJECTS_PREFIX}-`, `${indexPrefix}-`);
}

/**
 * The Dashboards import request: the saved objects as one multipart NDJSON file, encoded here rather
 * than by fetch so a signed request can hash the exact bytes it sends.
 */
export interface SavedObjectsImportRequest {
  /** Below the Dashboards base path (`/_dashboards` on an AWS domain). */
  path: string;
  querystring: Record<string, string>;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
}

export async function savedObjectsImportRequest(options: {
  indexPrefix?: string;
  /**
   * The security plugin's tenant to import into (`global`: every user sees the objects). Without it
   * the objects land in the importing user's current tenant, by default their private one.
   */
  tenant?: string;
}): Promise<SavedObjectsImportRequest> {
  const ndjson = await readSavedObjects(options.indexPrefix);
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), 'alpha15.ndjson');
  const encoded = new Response(form);
  return {
    path: '/api/saved_objects/_import',
    querystring: { overwrite: 'true' },
    headers: {
      // carries the multipart boundary
      'content-type': encoded.headers.get('content-type')!,
      // Dashboards rejects state-changing API calls without its XSRF header
      'osd-xsrf': 'true',
      ...(options.tenant === undefined ? {} : { securitytenant: options.tenant }),
    },
    body: new Uint8Array(await encoded.arrayBuffer()),
  };
}

/** The import API's answer, checked: every object imported, or a DashboardsImportError naming the rejected. */
export function checkImportResponse(payload: unknown): DashboardsImportResult {
  const parsed = importResponseSchema.safeParse(payload);
  if (!parsed.success)
    throw new DashboardsImportError(
      `unexpected import response: ${JSON.stringify(payload).slice(0, 300)}`,
      'is the URL an OpenSearch Dashboards endpoint?',
    );
  if (!parsed.data.success) {
    const failed = (parsed.data.errors ?? [])
      .map((error) => `${error.type}/${error.id}: ${error.error.type}`)
      .join(', ');
    throw new DashboardsImportError(
      `Dashboards imported ${parsed.data.successCount} objects but rejected: ${failed}`,
      'see the Dashboards server log',
    );
  }
  return parsed.data;
}

/** Imports over plain HTTP(S), with Basic credentials from the URL if it carries them (`alpha15 dashboards import`). */
export async function importDashboards(options: {
  dashboardsUrl: string;
  indexPrefix?: string;
  tenant?: string;
  fetchImpl?: typeof fetch;
}): Promise<DashboardsImportResult> {
  const request = await savedObjectsImportRequest(options);
  const { url: baseUrl, authorization } = splitUrlCredentials(options.dashboardsUrl);
  const url = `${baseUrl.replace(/\/+$/, '')}${request.path}?${new URLSearchParams(request.querystring)}`;
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(url, {
      method: 'POST',
      body: request.body,
      headers: { ...request.headers, ...(authorization ? { authorization } : {}) },
    });
  } catch (error) {
    throw new DashboardsImportError(
      `cannot reach OpenSearch Dashboards at ${url}`,
      'check the Dashboards URL (e.g. http://localhost:5601)',
      { cause: error },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new DashboardsImportError(
      `Dashboards answered ${response.status} to the import: ${text.slice(0, 300)}`,
      'check the URL and the credentials',
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = text;
  }
  return checkImportResponse(payload);
}

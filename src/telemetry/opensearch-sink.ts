/**
 * The OpenSearch adapter of the telemetry port. It installs the index templates before its first
 * document, then delivers queued records through the bulk API with a deterministic `_id` per record
 * (re-sending overwrites). A whole-request failure (503, network) retries the batch; a partial failure
 * retries only the documents whose status is retryable (429, 5xx). Whatever is left after the last
 * attempt is reported, never thrown: the ledger holds it and `alpha15 reindex` resends it.
 */
import { backoffDelayMs } from '../retry.js';
import { Client } from '@opensearch-project/opensearch';
import { indexName, indexTemplates } from './index-templates.js';
import type { FlushReport, TelemetryRecord, TelemetrySink } from './sink.js';

export interface OpenSearchSinkOptions {
  /** A cluster URL, or a ready client (e.g. one that signs requests with SigV4). */
  node?: string;
  client?: Client;
  indexPrefix: string;
  /** Attempts per batch, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string };
}

const isRetryable = (status: number): boolean => status === 429 || status >= 500;

export class OpenSearchSink implements TelemetrySink {
  private readonly client: Client;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private queue: TelemetryRecord[] = [];
  private templatesInstalled = false;

  constructor(private readonly options: OpenSearchSinkOptions) {
    // retries are ours (per document, with backoff); the client's own would resend whole batches
    this.client = options.client ?? new Client({ node: options.node, maxRetries: 0, requestTimeout: 10_000 });
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  write(records: readonly TelemetryRecord[]): void {
    this.queue.push(...records);
  }

  async flush(): Promise<FlushReport> {
    let pending = this.queue;
    this.queue = [];
    const total = pending.length;
    const errors: string[] = [];
    let permanentFailures = 0;
    for (let attempt = 1; pending.length > 0 && attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(this.backoffMs(attempt - 1));
      try {
        // without the templates, dynamic mapping would guess the field types: send nothing until they exist
        await this.installTemplates();
        const items = await this.bulk(pending);
        const retry: TelemetryRecord[] = [];
        items.forEach((item, i) => {
          if (item.status < 300) return;
          const record = pending[i]!;
          if (isRetryable(item.status)) {
            retry.push(record);
          } else {
            permanentFailures++;
            errors.push(
              `${record.stream}/${record.id}: ${item.status} ${item.error?.type ?? ''} ${item.error?.reason ?? ''}`.trim(),
            );
          }
        });
        pending = retry;
      } catch (error) {
        errors.push(`attempt ${attempt}: ${describeOpenSearchError(error)}`);
      }
    }
    for (const record of pending)
      errors.push(`${record.stream}/${record.id}: gave up after ${this.maxAttempts} attempts`);
    const failed = permanentFailures + pending.length;
    return { delivered: total - failed, failed, errors };
  }

  /** Puts every template (idempotent on the cluster); once per sink. */
  async installTemplates(): Promise<void> {
    if (this.templatesInstalled) return;
    await putIndexTemplates(this.client, this.options.indexPrefix);
    this.templatesInstalled = true;
  }

  private async bulk(records: TelemetryRecord[]): Promise<BulkItemResult[]> {
    const body = records.flatMap((record) => [
      { index: { _index: indexName(this.options.indexPrefix, record.stream), _id: record.id } },
      record.doc,
    ]);
    const response = await this.client.bulk({ body });
    const items = (response.body as { items?: Record<string, BulkItemResult>[] }).items ?? [];
    if (items.length !== records.length) {
      throw new Error(`bulk response has ${items.length} items for ${records.length} documents`);
    }
    return items.map((item) => Object.values(item)[0]!);
  }

  private backoffMs(retry: number): number {
    // full jitter, so several sinks retrying after one outage do not stampede together
    return backoffDelayMs(retry - 1, { baseMs: this.baseDelayMs, jitter: 'full' });
  }
}

/** Puts the index template of every telemetry stream (idempotent on the cluster); returns their names. */
export async function putIndexTemplates(client: Client, indexPrefix: string): Promise<string[]> {
  const templates = indexTemplates(indexPrefix);
  for (const template of templates) {
    await client.indices.putIndexTemplate({ name: template.name, body: template.body });
  }
  return templates.map((template) => template.name);
}

/** An OpenSearch client error as one line: the call and the cluster's answer, when it answered. */
export function describeOpenSearchError(error: unknown): string {
  const meta = (
    error as {
      meta?: {
        statusCode?: number;
        body?: unknown;
        meta?: { request?: { params?: { method?: string; path?: string } } };
      };
    }
  ).meta;
  const message = error instanceof Error ? error.message : String(error);
  if (meta?.statusCode === undefined) return message;
  const params = meta.meta?.request?.params;
  const call = params ? `${params.method} ${params.path}` : 'a request';
  const body = typeof meta.body === 'string' ? meta.body : (JSON.stringify(meta.body) ?? message);
  return `${call} answered HTTP ${meta.statusCode}: ${body.slice(0, 300)}`;
}

/**
 * The local default sink: one JSON line per record, one file per stream per UTC day
 * (`<stream>/<YYYY-MM-DD>.jsonl`). Under a folder it appends; under an object store (which cannot
 * append) each flush writes its own object, named so a day's objects list in write order.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from '../store/object-store.js';
import type { FlushReport, TelemetryRecord, TelemetrySink } from './sink.js';

export type JsonlTarget = { dir: string } | { store: ObjectStore; prefix?: string };

export class JsonlSink implements TelemetrySink {
  private queue: TelemetryRecord[] = [];
  private flushCount = 0;

  constructor(private readonly target: JsonlTarget) {}

  write(records: readonly TelemetryRecord[]): void {
    this.queue.push(...records);
  }

  async flush(): Promise<FlushReport> {
    const batch = this.queue;
    this.queue = [];
    const files = new Map<string, string[]>();
    for (const record of batch) {
      const name = `${record.stream}/${record.doc['@timestamp'].slice(0, 10)}`;
      const lines = files.get(name) ?? [];
      lines.push(JSON.stringify({ _id: record.id, ...record.doc }));
      files.set(name, lines);
    }
    const errors: string[] = [];
    let failed = 0;
    for (const [name, lines] of files) {
      try {
        await this.append(name, `${lines.join('\n')}\n`);
      } catch (error) {
        failed += lines.length;
        errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { delivered: batch.length - failed, failed, errors };
  }

  private async append(name: string, text: string): Promise<void> {
    if ('dir' in this.target) {
      const file = path.join(this.target.dir, `${name}.jsonl`);
      await mkdir(path.dirname(file), { recursive: true });
      await appendFile(file, text);
      return;
    }
    // a timestamp plus a per-sink counter keeps keys unique and ordered without a read-modify-write
    const stamp = `${Date.now().toString().padStart(14, '0')}-${process.pid}-${this.flushCount++}`;
    await this.target.store.put(`${this.target.prefix ?? 'telemetry'}/${name}/${stamp}.jsonl`, text);
  }
}

/**
 * The archive site (data.binance.vision) on 127.0.0.1: a folder of `<SYM>-1m-<YYYY-MM>.zip` files served
 * at the site's paths, each with the `.CHECKSUM` the site publishes (sha256 of the real file). A test can
 * damage a file in transit (its checksum stays the real one) or answer a file's first requests with an
 * error status, as a throttling site does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../../src/checksum.js';
import { startScriptedServer, type ScriptedServer } from '../market/support/http-server.js';

export interface ArchiveSiteOptions {
  /** File names served with bytes that no longer match their checksum. */
  corrupt?: readonly string[];
  /** File name → statuses answered to its first requests, in order (e.g. [503]). */
  failFirst?: Record<string, number[]>;
}

export async function startArchiveSite(
  folder: string,
  options: ArchiveSiteOptions = {},
): Promise<ScriptedServer> {
  const files = new Map(
    readdirSync(folder)
      .filter((name) => name.endsWith('.zip'))
      .map((name) => [name, path.join(folder, name)]),
  );
  const failures = new Map(
    Object.entries(options.failFirst ?? {}).map(([name, statuses]) => [name, [...statuses]]),
  );
  return startScriptedServer((request, response) => {
    const match =
      /^\/data\/spot\/monthly\/klines\/([A-Z0-9]+)\/1m\/(\1-1m-\d{4}-\d{2}\.zip)(\.CHECKSUM)?$/.exec(
        request.url ?? '',
      );
    const file = match && files.get(match[2]!);
    if (!match || !file) {
      response.writeHead(404).end();
      return;
    }
    const fileName = match[2]!;
    const status = match[3] ? undefined : failures.get(fileName)?.shift();
    if (status !== undefined) {
      response.writeHead(status).end();
      return;
    }
    const bytes = readFileSync(file);
    if (match[3]) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`${sha256Hex(bytes)}  ${fileName}\n`);
      return;
    }
    if (options.corrupt?.includes(fileName)) bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    response.writeHead(200, { 'content-type': 'application/zip' }).end(bytes);
  });
}

/**
 * The ObjectStore on a local folder (the default, `file://./.alpha15`). Keys map to files under the
 * root. Every write goes to a temp file in the destination folder first, is flushed to disk (fsync),
 * and is then published with one atomic rename (put) or link (putIfAbsent), so a reader never sees a
 * partly written object, and a power cut cannot publish a name whose bytes never reached the disk.
 * A process killed mid-write leaves its temp file behind; the next write into that folder (by any
 * process) removes temp files whose writer is no longer running.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { opendir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Body, ObjectStore } from './object-store.js';
import { storeWriteError, validateListPrefix, validateObjectKey } from './errors.js';

/**
 * Temp files carry this marker so `list` never reports an object that is still being written, then
 * the writer's pid, so a sweep can tell a dead writer's leftovers from a live writer's work.
 */
const TEMP_MARKER = '.alpha15-partial-';
/**
 * Folder entries read per step when listing. A paper ledger's year is 525,600 tick outcomes in one
 * folder: read whole, turning its names into strings blocks the process for 200 ms and more; read in
 * steps, no step blocks it for more than a few.
 */
const LIST_ENTRIES_PER_READ = 1024;

/**
 * The file-system calls a write makes. The default is node's; a test hands in calls that fail as a
 * read-only or full disk does, which cannot be arranged for real here (tests run as root, without
 * mount rights).
 */
export interface LocalWriteCalls {
  mkdir: typeof fs.mkdir;
  open: typeof fs.open;
  rename: typeof fs.rename;
  link: typeof fs.link;
}

const NODE_WRITE_CALLS: LocalWriteCalls = {
  mkdir: fs.mkdir,
  open: fs.open,
  rename: fs.rename,
  link: fs.link,
};

export class LocalStore implements ObjectStore {
  readonly url: string;
  readonly rootDir: string;
  /** Folders this store has made or found, so a write does not pay for a mkdir each time. */
  private readonly knownDirs = new Set<string>();

  constructor(
    rootDir: string,
    private readonly calls: LocalWriteCalls = NODE_WRITE_CALLS,
  ) {
    this.rootDir = path.resolve(rootDir);
    this.url = pathToFileURL(this.rootDir).href;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if (isCode(error, 'ENOENT', 'EISDIR', 'ENOTDIR')) return undefined;
      throw error;
    }
  }

  async put(key: string, body: Body): Promise<void> {
    const target = this.pathOf(key);
    const temp = await this.writeTemp(key, target, body);
    try {
      await this.calls.rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw storeWriteError(this.url, key, error);
    }
  }

  async putIfAbsent(key: string, body: Body): Promise<boolean> {
    const target = this.pathOf(key);
    const temp = await this.writeTemp(key, target, body);
    try {
      // link() publishes the complete temp file under the final name and fails if that name exists,
      // which makes it an exclusive create that readers can never observe half-written
      await this.calls.link(temp, target);
      return true;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      throw storeWriteError(this.url, key, error);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async list(prefix: string): Promise<string[]> {
    validateListPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash >= 0 ? prefix.slice(0, slash + 1) : '';
    const keys: string[] = [];
    await this.walk(path.join(this.rootDir, baseKey), baseKey, prefix.slice(baseKey.length), keys);
    // the default sort compares UTF-16 code units, as compareKeys does, and is twice as fast on 525,600 keys
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true }).catch((error: unknown) => {
      throw storeWriteError(this.url, key, error);
    });
  }

  private pathOf(key: string): string {
    validateObjectKey(key);
    return path.join(this.rootDir, ...key.split('/'));
  }

  private async writeTemp(key: string, target: string, body: Body): Promise<string> {
    const dir = path.dirname(target);
    if (!this.knownDirs.has(dir)) {
      await this.calls.mkdir(dir, { recursive: true }).catch((error: unknown) => {
        throw storeWriteError(this.url, key, error);
      });
      await sweepPartialFiles(dir);
      this.knownDirs.add(dir);
    }
    const temp = path.join(dir, `${TEMP_MARKER}${process.pid}-${randomBytes(8).toString('hex')}`);
    try {
      const handle = await this.calls.open(temp, 'wx');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await rm(temp, { force: true });
      // the folder vanished since it was made (someone cleared the store): forget it so a retry makes it
      if (isCode(error, 'ENOENT')) this.knownDirs.delete(dir);
      throw storeWriteError(this.url, key, error);
    }
    return temp;
  }

  /**
   * Collects the keys under `dir` whose name starts with `namePrefix` (the rest of the listed prefix
   * past this folder), descending only into folders that match it.
   */
  private async walk(dir: string, keyPrefix: string, namePrefix: string, keys: string[]): Promise<void> {
    let entries;
    try {
      entries = await opendir(dir, { bufferSize: LIST_ENTRIES_PER_READ });
    } catch (error) {
      if (isCode(error, 'ENOENT', 'ENOTDIR')) return;
      throw error;
    }
    for await (const entry of entries) {
      if (!entry.name.startsWith(namePrefix) || entry.name.startsWith(TEMP_MARKER)) continue;
      const key = keyPrefix + entry.name;
      if (entry.isDirectory()) await this.walk(path.join(dir, entry.name), `${key}/`, '', keys);
      else if (entry.isFile()) keys.push(key);
    }
  }
}

/**
 * Removes the temp files in `dir` left by writers that are gone: another pid that no longer runs, or a
 * name without a pid (written before temp names carried one). This process's own are in flight.
 */
export async function sweepPartialFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(TEMP_MARKER)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(TEMP_MARKER.length))?.[1]);
    if (pid === process.pid || (Number.isInteger(pid) && isRunning(pid))) continue;
    await rm(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 only checks that the process exists
    return true;
  } catch (error) {
    return isCode(error, 'EPERM'); // it exists, owned by someone else
  }
}

/** Byte order of the keys, the order S3 lists in (plain `<` on ASCII keys). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException)?.code ?? '');
}

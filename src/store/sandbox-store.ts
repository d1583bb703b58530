/**
 * A view of a store in which some key prefixes live in a sandbox folder of the same store and every
 * other key is read-only. `alpha15 simulate` trains, scores and promotes models through the very
 * registry code the cloud runs; with `models/` sandboxed under `simulations/<id>/` it reads the real
 * lake while its models and champion pointer stay apart from the real registry, which it cannot write.
 */
import { Alpha15Error } from '../errors.js';
import type { Body, ObjectStore } from './object-store.js';

/** A write to a key outside the sandbox. */
export class SandboxWriteError extends Alpha15Error {
  readonly code = 'SANDBOX_WRITE';
}

export class SandboxStore implements ObjectStore {
  readonly url: string;

  /**
   * @param sandboxDir where the sandboxed keys live in `base`, ending in '/' (e.g. `simulations/<id>/`)
   * @param sandboxedPrefixes key prefixes kept in the sandbox (e.g. `models/`)
   */
  constructor(
    private readonly base: ObjectStore,
    private readonly sandboxDir: string,
    private readonly sandboxedPrefixes: readonly string[],
  ) {
    this.url = base.url;
  }

  private sandboxed(key: string): boolean {
    return this.sandboxedPrefixes.some((prefix) => key.startsWith(prefix));
  }

  private writable(key: string): string {
    if (!this.sandboxed(key)) {
      throw new SandboxWriteError(
        `${key} lies outside the sandbox ${this.sandboxDir} (only ${this.sandboxedPrefixes.join(', ')} may be written)`,
        'a simulation reads the lake and writes only its own registry',
      );
    }
    return this.sandboxDir + key;
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.base.get(this.sandboxed(key) ? this.sandboxDir + key : key);
  }

  async put(key: string, body: Body): Promise<void> {
    await this.base.put(this.writable(key), body);
  }

  async putIfAbsent(key: string, body: Body): Promise<boolean> {
    return this.base.putIfAbsent(this.writable(key), body);
  }

  async delete(key: string): Promise<void> {
    await this.base.delete(this.writable(key));
  }

  async list(prefix: string): Promise<string[]> {
    const inside = (await this.base.list(this.sandboxDir + prefix))
      .map((key) => key.slice(this.sandboxDir.length))
      .filter((key) => this.sandboxed(key));
    if (this.sandboxed(prefix)) return inside;
    const outside = (await this.base.list(prefix)).filter(
      (key) => !this.sandboxed(key) && !key.startsWith(this.sandboxDir),
    );
    return [...outside, ...inside].sort();
  }
}

/**
 * The storage port. The lake, the model registry and the paper-trading ledger all speak to this small
 * interface; adapters (local folder, S3) implement it and `openStore` picks one from a URL.
 */
export type Body = Uint8Array | string;

export interface ObjectStore {
  /** The URL this store was opened from, e.g. file:///abs/dir or s3://bucket/prefix. */
  readonly url: string;
  /** The object's bytes, or undefined when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes the whole object atomically: readers see the old object or the new one, never a part. */
  put(key: string, body: Body): Promise<void>;
  /** Writes only if no object has the key; true when this call created it. Safe under concurrency. */
  putIfAbsent(key: string, body: Body): Promise<boolean>;
  /** Keys under a prefix, sorted ascending. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
}

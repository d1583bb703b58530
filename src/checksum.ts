/** The one SHA-256 of the project: archive checksums, partition content hashes, checkpoint manifests and run config hashes. */
import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The SHA-256 of several byte ranges one after another, without joining them. */
export function sha256HexOfParts(parts: readonly ArrayBufferView[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  return hash.digest('hex');
}

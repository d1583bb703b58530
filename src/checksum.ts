/** The one SHA-256 of the project: archive checksums, checkpoint manifests and run config hashes. */
import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The commit a model was trained from, so any artifact can be traced to its code. */
import { execFileSync } from 'node:child_process';

/** `git rev-parse HEAD`, or null outside a checkout (a container image, an unpacked release). */
export function currentGitRevision(cwd: string = process.cwd()): string | null {
  try {
    const revision = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return /^[0-9a-f]{40}$/.test(revision) ? revision : null;
  } catch {
    return null;
  }
}

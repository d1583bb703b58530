/**
 * The real CLI as a child process: `node --import tsx src/cli/main.ts <args>` from the repository
 * root. A run that fails answers its exit code and output; it never throws.
 */
import { execFile } from 'node:child_process';
import { REPO_ROOT } from './shared-data.js';

/** What tests read as the CLI's entry point; test/architecture/test-mirror.test.ts counts it too. */
export const CLI_ENTRY = 'src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Set on top of the environment the run inherits. */
  env?: Record<string, string>;
  /** Killed after this long (then code 1); 60 s unless told, 0 for never. */
  timeoutMs?: number;
  /**
   * false: the run sees none of this process's ALPHA15_* and AWS_* variables, so no tuning flag or
   * real account of the machine leaks into it. true unless told.
   */
  inheritAlpha15Env?: boolean;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const { env = {}, timeoutMs = 60_000, inheritAlpha15Env = true } = options;
  const inherited = inheritAlpha15Env
    ? process.env
    : Object.fromEntries(
        Object.entries(process.env).filter(
          ([name]) => !name.startsWith('AWS_') && !name.startsWith('ALPHA15_'),
        ),
      );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI_ENTRY, ...args],
      { cwd: REPO_ROOT, timeout: timeoutMs, env: { ...inherited, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        // a run cut short says so, or a test would read the empty output of a kill as the CLI's answer
        const killed = error?.killed ? `\n[runCli: killed after ${timeoutMs} ms]` : '';
        resolve({ code, stdout, stderr: stderr + killed });
      },
    );
  });
}

/**
 * How every command reports: a JSON document on stdout with --json (and nothing else on stdout, so
 * scripts can parse it), or human text otherwise. Progress and logs go to stderr in both modes.
 */
import { Alpha15Error } from '../errors.js';
import { cliHint } from './error-hints.js';
import { redactUrlCredentials } from '../url-credentials.js';

export interface OutputOptions {
  json?: boolean;
}

// every line a command prints passes redactUrlCredentials: a password typed into a URL flag
// (--binance http://user:pass@..., --url ...) must never reach a terminal, a log file or a CI transcript

export function emit<T>(options: OutputOptions, result: T, human: (result: T) => string): void {
  const text = options.json ? JSON.stringify(result, null, 2) : human(result);
  process.stdout.write(`${redactUrlCredentials(text)}\n`);
}

export function log(message: string): void {
  process.stderr.write(`${redactUrlCredentials(message)}\n`);
}

/** Prints an error the way a user can act on it, as JSON with --json, and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  const isOurs = error instanceof Alpha15Error;
  const message = error instanceof Error ? error.message : String(error);
  const hint = isOurs ? cliHint(error) : undefined;
  if (json) {
    const name = error instanceof Error ? error.name : 'Error';
    // scripts key on the stable code and read the facts from data, never parse the message
    const { code, data } = isOurs ? error : { code: undefined, data: undefined };
    process.stdout.write(
      `${redactUrlCredentials(JSON.stringify({ error: { name, message, hint, code, data } }, null, 2))}\n`,
    );
  } else {
    process.stderr.write(redactUrlCredentials(`error: ${message}\n${hint ? `hint: ${hint}\n` : ''}`));
    if (!isOurs && error instanceof Error && error.stack)
      process.stderr.write(`${redactUrlCredentials(error.stack)}\n`);
  }
  return isOurs ? 1 : 2;
}

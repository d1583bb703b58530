/**
 * The root of alpha15's typed errors. Every error names the situation three ways: a message for
 * people, a stable `code` for programs, and `data` holding the facts as fields. The core's hint says
 * what to do in words that hold wherever the error surfaces (a terminal, a Lambda log, a SageMaker
 * failure reason); the edges add their own: the CLI renders flag-level hints from the code and data
 * (src/cli/error-hints.ts), the Lambdas and the container log code and data as fields.
 */
export type ErrorData = Readonly<Record<string, unknown>>;

export interface Alpha15ErrorOptions extends ErrorOptions {
  data?: ErrorData;
}

export abstract class Alpha15Error extends Error {
  /**
   * SCREAMING_SNAKE name of the situation. `--json` output, log queries and the CLI's hint table key
   * on it, so renaming one is a breaking change (the class name may change freely).
   */
  abstract readonly code: string;
  /** The facts a program or a hint needs (symbols, times, keys), JSON-serialisable. */
  readonly data: ErrorData;

  constructor(
    message: string,
    readonly hint?: string,
    options?: Alpha15ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
    this.data = options?.data ?? {};
  }
}

/** An error as fields, for structured logs and `--json`: code and data when it is ours. */
export function errorFields(error: unknown): {
  name: string;
  message: string;
  code?: string;
  hint?: string;
  data?: ErrorData;
} {
  if (error instanceof Alpha15Error)
    return { name: error.name, message: error.message, code: error.code, hint: error.hint, data: error.data };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

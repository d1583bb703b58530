/**
 * The root of alpha15's typed errors. Every error names the situation and carries a hint that tells
 * the user what to do next; the CLI prints both and exits non-zero.
 */
export class Alpha15Error extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

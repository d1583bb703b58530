/** The backfill state machine's name, shared by the stack that creates it and the CLI that finds it. */

/** `<stack name>-backfill` (infra/backfill.ts names it so; src/app/backfill-execution.ts looks it up). */
export function backfillStateMachineName(stackName: string): string {
  return `${stackName}-backfill`;
}

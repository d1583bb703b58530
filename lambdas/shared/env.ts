/** Handler settings come from environment variables the CDK constructs set; parsed once, by schema. */
import { z } from 'zod';
import { Alpha15Error } from '../../src/errors.js';

export class HandlerConfigError extends Alpha15Error {
  readonly code = 'HANDLER_CONFIG';
}

export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<Schema> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HandlerConfigError(
      `environment variable ${issue.path.join('.')} is invalid: ${issue.message}`,
      'the CDK construct sets it; redeploy the stack or fix the function configuration',
    );
  }
  return parsed.data;
}

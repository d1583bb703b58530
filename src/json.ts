/** JSON read from a store or a file, checked against its schema at the boundary. */
import { z } from 'zod';

/**
 * Parses JSON bytes against `schema`; when they are not JSON or do not fit, throws what `fail` makes of
 * the problem in words ("is not valid JSON", "does not match its schema: ...").
 */
export function parseJsonAs<Schema extends z.ZodType>(
  bytes: Uint8Array,
  schema: Schema,
  fail: (problem: string, cause?: unknown) => Error,
): z.infer<Schema> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw fail('is not valid JSON', error);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fail(`does not match its schema: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

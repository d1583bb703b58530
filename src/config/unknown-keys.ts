/**
 * Finds keys of a config object that the schema does not know. zod's objects drop unknown keys
 * silently, so `{"training": {"epochz": 5}}` would run 20 epochs without a word; this walks the input
 * against the schema's shape and names each unknown key with the nearest known one.
 */
import type { z } from 'zod';

export interface UnknownKey {
  /** Dotted path, e.g. `training.epochz`. */
  path: string;
  /** The nearest valid key at the same level, dotted, when one is close enough to be a typo. */
  suggestion?: string;
}

type ObjectShape = Record<string, z.ZodType>;

export function findUnknownKeys(input: unknown, schema: z.ZodType, prefix = ''): UnknownKey[] {
  const shape = objectShape(schema);
  if (!shape || !isPlainObject(input)) return [];
  const known = Object.keys(shape);
  const unknown: UnknownKey[] = [];
  for (const [key, value] of Object.entries(input)) {
    const path = `${prefix}${key}`;
    // Own keys only: `constructor`, `toString` and `__proto__` are found on every object's prototype.
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (field === undefined) {
      const suggestion = nearest(key, known);
      unknown.push({ path, suggestion: suggestion === undefined ? undefined : `${prefix}${suggestion}` });
    } else {
      unknown.push(...findUnknownKeys(value, field, `${path}.`));
    }
  }
  return unknown;
}

/** The object shape under any default/prefault/optional wrappers, or undefined for a non-object. */
function objectShape(schema: z.ZodType): ObjectShape | undefined {
  let current: unknown = schema;
  for (let depth = 0; depth < 8 && current; depth++) {
    const def = (current as { _zod?: { def?: { type?: string; shape?: ObjectShape; innerType?: unknown } } })
      ._zod?.def;
    if (def?.type === 'object') return def.shape;
    current = def?.innerType;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The candidate within a third of the word's length in edits (case-insensitive), if any. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.ceil(word.length / 3)) ? best.candidate : undefined;
}

/** Levenshtein distance with one reusable row. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

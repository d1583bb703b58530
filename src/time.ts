/** Time helpers. Every timestamp in alpha15 is a UTC epoch in milliseconds. */
import { Alpha15Error } from './errors.js';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export class InvalidTimeError extends Alpha15Error {}

export function floorToMinute(timeMs: number): number {
  return Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
}

export function isoMinute(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 16) + 'Z';
}

/**
 * Parses a user-supplied time: epoch milliseconds, or an ISO-8601 date/time (UTC unless an offset is
 * given, so "2026-02-01" means midnight UTC, not local midnight).
 */
export function parseTimeMs(input: string, what = 'time'): number {
  const trimmed = input.trim();
  if (/^\d{10,14}$/.test(trimmed)) return Number(trimmed);
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(trimmed);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const parsed = Date.parse(dateOnly ? `${trimmed}T00:00:00Z` : hasZone ? trimmed : `${trimmed}Z`);
  if (Number.isNaN(parsed)) {
    throw new InvalidTimeError(
      `${what} "${input}" is neither epoch milliseconds nor an ISO-8601 date`,
      'use e.g. 2026-02-01, 2026-02-01T12:30 (UTC) or 1769904000000',
    );
  }
  return parsed;
}

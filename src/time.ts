/** Time helpers. Every timestamp in alpha15 is a UTC epoch in milliseconds. */
import { Alpha15Error } from './errors.js';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export class InvalidTimeError extends Alpha15Error {
  readonly code = 'INVALID_TIME';
}

export function floorToMinute(timeMs: number): number {
  return Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
}

export function isoMinute(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 16) + 'Z';
}

const TIME_EXAMPLES = 'use e.g. 2026-02-01, 2026-02-01T12:30 (UTC) or 1769904000000 (epoch milliseconds)';

/** YYYY-MM-DD, optionally THH:MM[:SS[.fff]] and a zone (Z or ±HH:MM); UTC when no zone is given. */
const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a user-supplied time: epoch milliseconds (12 or 13 digits, i.e. 2001-09-09 to 2286), or an
 * ISO-8601 date/time (UTC unless an offset is given, so "2026-02-01" means midnight UTC, not local
 * midnight). A calendar date that does not exist (2026-02-30) is an error rather than being rolled
 * over into the next month as Date.parse does, and a 9-11 digit number is refused: it is almost
 * certainly epoch seconds, which read as milliseconds would land in 1970.
 */
export function parseTimeMs(input: string, what = 'time'): number {
  const trimmed = input.trim();
  if (/^\d+$/.test(trimmed)) return parseEpochMs(input, trimmed, what);
  const match = ISO_PATTERN.exec(trimmed);
  if (!match) {
    throw new InvalidTimeError(
      `${what} "${input}" is neither epoch milliseconds nor an ISO-8601 date`,
      TIME_EXAMPLES,
      { data: { what, input, reason: 'unparsable' } },
    );
  }
  const [year, month, day, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0));
  const wallClockMs = Date.UTC(year!, month! - 1, day!, hour, minute, second);
  const wallClock = new Date(wallClockMs);
  const exists =
    wallClock.getUTCFullYear() === year &&
    wallClock.getUTCMonth() === month! - 1 &&
    wallClock.getUTCDate() === day &&
    wallClock.getUTCHours() === hour &&
    wallClock.getUTCMinutes() === minute &&
    wallClock.getUTCSeconds() === second;
  if (!exists) {
    throw new InvalidTimeError(
      `${what} "${input}" is not a real date and time (month 01-12, day within the month, 00:00-23:59:59)`,
      TIME_EXAMPLES,
      { data: { what, input, reason: 'no-such-date' } },
    );
  }
  const zone = match[8];
  const millis = match[7] === undefined ? 0 : Number(match[7].padEnd(3, '0'));
  return wallClockMs + millis - zoneOffsetMs(zone);
}

function parseEpochMs(input: string, digits: string, what: string): number {
  const value = Number(digits);
  if (digits.length === 12 || digits.length === 13) return value;
  if (digits.length >= 9 && digits.length <= 11) {
    throw new InvalidTimeError(
      `${what} "${input}" looks like epoch seconds (${new Date(value * 1000).toISOString()}); alpha15 takes epoch milliseconds only`,
      `multiply by 1000 (${digits}000) or give an ISO date`,
      { data: { what, input, reason: 'epoch-seconds' } },
    );
  }
  throw new InvalidTimeError(
    `${what} "${input}" is not epoch milliseconds (${digits.length} digits; milliseconds since 1970 have 12 or 13)`,
    digits.length > 13 ? 'microseconds or nanoseconds? divide down to milliseconds' : TIME_EXAMPLES,
    { data: { what, input, reason: 'digits' } },
  );
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * MINUTE_MS;
}

/**
 * Real time as a port, so loops that wait on it can be driven by a test: the system clock in
 * production, a manual one whose sleep moves its time (test/support/manual-clock.ts).
 */
export interface Clock {
  /** Epoch ms; never goes backwards. */
  nowMs(): number;
  /** Resolves true after `ms` of this clock's time, or false as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
}

export const systemClock: Clock = {
  // performance's clock, not Date.now: a wall clock stepped back by NTP must not read as time running backwards
  nowMs: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** How the page writes numbers and times: UTC minutes and days, fixed digits, percentages, a sign's colour. */

/** A CSS class for a value's sign: '' for zero, so a zero is neither a gain nor a loss. */
export type Tone = 'pos' | 'neg' | '';

export function minute(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 16).replace('T', ' ');
}

export function day(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** A dash for a figure the server could not compute (null), such as a spread with no recorded book. */
export function fixed(value: number | null, digits: number): string {
  return value === null ? '–' : value.toFixed(digits);
}

export function pct(value: number | null): string {
  return value === null ? '–' : (value * 100).toFixed(3) + '%';
}

export function tone(value: number | null): Tone {
  return value === null ? '' : value > 0 ? 'pos' : value < 0 ? 'neg' : '';
}

/** The runs index as terminal tables: one line per run (`runs list`), or runs side by side (`runs compare`). */
import { isoMinute } from '../time.js';
import type { RunRecord } from './run-record.js';

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const number = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value)
    ? '-'
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : value.toFixed(4);
const seconds = (durationMs: number): string => `${(durationMs / 1000).toFixed(1)}s`;

/** The one headline number of a run: validation IC for training, Sharpe for a backtest. */
function headline(run: RunRecord): string {
  const { final } = run;
  if (final.valIc !== undefined) return `valIc ${number(final.valIc)}`;
  if (final.sharpe !== undefined) return `sharpe ${number(final.sharpe)}`;
  const [first] = Object.entries(final);
  return first === undefined ? '-' : `${first[0]} ${number(first[1])}`;
}

export function formatRunList(runs: readonly RunRecord[], storeUrl: string): string {
  if (runs.length === 0) return `no runs recorded in ${storeUrl} yet: train, tune or backtest first`;
  return formatTable([
    ['ID', 'KIND', 'STATUS', 'STUDY', 'MODEL', 'EPOCHS', 'DURATION', 'RESULT'],
    ...runs.map((run) => [
      run.id,
      run.kind,
      run.status,
      run.study ?? '-',
      run.modelId ?? '-',
      String(run.epochs.length),
      seconds(run.durationMs),
      headline(run),
    ]),
  ]);
}

/** Every leaf of a nested config as dotted path → printable value. */
export function flattenConfig(value: unknown, prefix = ''): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { [prefix]: Array.isArray(value) ? value.join(',') : String(value) };
  const flat: Record<string, string> = {};
  for (const [key, inner] of Object.entries(value))
    Object.assign(flat, flattenConfig(inner, prefix === '' ? key : `${prefix}.${key}`));
  return flat;
}

/** The config settings in which the runs differ: what a comparison is about. */
export function configDifferences(runs: readonly RunRecord[]): Record<string, string[]> {
  const flat = runs.map((run) => flattenConfig(run.config));
  const paths = [...new Set(flat.flatMap((one) => Object.keys(one)))].sort();
  return Object.fromEntries(
    paths
      .map((path) => [path, flat.map((one) => one[path] ?? '-')] as const)
      .filter(([, values]) => new Set(values).size > 1),
  );
}

/** Every final metric any of the runs reports, in first-seen order. */
export function metricNames(runs: readonly RunRecord[]): string[] {
  return [...new Set(runs.flatMap((run) => Object.keys(run.final)))];
}

export function formatRunComparison(runs: readonly RunRecord[]): string {
  const range = (run: RunRecord) =>
    run.data === null ? '-' : `${isoMinute(run.data.fromMs)}..${isoMinute(run.data.toMs)}`;
  const rows: string[][] = [
    ['', ...runs.map((run) => run.id)],
    ['kind', ...runs.map((run) => run.kind)],
    ['status', ...runs.map((run) => run.status)],
    ['study', ...runs.map((run) => run.study ?? '-')],
    ['model', ...runs.map((run) => run.modelId ?? '-')],
    ['data', ...runs.map(range)],
    ['config', ...runs.map((run) => run.configHash.slice(0, 12))],
    ['git', ...runs.map((run) => run.gitRevision?.slice(0, 12) ?? '-')],
    ['backend', ...runs.map((run) => run.backend ?? '-')],
    ['duration', ...runs.map((run) => seconds(run.durationMs))],
    ['epochs', ...runs.map((run) => String(run.epochs.length))],
    ...metricNames(runs).map((name) => [name, ...runs.map((run) => number(run.final[name]))]),
    ...Object.entries(configDifferences(runs)).map(([path, values]) => [path, ...values]),
  ];
  return formatTable(rows);
}

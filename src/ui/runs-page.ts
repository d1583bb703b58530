/**
 * The runs page: selected runs side by side in one self-contained HTML file (no script, no network),
 * in the backtest report's style. A table of every final metric and of the config settings that differ,
 * then one chart per learning-curve metric with one line per run. Walk-forward folds follow each other
 * on the x axis (fold 0's epochs, then fold 1's, ...), so a run's whole training reads left to right.
 */
import { escapeXml, lineChart } from './report/svg.js';
import { STYLE } from './report/html.js';
import { isoMinute } from '../time.js';
import type { RunEpoch, RunRecord } from '../runs/run-record.js';
import { configDifferences, metricNames } from '../runs/runs-text.js';

/** The learning-curve metrics, each drawn as one chart. */
export const CURVE_METRICS: readonly { key: keyof RunEpoch; title: string; rule?: number }[] = [
  { key: 'trainLoss', title: 'Training loss' },
  { key: 'valLoss', title: 'Validation loss' },
  { key: 'ic', title: 'Validation IC', rule: 0 },
  { key: 'rankIc', title: 'Validation rank IC', rule: 0 },
  { key: 'hitRate', title: 'Validation hit rate', rule: 0.5 },
  { key: 'learningRate', title: 'Learning rate' },
];

const COLORS = [
  '#1f6feb',
  '#d97706',
  '#15803d',
  '#b91c1c',
  '#7c3aed',
  '#0891b2',
  '#be185d',
  '#4d7c0f',
  '#374151',
  '#ea580c',
];

const number = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value)
    ? '–'
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : value.toPrecision(4);

export function renderRunsPage(input: { runs: readonly RunRecord[]; generatedAtMs: number }): string {
  const { runs } = input;
  const header = `<tr><th></th>${runs.map((run, at) => `<th style="color:${COLORS[at % COLORS.length]}">${escapeXml(run.id)}</th>`).join('')}</tr>`;
  const row = (label: string, cells: string[], className = '') =>
    `<tr${className ? ` class="${className}"` : ''}><th>${escapeXml(label)}</th>${cells.map((cell) => `<td>${escapeXml(cell)}</td>`).join('')}</tr>`;
  const rows = [
    row(
      'kind',
      runs.map((run) => run.kind),
    ),
    row(
      'status',
      runs.map((run) => run.status),
    ),
    row(
      'study',
      runs.map((run) => run.study ?? '–'),
    ),
    row(
      'model',
      runs.map((run) => run.modelId ?? '–'),
    ),
    row(
      'data',
      runs.map((run) =>
        run.data === null ? '–' : `${isoMinute(run.data.fromMs)} .. ${isoMinute(run.data.toMs)}`,
      ),
    ),
    row(
      'config hash',
      runs.map((run) => run.configHash.slice(0, 12)),
    ),
    row(
      'git',
      runs.map((run) => run.gitRevision?.slice(0, 12) ?? '–'),
    ),
    row(
      'backend',
      runs.map((run) => run.backend ?? '–'),
    ),
    row(
      'duration',
      runs.map((run) => `${(run.durationMs / 1000).toFixed(1)} s`),
    ),
    ...metricNames(runs).map((name) =>
      row(
        name,
        runs.map((run) => number(run.final[name])),
        'metric',
      ),
    ),
    ...Object.entries(configDifferences(runs)).map(([path, values]) => row(path, values, 'config')),
  ];
  const curves = runs.filter((run) => run.epochs.length > 0);
  const charts = CURVE_METRICS.map(
    ({ key, title, rule }) =>
      `<div class="curve" data-metric="${key}">${lineChart({
        title,
        xLabel: 'epoch (folds in order)',
        yLabel: title,
        yRules: rule === undefined ? undefined : [rule],
        series: curves.map((run) => ({
          name: run.id,
          color: COLORS[runs.indexOf(run) % COLORS.length]!,
          markers: true,
          points: run.epochs.map((epoch, step) => [step + 1, epoch[key] as number] as const),
        })),
      })}</div>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>alpha15 runs</title><style>${STYLE}</style></head>
<body><h1>alpha15 runs</h1>
<p>${runs.length} runs, generated ${escapeXml(isoMinute(input.generatedAtMs))} UTC. Validation numbers of tune trials are
selected from many tries: compare them with the held-out test IC of a study's best trial, never with each other alone.</p>
<h2>Side by side</h2><table id="runs">${header}${rows.join('')}</table>
<h2>Learning curves</h2>${curves.length === 0 ? '<p>None of these runs trained epochs.</p>' : `<div class="charts">${charts.join('')}</div>`}
</body></html>
`;
}

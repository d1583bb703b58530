/**
 * The simulation report, in the backtest report's style: one self-contained HTML file with the verdict,
 * the strategy beside its baselines over the stitched out-of-sample periods, the equity curve coloured
 * by the champion that opened each trade, validation against realised IC per period, and the periods.
 */
import type { SimulationReportInput } from '../../app/simulate.js';
import { isoMinute } from '../../time.js';
import type { SimulationEvaluation } from '../../strategy/evaluate-simulation.js';
import { byExitTime } from '../../strategy/performance.js';
import { COLORS, costSection, day, METRICS_HEADER, metricsRow, num, pct, STYLE } from './html.js';
import { barChart, escapeXml, lineChart, type Series } from './svg.js';

/** Champions cycle through these; neighbours always differ. */
const CHAMPION_COLORS = [
  '#1f6feb',
  '#15803d',
  '#9333ea',
  '#b91c1c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
];

const hours = (minutes: number): string =>
  minutes % 1440 === 0 ? `${minutes / 1440} d` : `${+(minutes / 60).toFixed(2)} h`;

function equityByChampion(evaluation: SimulationEvaluation): string {
  const championAt = (timeMs: number) =>
    evaluation.periods.find((period) => timeMs >= period.fromMs && timeMs < period.toMs)?.championId ?? '';
  const champions = [...new Set(evaluation.periods.map((period) => period.championId))];
  const points = new Map<string, [number, number][]>(champions.map((id) => [id, []]));
  let last: [number, number] = [evaluation.period.fromMs, 0];
  let lastChampion = evaluation.periods[0]?.championId ?? '';
  points.get(lastChampion)?.push(last);
  let equity = 0;
  for (const trade of byExitTime(evaluation.strategy.trades)) {
    const champion = championAt(trade.entryTimeMs);
    // each champion's segment starts where the previous one ended, so the curve stays continuous
    if (champion !== lastChampion) points.get(champion)!.push(last);
    equity += trade.netReturn;
    last = [trade.exitTimeMs, equity];
    points.get(champion)!.push(last);
    lastChampion = champion;
  }
  let ridgeEquity = 0;
  const ridge: [number, number][] = [[evaluation.period.fromMs, 0]];
  for (const trade of byExitTime(evaluation.baselines.ridge.trades))
    ridge.push([trade.exitTimeMs, (ridgeEquity += trade.netReturn)]);
  const series: Series[] = champions.map((id, index) => ({
    name: `#${index + 1} ${id.slice(-6)}`,
    color: CHAMPION_COLORS[index % CHAMPION_COLORS.length]!,
    points: points.get(id)!,
  }));
  series.push({ name: 'ridge (refitted)', color: COLORS.ridge, points: ridge, dashed: true });
  return lineChart({
    title: 'Equity: cumulative net return, coloured by the champion that opened each trade',
    series,
    xLabel: 'exit time (UTC)',
    yLabel: 'cumulative net return',
    xFormat: day,
    yFormat: (value) => pct(value, 1),
    yRules: [0],
    width: 1120,
  });
}

function icChart(evaluation: SimulationEvaluation): string {
  return barChart({
    title: 'IC per period: the champion on its latest validation window vs realised in the period it traded',
    bars: evaluation.periods.map((period) => ({
      label: day(period.fromMs).slice(0, 5),
      values: [period.valIc, period.realisedIc],
    })),
    seriesNames: ['validation IC', 'realised IC'],
    colors: [COLORS.random, COLORS.strategy],
    yFormat: (value) => value.toFixed(3),
    width: 1120,
  });
}

function periodTable(evaluation: SimulationEvaluation): string {
  let previous = '';
  const rows = evaluation.periods.map((period, index) => {
    const changed = period.championId !== previous;
    previous = period.championId;
    return `<tr><td>${index + 1}</td><td>${isoMinute(period.fromMs)}</td><td>${isoMinute(period.toMs)}</td><td>${escapeXml(period.championId)}${changed && index > 0 ? ' (new)' : ''}</td><td>${num(period.valIc, 4)}</td><td>${num(period.realisedIc, 4)}</td><td>${period.trades}</td><td class="${period.netReturn > 0 ? 'win' : period.netReturn < 0 ? 'loss' : ''}">${pct(period.netReturn, 2)}</td></tr>`;
  });
  return `<table id="periods"><tr><th>#</th><th>from (UTC)</th><th>to</th><th>champion</th><th>validation IC</th><th>realised IC</th><th>trades</th><th>net return</th></tr>${rows.join('')}</table>`;
}

export function renderSimulationHtml(input: SimulationReportInput): string {
  const { evaluation, spec } = input;
  const { baselines, strategy, verdict } = evaluation;
  const anyClears = verdict.pairsClearingFees.length > 0;
  const champions = new Set(evaluation.periods.map((period) => period.championId)).size;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>alpha15 simulation ${escapeXml(input.simulationId)}</title><style>${STYLE}</style></head>
<body>
<h1>alpha15 simulation: ${escapeXml(input.simulationId)}</h1>
<p>Out-of-sample ${isoMinute(evaluation.period.fromMs)} to ${isoMinute(evaluation.period.toMs)} · ${evaluation.periods.length} periods · ${champions} champions · initial training ${hours(spec.initialTrainingMinutes)} · retrain every ${hours(spec.retrainEveryMinutes)} on a lookback of ${hours(spec.lookbackMinutes)} (${spec.fineTune ? 'fine-tuning the champion' : 'from scratch'}) · promotion by validation IC on the candidate's window · ${evaluation.symbols.length} pairs · horizon ${evaluation.horizonMinutes} min · fee ${pct(evaluation.feeRatePerSide, 2)} per side · ${input.secondsPerPeriod.toFixed(1)} s per period · generated ${isoMinute(input.generatedAtMs)}</p>
<p class="verdict${anyClears ? '' : ' no'}" id="verdict"><strong>${anyClears ? 'Some pairs clear fees.' : 'No pair clears fees.'}</strong> ${escapeXml(verdict.summary)}</p>
<h2>Strategy and baselines on the same minutes</h2>
<table id="summary">${METRICS_HEADER}
${metricsRow('strategy (champion of each minute)', strategy.overall)}
${metricsRow('no trade', baselines.noTrade)}
${metricsRow('ridge (refitted at every retrain)', baselines.ridge.overall)}
${metricsRow('random entries (median run)', baselines.random.metrics, `p = ${baselines.random.pValue.toFixed(4)} over ${baselines.random.simulations} runs`)}
</table>
<p>Beats no-trade: ${verdict.beats.noTrade ? 'yes' : 'no'} · beats ridge: ${verdict.beats.ridge ? 'yes' : 'no'} · beats random (p &lt; 0.05): ${verdict.beats.random ? 'yes' : 'no'}</p>
<h2>Equity</h2><div class="charts">${equityByChampion(evaluation)}</div>
${costSection(evaluation)}
<h2>Signal per period</h2><div class="charts">${icChart(evaluation)}</div>
<h2>Periods</h2>
<p>Each period trades with the champion after that retrain's promotion gate; a trade belongs to the period it was entered in. Each model only saw data before its period began.</p>
${periodTable(evaluation)}
</body></html>
`;
}

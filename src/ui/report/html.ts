/**
 * The research report: one self-contained HTML file (inline CSS and SVG, no script, no network) that
 * says plainly whether anything clears fees, and shows why: threshold curves per pair, equity and
 * drawdown, IC per coin, calibration, the trades, and the baselines side by side.
 */
import type { BacktestReportInput } from '../../app/backtest.js';
import type { IcAtHorizon } from '../../model/ic-decay.js';
import { isoMinute } from '../../time.js';
import type { BacktestResult, ContenderResult } from '../../strategy/evaluate.js';
import { equityCurve, type PerformanceMetrics } from '../../strategy/performance.js';
import type { SideParams } from '../../strategy/params.js';
import { barChart, escapeXml, lineChart } from './svg.js';
import type { CostSweep } from '../../strategy/cost-sweep.js';
import { executionNotes, sweepBreakEvenText, venueText } from './cost-sweep-text.js';

/** Trades beyond this are summarised, not listed: a month of minute trades would make the file unwieldy. */
export const MAX_TRADE_ROWS = 500;

export const COLORS = {
  strategy: '#1f6feb',
  ridge: '#d97706',
  random: '#6b7280',
  long: '#15803d',
  short: '#b91c1c',
  ideal: '#9ca3af',
};
/** One colour per pair on the cost curve, cycled. */
const PAIR_COLORS = ['#15803d', '#b91c1c', '#7c3aed', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

export const pct = (value: number | null, digits = 3): string =>
  value === null ? '–' : `${(value * 100).toFixed(digits)}%`;
/** A percent axis formatter with enough decimals that neighbouring ticks over `values` differ. */
function percentAxis(values: readonly number[]): (value: number) => string {
  const finite = values.filter(Number.isFinite);
  // span / 5 ticks, in percent
  const tickStep = finite.length > 1 ? (Math.max(...finite) - Math.min(...finite)) * 20 : 1;
  return (value) => pct(value, Math.min(6, Math.max(1, Math.ceil(-Math.log10(tickStep)) + 1)));
}

export const num = (value: number | null, digits = 2): string =>
  value === null ? '–' : value.toFixed(digits);
export const day = (timeMs: number): string => new Date(timeMs).toISOString().slice(5, 16).replace('T', ' ');

export function metricsRow(name: string, metrics: PerformanceMetrics, extra = ''): string {
  const cells = [
    metrics.trades,
    pct(metrics.hitRate, 1),
    pct(metrics.avgNetReturn),
    pct(metrics.totalNetReturn, 2),
    num(metrics.sharpe, 3),
    num(metrics.dailySharpe),
    pct(metrics.maxDrawdown, 2),
    pct(metrics.exposure, 1),
  ];
  return `<tr><th>${escapeXml(name)}</th>${cells.map((cell) => `<td>${cell}</td>`).join('')}<td>${extra}</td></tr>`;
}

export const METRICS_HEADER =
  '<tr><th></th><th>trades</th><th>hit rate</th><th>avg net / trade</th><th>total net</th><th>Sharpe / trade</th><th>daily Sharpe (ann.)</th><th>max drawdown</th><th>exposure</th><th></th></tr>';

/** The same model traded with calibration the other way round, refitted on the same validation data. */
function alternativeRow(result: BacktestResult): string {
  const alternative = result.calibrationAlternative;
  if (alternative === null) return '';
  const name = `strategy, ${alternative.calibrated ? 'calibrated' : 'raw'} predictions (comparison)`;
  return metricsRow(name, alternative.overall, 'thresholds refitted on the same validation data');
}

function thresholdChart(symbol: string, long: SideParams, short: SideParams, feeRatePerSide: number): string {
  const toPoints = (side: SideParams) =>
    side.curve
      .filter((point) => point.avgNetReturn !== null)
      .map((point) => [point.threshold, point.avgNetReturn!] as const);
  const chosen = [long, short].flatMap((side) =>
    side.chosen ? [[side.chosen.threshold, side.chosen.avgNetReturn!] as const] : [],
  );
  return lineChart({
    title: `${symbol}: validation avg net profit per trade vs threshold (fee ${pct(feeRatePerSide, 2)}/side)`,
    series: [
      { name: 'long (prediction ≥ threshold)', color: COLORS.long, points: toPoints(long) },
      { name: 'short (prediction ≤ threshold)', color: COLORS.short, points: toPoints(short) },
      { name: 'chosen', color: COLORS.strategy, points: chosen, markers: true, line: false },
    ],
    xLabel: 'threshold (predicted return)',
    yLabel: 'avg net return per trade',
    xFormat: percentAxis([...long.curve, ...short.curve].map((point) => point.threshold)),
    yFormat: percentAxis([...long.curve, ...short.curve].map((point) => point.avgNetReturn ?? Number.NaN)),
    yRules: [0],
  });
}

function equityChart(result: BacktestResult): string {
  const curve = (contender: ContenderResult) => {
    const { timesMs, equity } = equityCurve(contender.trades);
    return [[result.period.fromMs, 0] as const, ...timesMs.map((time, i) => [time, equity[i]!] as const)];
  };
  return lineChart({
    title: 'Equity: cumulative net return (units of one trade’s notional)',
    series: [
      { name: 'strategy', color: COLORS.strategy, points: curve(result.strategy) },
      { name: 'ridge baseline', color: COLORS.ridge, points: curve(result.baselines.ridge) },
    ],
    xLabel: 'exit time (UTC)',
    yLabel: 'cumulative net return',
    xFormat: day,
    yFormat: (value) => pct(value, 1),
    yRules: [0],
  });
}

function drawdownChart(result: BacktestResult): string {
  const { timesMs, drawdown } = equityCurve(result.strategy.trades);
  return lineChart({
    title: 'Strategy drawdown below its running peak',
    series: [
      {
        name: 'drawdown',
        color: COLORS.short,
        points: [[result.period.fromMs, 0], ...timesMs.map((time, i) => [time, -drawdown[i]!] as const)],
      },
    ],
    xLabel: 'exit time (UTC)',
    yLabel: 'drawdown',
    xFormat: day,
    yFormat: (value) => pct(value, 1),
    yRules: [0],
  });
}

function icChart(result: BacktestResult): string {
  return barChart({
    title: "Test-period IC per coin (Pearson, prediction vs the model's target)",
    bars: result.symbols.map((symbol) => ({
      label: symbol.replace(/USDT$/, ''),
      values: [result.strategy.ic[symbol] ?? null, result.baselines.ridge.ic[symbol] ?? null],
    })),
    seriesNames: ['model', 'ridge'],
    colors: [COLORS.strategy, COLORS.ridge],
    yFormat: (value) => value.toFixed(3),
  });
}

function calibrationChart(result: BacktestResult): string {
  const { raw, calibrated } = result.calibrationBins;
  const all = [...raw, ...calibrated];
  const low = Math.min(...all.map((bin) => Math.min(bin.meanPredicted, bin.meanRealised)), 0);
  const high = Math.max(...all.map((bin) => Math.max(bin.meanPredicted, bin.meanRealised)), 0);
  return lineChart({
    title: 'Calibration on the test period: mean realised vs mean predicted, decile bins',
    series: [
      {
        name: 'raw prediction',
        color: COLORS.random,
        points: raw.map((bin) => [bin.meanPredicted, bin.meanRealised] as const),
        markers: true,
      },
      {
        name: 'calibrated prediction',
        color: COLORS.strategy,
        points: calibrated.map((bin) => [bin.meanPredicted, bin.meanRealised] as const),
        markers: true,
      },
      {
        name: 'perfect calibration',
        color: COLORS.ideal,
        points: [
          [low, low],
          [high, high],
        ],
        dashed: true,
      },
    ],
    xLabel: 'mean predicted return in bin',
    yLabel: 'mean realised return',
    xFormat: percentAxis([low, high]),
    yFormat: percentAxis([low, high]),
  });
}

function randomHistogram(result: BacktestResult): string {
  const { avgNetReturns, pValue } = result.baselines.random;
  const strategyAvg = result.strategy.overall.avgNetReturn;
  if (avgNetReturns.length === 0 || strategyAvg === null)
    return '<p>No random-entry simulation: the strategy made no trade.</p>';
  const sorted = [...avgNetReturns].sort((a, b) => a - b);
  const quantiles = sorted.map((value, i) => [value, (i + 1) / sorted.length] as const);
  return lineChart({
    title: `Random entries (same pairs and sides): avg net return CDF, p = ${pValue.toFixed(4)}`,
    series: [
      { name: `${sorted.length} random runs`, color: COLORS.random, points: quantiles },
      {
        name: 'strategy',
        color: COLORS.strategy,
        points: [
          [strategyAvg, 0],
          [strategyAvg, 1],
        ],
      },
    ],
    xLabel: 'avg net return per trade',
    yLabel: 'share of runs',
    xFormat: (value) => pct(value, 2),
  });
}

/** What the cost section reads: a backtest's or a simulation's result. */
type CostedResult = Pick<
  BacktestResult,
  'symbols' | 'feeRatePerSide' | 'execution' | 'costCurve' | 'costCurveBreakEvenCostPerSide' | 'strategy'
> & {
  costSweep: BacktestResult['costSweep'] | null;
  breakEvenCostPerSide: BacktestResult['breakEvenCostPerSide'] | null;
};

/** The sweep: the test's average and total net against the fee the thresholds were refitted at. */
function costSweepChart(sweep: CostSweep): string {
  const points = (pick: (point: CostSweep['points'][number]) => number | null) =>
    sweep.points.flatMap((point) => {
      const value = pick(point);
      return value === null ? [] : [[point.costPerSide, value] as const];
    });
  const significant = points((point) =>
    point.pValue !== null && point.pValue < 0.05 ? point.avgNetReturn : null,
  );
  const average = points((point) => point.avgNetReturn);
  return lineChart({
    title:
      'Cost sweep: test avg net return per trade, thresholds refitted on validation at each fee per side',
    series: [
      { name: 'avg net per trade', color: COLORS.strategy, points: average, markers: true },
      { name: 'p < 0.05', color: COLORS.long, points: significant, markers: true, line: false },
    ],
    xLabel: 'fee per side (slippage, borrow and funding on top)',
    yLabel: 'avg net return per trade',
    xFormat: (value) => pct(value, 2),
    yFormat: percentAxis(average.map(([, value]) => value)),
    yRules: [0],
    width: 760,
  });
}

function costSweepSection(result: CostedResult): string {
  const sweep = result.costSweep;
  const headline = `<p id="sweep-break-even"><strong>${escapeXml(sweepBreakEvenText(sweep, result.breakEvenCostPerSide))}</strong></p>`;
  if (sweep === null) return headline;
  const rows = sweep.points
    .map(
      (point) =>
        `<tr><th>${pct(point.costPerSide)}</th><td>${point.pairsTrading}</td><td>${point.trades}</td><td>${pct(point.hitRate, 1)}</td><td>${pct(point.avgNetReturn)}</td><td>${pct(point.totalNetReturn, 2)}</td><td>${point.pValue === null ? '–' : point.pValue.toFixed(3)}</td><td>${escapeXml(point.labels.join(', '))}</td></tr>`,
    )
    .join('');
  return `${headline}
<div class="charts">${sweep.points.some((point) => point.trades > 0) ? costSweepChart(sweep) : '<p>No fee in the sweep led to a trade on the test period.</p>'}</div>
<table id="cost-sweep"><tr><th>fee / side</th><th>pairs trading</th><th>trades</th><th>hit rate</th><th>avg net / trade</th><th>total net</th><th>random-entry p (${sweep.randomSimulations} runs)</th><th>fee tiers</th></tr>${rows}</table>`;
}

/** The pairs that traded, each with its own curve; the strategy's curve is over all of them. */
function costCurveChart(result: CostedResult): string {
  const { costCurve } = result;
  const points = (values: readonly (number | null)[]) =>
    costCurve.costsPerSide.flatMap((cost, i) => (values[i] === null ? [] : [[cost, values[i]!] as const]));
  const traded = result.symbols.filter((symbol) => result.strategy.perPair[symbol]!.trades > 0);
  return lineChart({
    title: 'Average net return per trade against cost per side (fee + slippage)',
    series: [
      { name: 'strategy', color: COLORS.strategy, points: points(costCurve.strategy), markers: true },
      ...traded.map((symbol, i) => ({
        name: symbol.replace(/USDT$/, ''),
        color: PAIR_COLORS[i % PAIR_COLORS.length]!,
        points: points(costCurve.perPair[symbol]!),
        dashed: true,
      })),
    ],
    xLabel: 'cost per side',
    yLabel: 'avg net return per trade',
    xFormat: (value) => pct(value, 2),
    yFormat: percentAxis(
      [...costCurve.strategy, ...traded.flatMap((symbol) => costCurve.perPair[symbol]!)].map(
        (value) => value ?? Number.NaN,
      ),
    ),
    yRules: [0],
    width: 760,
  });
}

export function costSection(result: CostedResult): string {
  const { execution, costCurveBreakEvenCostPerSide: breakEven } = result;
  const breakEvenText = (value: number | null, trades: number) =>
    trades === 0 ? 'no trades' : value === null ? 'none: loses before costs' : pct(value);
  const assumed = (symbol: string) => result.feeRatePerSide + (execution.slippageRatePerSide[symbol] ?? 0);
  const rows = result.symbols
    .map((symbol) => {
      const trades = result.strategy.perPair[symbol]!.trades;
      return `<tr><th>${escapeXml(symbol)}</th><td>${trades}</td><td>${pct(execution.slippageRatePerSide[symbol] ?? 0, 3)}</td><td>${pct(assumed(symbol), 3)}</td><td>${breakEvenText(breakEven.perPair[symbol] ?? null, trades)}</td></tr>`;
    })
    .join('');
  const fillText = {
    nextOpen:
      'entries fill at the open of the minute after the decision, exits at the open of the minute after the exit minute',
    close:
      "entries fill at the decision candle's close, exits at the exit minute's close (optimistic: no tick trades at the close it just saw)",
    maker:
      'entries are maker limits at the touch (the decision close less the half-spread for a buy), filled only when the next minute trades through them; exits at the open of the minute after the exit minute',
  }[execution.entry];
  const notes = executionNotes(execution, result.strategy.droppedShorts, result.strategy.makerFills);
  return `<h2>Costs</h2>
<p>Venue ${escapeXml(venueText(execution))}. Fill model: ${fillText}; slippage moves taker fills against the trade; fees are charged on the slipped prices, borrow and funding on top.${notes === '' ? '' : ` ${escapeXml(notes)}.`}</p>
<h3>Cost sweep (thresholds refitted at each fee)</h3>
${costSweepSection(result)}
<h3>Cost curve (these trades re-priced, thresholds fixed)</h3>
<p>The curve re-prices every test trade's price move (its fills before slippage) with one cost per side in place of fee and slippage; the break-even cost is where the average net return per trade reaches zero. It keeps the trades made at the configured cost, so it is blank when they are none; the sweep above refits.</p>
<p id="break-even"><strong>Re-priced break-even cost per side: ${breakEvenText(breakEven.strategy, result.strategy.overall.trades)}</strong></p>
<div class="charts">${costCurveChart(result)}</div>
<table id="break-even-pairs"><tr><th></th><th>trades</th><th>slippage / side</th><th>fee + slippage / side</th><th>break-even cost / side</th></tr>${rows}</table>`;
}

function signalSection(result: BacktestResult, signal: NonNullable<BacktestReportInput['signal']>): string {
  const finite = (value: number) => (Number.isFinite(value) ? value : Number.NaN);
  const series = (name: string, color: string, pick: (point: IcAtHorizon) => number) => ({
    name,
    color,
    markers: true,
    points: signal.icDecay.map((point) => [point.horizonMinutes, finite(pick(point))] as const),
  });
  const chart = lineChart({
    title: `IC decay: test-period predictions against the ${signal.target} return at each horizon`,
    series: [
      series('IC (mean over coins)', COLORS.strategy, (point) => point.ic),
      series('rank IC', COLORS.ridge, (point) => point.rankIc),
      series('weighted correlation (G-Research)', COLORS.long, (point) => point.weightedCorrelation),
    ],
    xLabel: 'horizon (minutes)',
    yLabel: 'correlation',
    xFormat: (value) => String(Math.round(value)),
    yFormat: (value) => value.toFixed(3),
    yRules: [0],
  });
  const cell = (value: number) => (Number.isFinite(value) ? value.toFixed(4) : '–');
  const rows = signal.icDecay
    .map(
      (point) =>
        `<tr><th>${point.horizonMinutes} min</th><td>${cell(point.ic)}</td><td>${cell(point.rankIc)}</td><td>${cell(point.weightedCorrelation)}</td><td>${point.samples}</td></tr>`,
    )
    .join('');
  const weighted = result.strategy.weightedCorrelation;
  return `<h2>Where the signal lives</h2>
<p>Target: <strong>${signal.target === 'residual' ? 'residual returns (each coin minus the weighted universe average, as in the G-Research benchmark)' : 'raw returns'}</strong>. Weighted correlation at the model's horizon (G-Research's score: one Pearson correlation over all pairs and minutes, each pair weighted): ${weighted === null ? '–' : weighted.toFixed(4)}.</p>
<div class="charts">${chart}</div>
<table id="ic-decay"><tr><th>horizon</th><th>IC</th><th>rank IC</th><th>weighted corr.</th><th>samples</th></tr>${rows}</table>`;
}

function tradeTable(result: BacktestResult): string {
  const trades = result.strategy.trades;
  const rows = trades
    .slice(0, MAX_TRADE_ROWS)
    .map(
      (trade) =>
        `<tr><td>${isoMinute(trade.entryTimeMs)}</td><td>${isoMinute(trade.exitFilledTimeMs)}${trade.lateExit ? ' (late: exit candle missing)' : ''}</td><td>${trade.symbol}</td><td class="${trade.side}">${trade.side}</td><td>${pct(trade.calibratedPrediction)}</td><td>${pct(trade.threshold)}</td><td>${trade.entryPrice}</td><td>${trade.exitPrice}</td><td>${pct(trade.priceMove)}</td><td class="${trade.netReturn > 0 ? 'win' : 'loss'}">${pct(trade.netReturn)}</td></tr>`,
    )
    .join('');
  const more =
    trades.length > MAX_TRADE_ROWS ? `<p>First ${MAX_TRADE_ROWS} of ${trades.length} trades shown.</p>` : '';
  // Both times are open times: the decision candle and the candle whose price filled the exit (costSection says which price).
  return `<table class="trades"><tr><th>decision candle (UTC)</th><th>exit candle (UTC)</th><th>pair</th><th>side</th><th>signal</th><th>threshold</th><th>entry price</th><th>exit price</th><th>price move</th><th>net return</th></tr>${rows}</table>${more}`;
}

function pairTable(result: BacktestResult): string {
  const rows = result.symbols.map((symbol) => {
    const pair = result.strategy.params.pairs[symbol];
    const thresholds = pair
      ? `long ≥ ${pair.long.threshold === null ? 'none' : pct(pair.long.threshold)}, short ≤ ${pair.short.threshold === null ? 'none' : pct(pair.short.threshold)}`
      : 'not traded';
    return metricsRow(symbol, result.strategy.perPair[symbol]!, escapeXml(thresholds));
  });
  return `<table>${METRICS_HEADER}${rows.join('')}</table>`;
}

/** The look every self-contained report shares (the backtest report, the simulation report, the runs page). */
export const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111;max-width:1200px}h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th:first-child{text-align:left}
.verdict{font-size:16px;padding:12px;border-left:5px solid #1f6feb;background:#f3f6fb}.verdict.no{border-color:#b91c1c;background:#fbf3f3}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{background:#fff;border:1px solid #eee}.chart-title{font-size:12px;font-weight:600}
.tick,.legend,.axis{font-size:10px;fill:#444}.grid{stroke:#eee}.rule{stroke:#888;stroke-dasharray:3 3}.series{fill:none;stroke-width:1.6}
.long{color:#15803d}.short{color:#b91c1c}.win{color:#15803d}.loss{color:#b91c1c}.trades td{font-size:12px}`;

export function renderReportHtml(input: BacktestReportInput): string {
  const { result } = input;
  const { baselines, strategy, verdict } = result;
  const anyClears = verdict.pairsClearingFees.length > 0;
  const withoutSignal = result.symbols.filter((symbol) => {
    const pair = strategy.params.pairs[symbol];
    return !pair || (pair.long.curve.length === 0 && pair.short.curve.length === 0);
  });
  const thresholdCharts = result.symbols
    .filter((symbol) => !withoutSignal.includes(symbol))
    .map((symbol) =>
      thresholdChart(
        symbol,
        strategy.params.pairs[symbol]!.long,
        strategy.params.pairs[symbol]!.short,
        result.feeRatePerSide,
      ),
    )
    .join('');
  const noSignalNote =
    withoutSignal.length > 0
      ? `<p>No validation predictions (never traded): ${withoutSignal.map(escapeXml).join(', ')}.</p>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>alpha15 backtest ${escapeXml(input.modelId)}</title><style>${STYLE}</style></head>
<body>
<h1>alpha15 backtest: model ${escapeXml(input.modelId)}</h1>
<p>Test period ${isoMinute(result.period.fromMs)} to ${isoMinute(result.period.toMs)} · ${result.symbols.length} pairs · horizon ${result.horizonMinutes} min · fee ${pct(result.feeRatePerSide, 2)} per side · ${escapeXml(result.execution.venue.venue)} · ${result.execution.entry} entries · overlap rule “${strategy.params.overlap}” · ${strategy.params.calibrated ? 'calibrated' : 'raw'} predictions · generated ${isoMinute(input.generatedAtMs)}</p>
<p class="verdict${anyClears ? '' : ' no'}" id="verdict"><strong>${anyClears ? 'Some pairs clear fees.' : 'No pair clears fees.'}</strong> ${escapeXml(verdict.summary)}</p>
<h2>Strategy and baselines on the same period</h2>
<table id="summary">${METRICS_HEADER}
${metricsRow(`strategy (${strategy.params.calibrated ? 'calibrated' : 'raw'} predictions)`, strategy.overall)}
${alternativeRow(result)}
${metricsRow('no trade', baselines.noTrade)}
${metricsRow('ridge (hand-crafted features)', baselines.ridge.overall)}
${metricsRow('random entries (median run)', baselines.random.metrics, `p = ${baselines.random.pValue.toFixed(4)} over ${baselines.random.simulations} runs`)}
</table>
<p>Beats no-trade: ${verdict.beats.noTrade ? 'yes' : 'no'} · beats ridge: ${verdict.beats.ridge ? 'yes' : 'no'} · beats random (p &lt; 0.05): ${verdict.beats.random ? 'yes' : 'no'}</p>
<h2>Per pair</h2>${pairTable(result)}
<h2>Equity and drawdown</h2><div class="charts">${equityChart(result)}${drawdownChart(result)}</div>
${costSection(result)}
<h2>Thresholds chosen on validation data</h2>
<p>Each curve: average net profit per trade after fees if the pair traded every signal beyond that threshold on the validation period. The chosen point maximises it among thresholds with at least ${strategy.params.minTrades} trades that are profitable in both halves of validation; a side with no such threshold does not trade.</p>
${noSignalNote}<div class="charts">${thresholdCharts}</div>
<h2>Signal quality</h2><div class="charts">${icChart(result)}${calibrationChart(result)}${randomHistogram(result)}</div>
${input.signal ? signalSection(result, input.signal) : ''}
<h2>Trades</h2>${tradeTable(result)}
</body></html>
`;
}

/** The backtest summary as a plain-text table for the terminal. */
import { isoMinute } from '../../time.js';
import type { BacktestResult } from '../../strategy/evaluate.js';
import type { SimulationEvaluation } from '../../strategy/evaluate-simulation.js';
import type { PerformanceMetrics } from '../../strategy/performance.js';
import type { CostSweep } from '../../strategy/cost-sweep.js';
import { executionNotes, sweepBreakEvenText, venueText } from './cost-sweep-text.js';

const pct = (value: number | null, digits = 3): string =>
  value === null ? '-' : `${(value * 100).toFixed(digits)}%`;
const num = (value: number | null): string => (value === null ? '-' : value.toFixed(3));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n');
}

const HEADER = ['', 'trades', 'hit', 'avg net', 'total net', 'sharpe', 'max DD', 'exposure'];
const cells = (name: string, metrics: PerformanceMetrics): string[] => [
  name,
  String(metrics.trades),
  pct(metrics.hitRate, 1),
  pct(metrics.avgNetReturn),
  pct(metrics.totalNetReturn, 2),
  num(metrics.sharpe),
  pct(metrics.maxDrawdown, 2),
  pct(metrics.exposure, 1),
];

export function renderSummaryText(result: BacktestResult): string {
  const { strategy, baselines } = result;
  const overall = table([
    HEADER,
    cells('strategy', strategy.overall),
    ...(result.calibrationAlternative === null
      ? []
      : [
          cells(
            `  ${result.calibrationAlternative.calibrated ? 'calibrated' : 'raw'} instead`,
            result.calibrationAlternative.overall,
          ),
        ]),
    cells('no trade', baselines.noTrade),
    cells('ridge', baselines.ridge.overall),
    cells(`random (p=${baselines.random.pValue.toFixed(3)})`, baselines.random.metrics),
  ]);
  const perPair = table([
    HEADER,
    ...result.symbols.map((symbol) => cells(symbol, strategy.perPair[symbol]!)),
  ]);
  return `${overall}\n\nper pair:\n${perPair}\n\n${costLine(result)}\n${result.verdict.summary}`;
}

type CostedResult = Pick<BacktestResult, 'execution' | 'costCurveBreakEvenCostPerSide' | 'strategy'> & {
  costSweep: BacktestResult['costSweep'] | null;
  breakEvenCostPerSide: BacktestResult['breakEvenCostPerSide'] | null;
};

function costLine(result: CostedResult): string {
  const breakEven = result.costCurveBreakEvenCostPerSide.strategy;
  const notes = executionNotes(result.execution, result.strategy.droppedShorts, result.strategy.makerFills);
  return [
    `${venueText(result.execution)}; fills ${FILLS[result.execution.entry]}`,
    ...(notes === '' ? [] : [notes]),
    `re-pricing these trades (thresholds fixed): break-even cost per side ${result.strategy.overall.trades === 0 ? '- (no trades)' : breakEven === null ? 'none (loses before costs)' : pct(breakEven)}`,
    ...(result.costSweep === null ? [] : [sweepTable(result.costSweep)]),
    sweepBreakEvenText(result.costSweep, result.breakEvenCostPerSide),
  ].join('\n');
}

const FILLS = {
  close: 'at the decision close',
  nextOpen: 'at the next minute open',
  maker: 'as maker limits at the touch (exits at the next open)',
} as const;

/** The sweep point by point: fee per side against the test period traded with thresholds fitted at it. */
function sweepTable(sweep: CostSweep): string {
  return table([
    ['fee / side', 'pairs', 'trades', 'hit', 'avg net', 'total net', 'p', 'tiers'],
    ...sweep.points.map((point) => [
      pct(point.costPerSide),
      String(point.pairsTrading),
      String(point.trades),
      pct(point.hitRate, 1),
      pct(point.avgNetReturn),
      pct(point.totalNetReturn, 2),
      point.pValue === null ? '-' : point.pValue.toFixed(3),
      point.labels.join(', '),
    ]),
  ]);
}

/** The simulation's periods and its strategy beside the baselines, for the terminal. */
export function renderSimulationText(evaluation: SimulationEvaluation): string {
  let previous = '';
  const periods = table([
    ['period', 'champion', 'val IC', 'realised IC', 'trades', 'net'],
    ...evaluation.periods.map((period) => {
      const champion = `${period.championId}${period.championId !== previous && previous !== '' ? ' (new)' : ''}`;
      previous = period.championId;
      return [
        `${isoMinute(period.fromMs)} .. ${isoMinute(period.toMs)}`,
        champion,
        num(period.valIc),
        num(period.realisedIc),
        String(period.trades),
        pct(period.netReturn, 2),
      ];
    }),
  ]);
  const { strategy, baselines } = evaluation;
  const overall = table([
    HEADER,
    cells('strategy', strategy.overall),
    cells('no trade', baselines.noTrade),
    cells('ridge (refitted)', baselines.ridge.overall),
    cells(`random (p=${baselines.random.pValue.toFixed(3)})`, baselines.random.metrics),
  ]);
  return `${periods}\n\n${overall}\n\n${costLine(evaluation)}\n${evaluation.verdict.summary}`;
}

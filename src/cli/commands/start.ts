/**
 * `alpha15 start` (`npm start`): the whole pipeline locally, the use case src/app/start.ts; this
 * command parses the flags and presents its progress and result (text or --json).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { backendPreferenceSchema, type BackendPreference } from '../../contracts/backends.js';
import {
  runStart,
  START_STAGES,
  type StartProgress,
  type StartResult,
  type StartStage,
} from '../../app/start.js';
import type { BacktestSummary } from '../../app/backtest.js';
import type { SimulationSummary } from '../../app/simulate.js';
import { composeAdapters } from '../../app/compose.js';
import { isoMinute, MINUTE_MS } from '../../time.js';
import { renderReportHtml } from '../../ui/report/html.js';
import { renderSimulationHtml } from '../../ui/report/simulation-html.js';
import { renderSimulationText, renderSummaryText } from '../../ui/report/text.js';
import { sweepBreakEvenLine, venueText } from '../../ui/report/cost-sweep-text.js';
import { trainingProgress } from '../../ui/training-progress.js';
import { untilInterrupted } from '../interrupt.js';
import { positiveInteger, resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit, log } from '../output.js';
import { countBar } from '../progress-bar.js';
import { backtestWarning } from './backtest.js';
import { formatSummary } from './data.js';
import { formatIngestResult, ingestProgressBar } from './ingest.js';
import { SIMULATE_INTERRUPTED, simulationProgressRenderer } from './simulate.js';
import { modelOverrides, TRAIN_INTERRUPTED } from './train.js';

interface StartFlags extends CommonOptions {
  offline?: boolean;
  days: number;
  probeTimeout: number;
  epochs: number;
  window: number;
  filters: number;
  blocks: number;
  sampleStride: number;
  simulationDays: number;
  replayMinutes: number;
  backend: BackendPreference;
}

/** What `start --json` prints: the use case's result and where to look at it. */
export interface StartReport extends StartResult {
  dashboard: { command: string; url: string };
}

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('start')
      .description(
        'Run the whole pipeline locally (what npm start does), in six stages: (1) ingest candles into the lake, ' +
          '(2) summarise it, (3) train a small ResNet1D, (4) backtest it against the baselines with an HTML report, ' +
          '(5) simulate the deployed retrain loop over the last --simulation-days, (6) paper-trade the end of the test ' +
          'period through the replay server at full speed. Uses Binance when it answers, otherwise the seeded synthetic market ' +
          '(offline, with a planted lead-lag of known strength).',
      ),
  )
    .option('--offline', 'skip the Binance probe and use the synthetic market')
    .option('--days <n>', 'days of history to ingest from Binance', positiveInteger('--days'), 7)
    .option(
      '--probe-timeout <ms>',
      'how long to wait for Binance before going offline',
      positiveInteger('--probe-timeout'),
      5_000,
    )
    .option('--epochs <n>', 'most training epochs', positiveInteger('--epochs'), 3)
    .option(
      '--window <minutes>',
      'model input window (the full model uses 512; short windows learn short lags fastest)',
      positiveInteger('--window'),
      16,
    )
    .option('--filters <n>', 'filters of the first convolution', positiveInteger('--filters'), 16)
    .option('--blocks <n>', 'residual blocks', positiveInteger('--blocks'), 2)
    .option(
      '--sample-stride <minutes>',
      'minutes between training samples',
      positiveInteger('--sample-stride'),
      2,
    )
    .option(
      '--simulation-days <n>',
      'days at the end of the market the simulation stage replays (the first 60% train the first model, two retrains ' +
        'split the rest); 0 skips the stage',
      nonNegativeInteger,
      5,
    )
    .option(
      '--replay-minutes <n>',
      'minutes of the test period to paper-trade',
      positiveInteger('--replay-minutes'),
      240,
    )
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend')
        .choices(backendPreferenceSchema.options)
        .default('auto'),
    )
    .addHelpText(
      'after',
      '\nThe defaults train in a few minutes on 2 cores; every stage is also its own command (ingest, data summary, train,\n' +
        'backtest, paper, dashboard). Examples:\n  npm start\n  npx alpha15 start --offline --json\n' +
        '  npx alpha15 start --symbols BTCUSDT,ETHUSDT,SOLUSDT --epochs 2 --replay-minutes 60',
    )
    .action(async (flags: StartFlags) => {
      const report = await startCommand(flags);
      emit(flags, report, humanReport);
    });
}

async function startCommand(flags: StartFlags): Promise<StartReport> {
  const config = resolveConfig(flags);
  // every stage sees the same store and universe, whatever the file or environment said
  const common: CommonOptions = {
    config: flags.config,
    store: config.store,
    symbols: config.symbols.join(','),
  };
  const { epochs, window, filters, blocks, sampleStride } = flags;
  const { store } = composeAdapters(config);
  const presenter = startPresenter(config.store);
  try {
    const result = await runStart(
      {
        offlineReason: flags.offline ? '--offline' : undefined,
        days: flags.days,
        probeTimeoutMs: flags.probeTimeout,
        backend: flags.backend,
        simulationDays: flags.simulationDays,
        replayMinutes: flags.replayMinutes,
      },
      {
        config,
        store,
        modelConfig: resolveConfig(common, modelOverrides({ epochs, window, filters, blocks, sampleStride })),
        renderBacktestReport: renderReportHtml,
        renderSimulationReport: renderSimulationHtml,
        onProgress: presenter.show,
        trainingProgress: trainingProgress(log),
        interruptible: (stage, run) =>
          untilInterrupted(stage === 'train' ? TRAIN_INTERRUPTED : SIMULATE_INTERRUPTED, run),
      },
    );
    const storeUrl = store.url;
    return {
      ...result,
      dashboard: { command: `npx alpha15 dashboard --store ${storeUrl}`, url: 'http://127.0.0.1:8015' },
    };
  } finally {
    presenter.stop();
  }
}

/** The stages' progress on stderr: a heading per stage, a bar while it runs, its table when it ends. */
function startPresenter(storeUrl: string): { show: (event: StartProgress) => void; stop: () => void } {
  const ingest = ingestProgressBar();
  const backtest = countBar('backtest: predicting', 'minutes');
  const simulation = simulationProgressRenderer();
  const paper = countBar('paper', 'minutes');
  let replayed = { fromMs: 0, toMs: 0 };
  const show = (event: StartProgress): void => {
    switch (event.kind) {
      case 'binance-unreachable':
        return log(`alpha15: Binance is not reachable at ${event.baseUrl} (${event.reason})`);
      case 'stage':
        return log(stageHeading(event.stage));
      case 'ingest':
        return ingest.update(event.progress);
      case 'ingested':
        ingest.stop();
        return log(formatIngestResult(event.result));
      case 'data':
        return log(formatSummary(event.summary, storeUrl));
      case 'trained': {
        const { report } = event;
        return log(
          `model ${report.modelId} on ${report.backend}: validation IC ${formatNumber(report.val.ic)}, hit rate ${formatNumber(report.val.hitRate)}`,
        );
      }
      case 'backtest':
        return backtest.update(event.done, event.total, '');
      case 'backtested':
        backtest.stop();
        return log(`${renderSummaryText(event.result)}\nreport: ${event.summary.report}`);
      case 'simulate':
        return simulation.render(event.progress);
      case 'simulated':
        simulation.stop();
        return log(`${renderSimulationText(event.evaluation)}\nreport: ${event.summary.report}`);
      case 'paper-started':
        replayed = event;
        return;
      case 'paper-tick': {
        const { minuteMs } = event.result;
        const minutes = (replayed.toMs - replayed.fromMs) / MINUTE_MS;
        return paper.update((minuteMs - replayed.fromMs) / MINUTE_MS + 1, minutes, isoMinute(minuteMs));
      }
      case 'warning':
        return backtestWarning(event.message);
      case 'log':
        return log(event.message);
    }
  };
  return {
    show,
    stop: () => {
      ingest.stop();
      backtest.stop();
      simulation.stop();
      paper.stop();
    },
  };
}

function stageHeading(stage: StartStage): string {
  return `\n== ${stage.index}/${START_STAGES} ${stageTitle(stage)}`;
}

function stageTitle(stage: StartStage): string {
  switch (stage.stage) {
    case 'ingest':
      return `ingest: ${stage.market.reason}`;
    case 'data':
      return 'data summary';
    case 'train':
      return `train a small ResNet1D (window ${stage.windowMinutes}, ${stage.filters} filters, ${stage.blocks} blocks)`;
    case 'backtest':
      return 'backtest the test period against the baselines';
    case 'simulate':
      return `simulate the deployed loop over the last ${stage.days.toFixed(1)} days: ${stage.retrains} retrains, each period traded by its champion`;
    case 'simulate-skipped':
      return 'simulation skipped (--simulation-days 0)';
    case 'paper':
      return `paper-trade the last ${stage.replayMinutes} minutes of the test period through the replay server`;
  }
}

/** One short line per stage: the detail (per-pair figures, the full verdict) is in the tables above. */
export function humanReport(report: StartReport): string {
  const { backtest, paper } = report;
  const clearing = backtest.pairsClearingFees.length;
  const random = backtest.baselines.random;
  return [
    `market     ${report.market.name} (${isoMinute(report.market.fromMs)} to ${isoMinute(report.market.toMs)})`,
    `model      ${report.train.modelId}  validation IC ${formatNumber(report.train.val.ic)}  (champion)`,
    `backtest   ${backtest.strategy.trades} trades, avg net ${formatPercent(backtest.strategy.avgNetReturn)} per trade after costs, ` +
      `${clearing === 0 ? 'no pair clears' : `${clearing} ${clearing === 1 ? 'pair clears' : 'pairs clear'}`} fees, ` +
      `random-entry p ${random.pValue.toFixed(3)}`,
    `costs      ${breakEvenLine(backtest)}`,
    `sweep      ${sweepBreakEvenLine(backtest.costSweep, backtest.breakEvenCostPerSide)}`,
    `report     ${backtest.report}`,
    ...(report.simulation === null ? [] : [simulationLine(report.simulation)]),
    `paper      ${paper.ticks} ticks, ${paper.opened} opened, ${paper.closed} closed, net PnL ${paper.netPnl.toFixed(2)}` +
      // the ledger decides each minute once: a re-run over the same minutes finds them decided
      (paper.duplicates > 0 ? ` (${paper.duplicates} already decided)` : ''),
    `ledger     ${paper.ledger.trades} trades in the replayed period, net PnL ${paper.ledger.netPnl.toFixed(2)}`,
    `dashboard  ${report.dashboard.command}   then open ${report.dashboard.url}`,
  ].join('\n');
}

function simulationLine(simulation: SimulationSummary): string {
  const champions = new Set(simulation.periods.map((period) => period.championId)).size;
  return (
    `simulation ${simulation.periods.length} retrains, ${champions} champions: ${simulation.strategy.trades} trades, ` +
    `total net ${formatPercent(simulation.strategy.totalNetReturn)}, random-entry p ${simulation.baselines.random.pValue.toFixed(3)} ` +
    `(${simulation.secondsPerPeriod.toFixed(1)} s per period)  ${simulation.report}\n` +
    `sim sweep  ${sweepBreakEvenLine(simulation.costSweep, simulation.breakEvenCostPerSide)}`
  );
}

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError(`--simulation-days needs a whole number of at least 0, got "${value}"`);
  return parsed;
}

/**
 * What the strategy's own trades can afford: the cost per side at which their average breaks even when
 * re-priced (thresholds fixed), beside the venue and fills it paid under. The refitted sweep has its own line.
 */
export function breakEvenLine(
  backtest: Pick<BacktestSummary, 'execution' | 'costCurveBreakEvenCostPerSide'> & {
    strategy: Pick<BacktestSummary['strategy'], 'trades'>;
  },
): string {
  const { execution } = backtest;
  const slippage = Object.values(execution.slippageRatePerSide);
  const fills = { nextOpen: 'next-minute open', close: 'decision close', maker: 'maker limits' }[
    execution.entry
  ];
  const paying = `${venueText(execution)}, fills at the ${fills}, slippage ${formatPercent(Math.min(...slippage))}-${formatPercent(Math.max(...slippage))} per side`;
  const breakEven = backtest.costCurveBreakEvenCostPerSide.strategy;
  if (backtest.strategy.trades === 0) return `no trades, so no re-priced break-even cost (${paying})`;
  if (breakEven === null)
    return `re-priced break-even cost per side: none, the trades lose before costs (${paying})`;
  return `re-priced break-even cost per side ${formatPercent(breakEven)} (${paying})`;
}

function formatPercent(fraction: number | null): string {
  return fraction === null || !Number.isFinite(fraction) ? 'n/a' : `${(fraction * 100).toFixed(3)}%`;
}

function formatNumber(value: number | null): string {
  return value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(4);
}

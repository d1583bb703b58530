/**
 * `alpha15 start` (`npm start`): the whole pipeline on one machine, each stage the very command a user
 * would run by hand: ingest, data summary, train, backtest, then paper trading over the model's test
 * period through the replay server. Uses Binance when it answers, else says so and takes the seeded
 * synthetic market, so it works offline.
 */
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { TRAINING_LOOKBACK_DAYS } from '../../contracts/retraining.js';
import type { Config } from '../../config/schema.js';
import type { IngestResult } from '../../app/ingest.js';
import { readSymbol } from '../../lake/reader.js';
import { summariseLake, type LakeSummary } from '../../lake/summary.js';
import { probeBinance } from '../../market/probe.js';
import { SYNTHETIC_DAYS, SYNTHETIC_END_MS } from '../../market/source.js';
import { backendPreferenceSchema, type BackendPreference } from '../../contracts/backends.js';
import { runPaperReplay, type PaperReplaySummary } from '../../app/paper-replay.js';
import { firstInputMinuteMs } from '../../model/warm-up.js';
import { openStore } from '../../store/open-store.js';
import { DEFAULT_RANDOM_SIMULATIONS } from '../../strategy/baselines/random.js';
import type { BacktestSummary } from '../../app/backtest.js';
import { DAY_MS, floorToMinute, isoMinute, MINUTE_MS } from '../../time.js';
import { positiveInteger, resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit, log } from '../output.js';
import { runBacktestCommand } from './backtest.js';
import { formatSummary } from './data.js';
import { formatIngestResult, runIngest } from './ingest.js';
import { runSimulate } from './simulate.js';
import { runTrainCommand, type ModelFlags, type TrainReport } from './train.js';
import type { SimulationSummary } from '../../app/simulate.js';
import { sweepBreakEvenLine, venueText } from '../../ui/report/cost-sweep-text.js';

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

interface MarketChoice {
  name: 'binance' | 'synthetic';
  /** Why this market was chosen, in words. */
  reason: string;
  fromMs: number;
  toMs: number;
}

export interface StartReport {
  market: MarketChoice;
  ingest: IngestResult;
  data: LakeSummary;
  train: TrainReport;
  backtest: BacktestSummary;
  /** Null when --simulation-days 0 skipped the stage. */
  simulation: SimulationSummary | null;
  paper: PaperReplaySummary;
  dashboard: { command: string; url: string };
}

const STAGES = 6;
/** The simulation stage: the first model trains on this share of its days, then two retrains split the rest. */
const SIMULATION_INITIAL_SHARE = 0.6;
const SIMULATION_PERIODS = 2;

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
      const report = await runStart(flags);
      emit(flags, report, humanReport);
    });
}

async function runStart(flags: StartFlags): Promise<StartReport> {
  const config = resolveConfig(flags);
  // every stage sees the same store and universe, whatever the file or environment said
  const common: CommonOptions = {
    config: flags.config,
    store: config.store,
    symbols: config.symbols.join(','),
  };

  const market = await chooseMarket(flags, config);
  stage(1, `ingest: ${market.reason}`);
  const ingest = await runIngest({
    ...common,
    source: market.name,
    from: String(market.fromMs),
    to: String(market.toMs),
  });
  log(formatIngestResult(ingest));

  stage(2, 'data summary');
  const data = await summariseLake(openStore(config.store), config.symbols);
  log(formatSummary(data, config.store));

  stage(
    3,
    `train a small ResNet1D (window ${flags.window}, ${flags.filters} filters, ${flags.blocks} blocks)`,
  );
  const train = await runTrainCommand({
    ...common,
    from: String(market.fromMs),
    to: String(market.toMs),
    ...modelFlags(flags),
    promote: true,
  });
  log(
    `model ${train.modelId} on ${train.backend}: validation IC ${formatNumber(train.val.ic)}, hit rate ${formatNumber(train.val.hitRate)}`,
  );

  stage(4, 'backtest the test period against the baselines');
  const { summary: backtest, text } = await runBacktestCommand({
    ...common,
    model: train.modelId,
    simulations: DEFAULT_RANDOM_SIMULATIONS,
  });
  log(`${text}\nreport: ${backtest.report}`);

  const simulation = await simulationStage(flags, common, market);

  stage(
    6,
    `paper-trade the last ${flags.replayMinutes} minutes of the test period through the replay server`,
  );
  const paper = await paperReplay(config, train.modelId, backtest.period, flags.replayMinutes);

  const storeUrl = openStore(config.store).url;
  return {
    market,
    ingest,
    data,
    train,
    backtest,
    simulation,
    paper,
    dashboard: { command: `npx alpha15 dashboard --store ${storeUrl}`, url: 'http://127.0.0.1:8015' },
  };
}

/**
 * The deployed retrain loop in small: the end of the market replayed with the same small model, one
 * retrain per period, each period traded by its champion (`alpha15 simulate`).
 */
async function simulationStage(
  flags: StartFlags,
  common: CommonOptions,
  market: MarketChoice,
): Promise<SimulationSummary | null> {
  const spanMinutes = Math.min(flags.simulationDays * 1440, (market.toMs - market.fromMs) / MINUTE_MS);
  if (spanMinutes === 0) {
    log('\n== 5/6 simulation skipped (--simulation-days 0)');
    return null;
  }
  const initialMinutes = Math.round(spanMinutes * SIMULATION_INITIAL_SHARE);
  const periodMinutes = Math.ceil((spanMinutes - initialMinutes) / SIMULATION_PERIODS);
  stage(
    5,
    `simulate the deployed loop over the last ${(spanMinutes / 1440).toFixed(1)} days: ${SIMULATION_PERIODS} retrains, each period traded by its champion`,
  );
  const { summary, text } = await runSimulate({
    ...common,
    from: String(market.toMs - spanMinutes * MINUTE_MS),
    to: String(market.toMs),
    initialTraining: initialMinutes / 1440,
    retrainEvery: periodMinutes / 60,
    lookbackDays: TRAINING_LOOKBACK_DAYS,
    ...modelFlags(flags),
    simulations: DEFAULT_RANDOM_SIMULATIONS,
  });
  log(`${text}\nreport: ${summary.report}`);
  return summary;
}

/** Binance if it answers within the probe timeout (the last `--days` days by its clock), else synthetic. */
async function chooseMarket(flags: StartFlags, config: Config): Promise<MarketChoice> {
  const synthetic = (why: string): MarketChoice => ({
    name: 'synthetic',
    reason: `${why}: using the seeded synthetic market (${config.symbols.length} symbols, ${SYNTHETIC_DAYS} days, planted lead-lag)`,
    fromMs: SYNTHETIC_END_MS - SYNTHETIC_DAYS * DAY_MS,
    toMs: SYNTHETIC_END_MS,
  });
  if (flags.offline) return synthetic('--offline');
  const probe = await probeBinance(config.binanceBaseUrl, flags.probeTimeout);
  if (!probe.reachable) {
    log(`alpha15: Binance is not reachable at ${config.binanceBaseUrl} (${probe.reason})`);
    return synthetic('offline');
  }
  const toMs = floorToMinute(probe.serverTimeMs);
  return {
    name: 'binance',
    reason: `Binance answers at ${config.binanceBaseUrl}: the last ${flags.days} days of ${config.symbols.length} symbols`,
    fromMs: toMs - flags.days * DAY_MS,
    toMs,
  };
}

/**
 * The end of the test period, ticked minute by minute: the replay server serves the lake's candles of
 * that slice (with a window of warm-up before it), its clock stepping as fast as the ticks run.
 */
async function paperReplay(
  config: Config,
  modelId: string,
  testPeriod: { fromMs: number; toMs: number },
  replayMinutes: number,
): Promise<PaperReplaySummary> {
  const toMs = testPeriod.toMs;
  const fromMs = Math.max(testPeriod.fromMs, toMs - replayMinutes * MINUTE_MS);
  // the first tick decides on the minute before fromMs (the newest closed one); a horizon more of margin
  const firstCandleMs =
    firstInputMinuteMs(fromMs - MINUTE_MS, config.windowMinutes) - config.horizonMinutes * MINUTE_MS;
  const store = openStore(config.store);
  const candles = await Promise.all(
    config.symbols.map((symbol) => readSymbol(store, symbol, firstCandleMs, toMs)),
  );
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'paper |{bar}| {value}/{total} minutes  {minute}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start((toMs - fromMs) / MINUTE_MS, 0, { minute: '' });
  try {
    return await runPaperReplay({
      store,
      config,
      candles,
      fromMs,
      toMs,
      speed: 'max',
      model: modelId,
      onTick: (result) =>
        bar.update((result.minuteMs - fromMs) / MINUTE_MS + 1, { minute: isoMinute(result.minuteMs) }),
      log,
    });
  } finally {
    bar.stop();
  }
}

function stage(index: number, title: string): void {
  log(`\n== ${index}/${STAGES} ${title}`);
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

/** The small model every training stage uses. */
function modelFlags(flags: StartFlags): ModelFlags {
  const { epochs, window, filters, blocks, sampleStride, backend } = flags;
  return { epochs, window, filters, blocks, sampleStride, backend };
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

/**
 * The whole pipeline on one machine (`alpha15 start`, `npm start`), each stage the use case a user
 * would run by hand: ingest, data summary, train, backtest, the deployed retrain loop simulated, then
 * paper trading over the model's test period through the replay server. Binance when it answers,
 * else the seeded synthetic market, so it works offline. Progress goes out as typed events; the CLI
 * (src/cli/commands/start.ts) presents them and the result.
 */
import type { ObjectStore } from '../store/object-store.js';
import type { Config } from '../config/schema.js';
import type { BackendPreference } from '../contracts/backends.js';
import { TRAINING_LOOKBACK_DAYS } from '../contracts/retraining.js';
import { readSymbol } from '../lake/reader.js';
import { summariseLake, type LakeSummary } from '../lake/summary.js';
import { probeBinance } from '../market/probe.js';
import { parseSourceSpec, SYNTHETIC_DAYS, SYNTHETIC_END_MS } from '../market/source.js';
import { firstInputMinuteMs } from '../model/warm-up.js';
import type { TickResult } from '../paper/tick.js';
import type { BacktestResult } from '../strategy/evaluate.js';
import type { SimulationEvaluation } from '../strategy/evaluate-simulation.js';
import { DEFAULT_RANDOM_SIMULATIONS } from '../strategy/baselines/random.js';
import { DAY_MS, floorToMinute, MINUTE_MS } from '../time.js';
import { runBacktest, type BacktestSummary, type RunBacktestOptions } from './backtest.js';
import { ingest, requireIngestedRows, type IngestProgress, type IngestResult } from './ingest.js';
import { runPaperReplay, type PaperReplaySummary } from './paper-replay.js';
import {
  simulate,
  type SimulateOptions,
  type SimulationProgress,
  type SimulationSummary,
} from './simulate.js';
import { trainModel } from './train.js';
import type { TrainingProgress } from './train-options.js';
import { toReport, type TrainReport } from './train-report.js';
import { resolveUniverse } from './universe.js';

export const START_STAGES = 6;
/** The simulation stage: the first model trains on this share of its days, then two retrains split the rest. */
const SIMULATION_INITIAL_SHARE = 0.6;
const SIMULATION_PERIODS = 2;

export interface MarketChoice {
  name: 'binance' | 'synthetic';
  /** Why this market was chosen, in words. */
  reason: string;
  fromMs: number;
  toMs: number;
}

export interface StartSettings {
  /** Set: skip the Binance probe and take the synthetic market, for this reason (the CLI names its flag). */
  offlineReason?: string;
  /** Days of Binance history to ingest. */
  days: number;
  probeTimeoutMs: number;
  backend: BackendPreference;
  /** Days at the end of the market the simulation replays; 0 skips the stage. */
  simulationDays: number;
  /** Minutes at the end of the test period to paper-trade. */
  replayMinutes: number;
}

/** A stage as it begins (numbered 1 to START_STAGES). */
export type StartStage =
  | { index: 1; stage: 'ingest'; market: MarketChoice }
  | { index: 2; stage: 'data' }
  | { index: 3; stage: 'train'; windowMinutes: number; filters: number; blocks: number }
  | { index: 4; stage: 'backtest' }
  | { index: 5; stage: 'simulate'; days: number; retrains: number }
  | { index: 5; stage: 'simulate-skipped' }
  | { index: 6; stage: 'paper'; replayMinutes: number };

export type StartProgress =
  | { kind: 'binance-unreachable'; baseUrl: string; reason: string }
  | { kind: 'stage'; stage: StartStage }
  | { kind: 'ingest'; progress: IngestProgress }
  | { kind: 'ingested'; result: IngestResult }
  | { kind: 'data'; summary: LakeSummary }
  | { kind: 'trained'; report: TrainReport }
  | { kind: 'backtest'; done: number; total: number }
  | { kind: 'backtested'; summary: BacktestSummary; result: BacktestResult }
  | { kind: 'simulate'; progress: SimulationProgress }
  | { kind: 'simulated'; summary: SimulationSummary; evaluation: SimulationEvaluation }
  | { kind: 'paper-started'; fromMs: number; toMs: number }
  | { kind: 'paper-tick'; result: TickResult }
  | { kind: 'warning'; message: string }
  | { kind: 'log'; message: string };

export interface StartDeps {
  /** The pipeline's store, universe and strategy. */
  config: Config;
  /** The store `config.store` names, composed by the caller (src/app/compose.ts). */
  store: ObjectStore;
  /** The same config with the small model's sizes and epochs, for every stage that trains. */
  modelConfig: Config;
  renderBacktestReport: RunBacktestOptions['renderReport'];
  renderSimulationReport: SimulateOptions['renderReport'];
  onProgress: (event: StartProgress) => void;
  trainingProgress?: TrainingProgress;
  /**
   * Runs a stage that stops at its next safe point when the signal aborts (the CLI's Ctrl-C): the
   * trained model keeps its best epoch, the simulation its finished periods. Default: never aborted.
   */
  interruptible?: <T>(stage: 'train' | 'simulate', run: (signal?: AbortSignal) => Promise<T>) => Promise<T>;
}

export interface StartResult {
  market: MarketChoice;
  ingest: IngestResult;
  data: LakeSummary;
  train: TrainReport;
  backtest: BacktestSummary;
  /** Null when a simulation of 0 days skipped the stage. */
  simulation: SimulationSummary | null;
  paper: PaperReplaySummary;
}

const uninterrupted: NonNullable<StartDeps['interruptible']> = (_stage, run) => run();

export async function runStart(settings: StartSettings, deps: StartDeps): Promise<StartResult> {
  const { config, onProgress, store } = deps;
  const stage = (begun: StartStage) => onProgress({ kind: 'stage', stage: begun });

  const market = await chooseMarket(settings, config, onProgress);
  stage({ index: 1, stage: 'ingest', market });
  const ingested = requireIngestedRows(
    await ingest({
      store,
      source: parseSourceSpec(market.name, config),
      symbols: config.symbols,
      fromMs: market.fromMs,
      toMs: market.toMs,
      onProgress: (progress) => onProgress({ kind: 'ingest', progress }),
    }),
  );
  onProgress({ kind: 'ingested', result: ingested });

  stage({ index: 2, stage: 'data' });
  const data = await summariseLake(store, config.symbols);
  onProgress({ kind: 'data', summary: data });

  const { modelConfig } = deps;
  stage({
    index: 3,
    stage: 'train',
    windowMinutes: modelConfig.windowMinutes,
    filters: modelConfig.model.filters,
    blocks: modelConfig.model.blocks,
  });
  const train = await trainStage(settings, deps, market);
  onProgress({ kind: 'trained', report: train });

  stage({ index: 4, stage: 'backtest' });
  const backtested = await runBacktest({
    store,
    model: train.modelId,
    config,
    renderReport: deps.renderBacktestReport,
    randomSimulations: DEFAULT_RANDOM_SIMULATIONS,
    onWarning: (message) => onProgress({ kind: 'warning', message }),
    onProgress: (done, total) => onProgress({ kind: 'backtest', done, total }),
  });
  onProgress({ kind: 'backtested', ...backtested });

  const simulation = await simulationStage(settings, deps, market);

  stage({ index: 6, stage: 'paper', replayMinutes: settings.replayMinutes });
  const paper = await paperReplay(
    store,
    config,
    train.modelId,
    backtested.summary.period,
    settings,
    onProgress,
  );
  return { market, ingest: ingested, data, train, backtest: backtested.summary, simulation, paper };
}

/** Binance if it answers within the probe timeout (the last `days` days by its clock), else synthetic. */
async function chooseMarket(
  settings: StartSettings,
  config: Config,
  onProgress: StartDeps['onProgress'],
): Promise<MarketChoice> {
  const synthetic = (why: string): MarketChoice => ({
    name: 'synthetic',
    reason: `${why}: using the seeded synthetic market (${config.symbols.length} symbols, ${SYNTHETIC_DAYS} days, planted lead-lag)`,
    fromMs: SYNTHETIC_END_MS - SYNTHETIC_DAYS * DAY_MS,
    toMs: SYNTHETIC_END_MS,
  });
  if (settings.offlineReason !== undefined) return synthetic(settings.offlineReason);
  const probe = await probeBinance(config.binanceBaseUrl, settings.probeTimeoutMs);
  if (!probe.reachable) {
    onProgress({ kind: 'binance-unreachable', baseUrl: config.binanceBaseUrl, reason: probe.reason });
    return synthetic('offline');
  }
  const toMs = floorToMinute(probe.serverTimeMs);
  return {
    name: 'binance',
    reason: `Binance answers at ${config.binanceBaseUrl}: the last ${settings.days} days of ${config.symbols.length} symbols`,
    fromMs: toMs - settings.days * DAY_MS,
    toMs,
  };
}

/** The small model on the whole market, made champion (the stages after it trade it). */
async function trainStage(
  settings: StartSettings,
  deps: StartDeps,
  market: MarketChoice,
): Promise<TrainReport> {
  const { modelConfig: config, onProgress, store } = deps;
  await resolveUniverse(store, config.symbols, true);
  const interruptible = deps.interruptible ?? uninterrupted;
  return interruptible('train', async (signal) => {
    const result = await trainModel({
      config,
      store,
      fromMs: market.fromMs,
      toMs: market.toMs,
      backend: settings.backend,
      promote: true,
      progress: deps.trainingProgress,
      log: (message) => onProgress({ kind: 'log', message }),
      signal,
    });
    return toReport(result, config);
  });
}

/**
 * The deployed retrain loop in small: the end of the market replayed with the same small model, one
 * retrain per period, each period traded by its champion (`alpha15 simulate`).
 */
async function simulationStage(
  settings: StartSettings,
  deps: StartDeps,
  market: MarketChoice,
): Promise<SimulationSummary | null> {
  const { modelConfig: config, onProgress, store } = deps;
  const spanMinutes = Math.min(settings.simulationDays * 1440, (market.toMs - market.fromMs) / MINUTE_MS);
  if (spanMinutes === 0) {
    onProgress({ kind: 'stage', stage: { index: 5, stage: 'simulate-skipped' } });
    return null;
  }
  const initialMinutes = Math.round(spanMinutes * SIMULATION_INITIAL_SHARE);
  const periodMinutes = Math.ceil((spanMinutes - initialMinutes) / SIMULATION_PERIODS);
  onProgress({
    kind: 'stage',
    stage: { index: 5, stage: 'simulate', days: spanMinutes / 1440, retrains: SIMULATION_PERIODS },
  });
  await resolveUniverse(store, config.symbols, true);
  const interruptible = deps.interruptible ?? uninterrupted;
  const result = await interruptible('simulate', (signal) =>
    simulate({
      store,
      config,
      fromMs: market.toMs - spanMinutes * MINUTE_MS,
      toMs: market.toMs,
      initialTrainingMs: initialMinutes * MINUTE_MS,
      retrainEveryMs: periodMinutes * MINUTE_MS,
      lookbackMs: TRAINING_LOOKBACK_DAYS * DAY_MS,
      backend: settings.backend,
      randomSimulations: DEFAULT_RANDOM_SIMULATIONS,
      renderReport: deps.renderSimulationReport,
      signal,
      onProgress: (progress) => onProgress({ kind: 'simulate', progress }),
    }),
  );
  onProgress({ kind: 'simulated', summary: result.summary, evaluation: result.evaluation });
  return result.summary;
}

/**
 * The end of the test period, ticked minute by minute: the replay server serves the lake's candles of
 * that slice (with a window of warm-up before it), its clock stepping as fast as the ticks run.
 */
async function paperReplay(
  store: ObjectStore,
  config: Config,
  modelId: string,
  testPeriod: { fromMs: number; toMs: number },
  settings: StartSettings,
  onProgress: StartDeps['onProgress'],
): Promise<PaperReplaySummary> {
  const toMs = testPeriod.toMs;
  const fromMs = Math.max(testPeriod.fromMs, toMs - settings.replayMinutes * MINUTE_MS);
  // the first tick decides on the minute before fromMs (the newest closed one); a horizon more of margin
  const firstCandleMs =
    firstInputMinuteMs(fromMs - MINUTE_MS, config.windowMinutes) - config.horizonMinutes * MINUTE_MS;
  const candles = await Promise.all(
    config.symbols.map((symbol) => readSymbol(store, symbol, firstCandleMs, toMs)),
  );
  onProgress({ kind: 'paper-started', fromMs, toMs });
  return runPaperReplay({
    store,
    config,
    candles,
    fromMs,
    toMs,
    speed: 'max',
    model: modelId,
    onTick: (result) => onProgress({ kind: 'paper-tick', result }),
    log: (message) => onProgress({ kind: 'log', message }),
  });
}

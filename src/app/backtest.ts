/**
 * The backtest as one call, shared by `alpha15 backtest` and `npm start`: loads a model and its
 * thresholds from the store, reads its candles from the lake, predicts the test period, evaluates the
 * strategy against the baselines and writes the report (to the store and to a local file).
 */
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import { modelTargets } from '../features/targets.js';
import type { MarketFrame } from '../lake/frame.js';
import { readFrame } from '../lake/reader.js';
import { selectBackend } from '../model/backend.js';
import { modelTargetOf, type ModelMeta } from '../model/artifacts.js';
import { icDecay, type IcAtHorizon } from '../model/ic-decay.js';
import { predictRange } from '../model/predict-range.js';
import { loadPredictor, type Predictor } from '../model/predictor.js';
import { getModelFile, resolveModelId } from '../model/registry.js';
import { firstInputMinuteMs, firstPredictableRow } from '../model/warm-up.js';
import { REPORTS_PREFIX } from '../contracts/keys.js';
import { assertStrategyFitsModel } from '../contracts/run-invariants.js';
import { recordRun } from '../runs/runs-index.js';
import { LocalStore } from '../store/local-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { writeFileAtomically } from '../store/atomic-file.js';
import { isoMinute, MINUTE_MS } from '../time.js';
import { evaluateBacktest, type BacktestResult, type Splits } from '../strategy/evaluate.js';
import { venueTakerFeeRatePerSide } from '../strategy/venue.js';
import { fitStrategyOnFrame } from '../strategy/fit.js';
import { parseStrategyParams, THRESHOLDS_FILE, type StrategyParams } from '../strategy/params.js';
import type { PerformanceMetrics, Period } from '../strategy/performance.js';

export class NoTestPeriodError extends Alpha15Error {
  readonly code = 'NO_TEST_PERIOD';
}

export interface RunBacktestOptions {
  store: ObjectStore;
  /** A model id or 'champion'. */
  model: string;
  config: Config;
  /** Test period override; defaults to the model's test split. */
  fromMs?: number;
  toMs?: number;
  /** A local file to write the report to, besides the store. */
  reportPath?: string;
  /** Renders the HTML report (src/ui/report/html.ts's `renderReportHtml`): presentation stays at the edge. */
  renderReport: (input: BacktestReportInput) => string;
  randomSimulations?: number;
  /** Told when the results will not be honest out-of-sample numbers. */
  onWarning?: (message: string) => void;
  /** Predicted minutes so far, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
  nowMs?: number;
}

/** What the backtest's HTML report shows. */
export interface BacktestReportInput {
  result: BacktestResult;
  modelId: string;
  generatedAtMs: number;
  /** What the model learned and its IC decay on the test period (the use case computes it from the model). */
  signal?: { target: 'raw' | 'residual'; icDecay: readonly IcAtHorizon[] };
}

type Headline = Pick<
  PerformanceMetrics,
  'trades' | 'hitRate' | 'avgNetReturn' | 'totalNetReturn' | 'sharpe' | 'maxDrawdown'
>;

/** The strategy beside its baselines, as the backtest and the simulation report them. */
export interface Headlines {
  strategy: Headline & { dailySharpe: number | null; exposure: number };
  baselines: { noTrade: Headline; ridge: Headline; random: Headline & { pValue: number } };
  pairsClearingFees: string[];
  /** How the trades filled: entry rule and slippage per pair, as a fraction per side. */
  execution: BacktestResult['execution'];
  /** The trades made at the configured cost re-priced at cost per side 0 to 0.2% (thresholds fixed). */
  costCurve: BacktestResult['costCurve'];
  /** The cost per side at which that re-priced average reaches zero (null: no trades, or losing before costs). */
  costCurveBreakEvenCostPerSide: BacktestResult['costCurveBreakEvenCostPerSide'];
  /** Thresholds refitted on validation at each fee per side, the test traded at it (null: not computed). */
  costSweep: BacktestResult['costSweep'] | null;
  /** The sweep's highest fee per side with test profit at p < 0.05, and the largest at any p (null: no sweep). */
  breakEvenCostPerSide: BacktestResult['breakEvenCostPerSide'] | null;
  /** Short signals a long-only venue dropped. */
  droppedShorts: number;
  /** Maker entries' fill rate and adverse selection (null: taker entries). */
  makerFills: BacktestResult['strategy']['makerFills'];
  verdict: string;
}

export interface BacktestSummary extends Headlines {
  modelId: string;
  period: Period;
  /** What the model learned; IC and the weighted correlation are scored against it. */
  target: 'raw' | 'residual';
  /** The G-Research weighted correlation of the test-period predictions (null: undefined). */
  weightedCorrelation: number | null;
  /** Test-period IC against the target at 1, 5, 15, 30 and 60 minutes. */
  icDecay: IcAtHorizon[];
  /** Local path of the HTML report. */
  report: string;
  /** The report's key in the object store. */
  reportKey: string;
  /** True when the period overlaps the model's training or validation data. */
  inSample: boolean;
  /**
   * Where the thresholds came from: the model's thresholds.json, or fitted now on its validation split
   * (no file, or a file chosen at another taker fee than the configured futures tier charges).
   */
  thresholdsSource: 'stored' | 'fitted';
  /** The runs-index record of this backtest (runs/<id>.json). */
  runId?: string;
}

/** The report's key in the store; the summary JSON sits beside it as backtest.json. */
export function reportKey(modelId: string): string {
  return `${REPORTS_PREFIX}${modelId}/backtest.html`;
}

/** The final metrics of a run record (src/runs) that every strategy evaluation reports, NaN for undefined. */
export function headlineRunMetrics(headlines: Headlines): Record<string, number> {
  const { strategy } = headlines;
  return {
    trades: strategy.trades,
    hitRate: strategy.hitRate ?? Number.NaN,
    totalNetReturn: strategy.totalNetReturn,
    sharpe: strategy.sharpe ?? Number.NaN,
    maxDrawdown: strategy.maxDrawdown,
    randomPValue: headlines.baselines.random.pValue,
  };
}

const headline = (metrics: PerformanceMetrics): Headline => ({
  trades: metrics.trades,
  hitRate: metrics.hitRate,
  avgNetReturn: metrics.avgNetReturn,
  totalNetReturn: metrics.totalNetReturn,
  sharpe: metrics.sharpe,
  maxDrawdown: metrics.maxDrawdown,
});

export function headlines(
  result: Pick<
    BacktestResult,
    'strategy' | 'baselines' | 'verdict' | 'execution' | 'costCurve' | 'costCurveBreakEvenCostPerSide'
  > & {
    costSweep: BacktestResult['costSweep'] | null;
    breakEvenCostPerSide: BacktestResult['breakEvenCostPerSide'] | null;
  },
): Headlines {
  const { strategy, baselines, verdict } = result;
  return {
    strategy: {
      ...headline(strategy.overall),
      dailySharpe: strategy.overall.dailySharpe,
      exposure: strategy.overall.exposure,
    },
    baselines: {
      noTrade: headline(baselines.noTrade),
      ridge: headline(baselines.ridge.overall),
      random: { ...headline(baselines.random.metrics), pValue: baselines.random.pValue },
    },
    pairsClearingFees: verdict.pairsClearingFees.map((pair) => pair.symbol),
    execution: result.execution,
    costCurve: result.costCurve,
    costCurveBreakEvenCostPerSide: result.costCurveBreakEvenCostPerSide,
    costSweep: result.costSweep,
    breakEvenCostPerSide: result.breakEvenCostPerSide,
    droppedShorts: strategy.droppedShorts,
    makerFills: strategy.makerFills,
    verdict: verdict.summary,
  };
}

/** Raw predictions [row][coin] for every row of the periods that has a full window; NaN elsewhere. */
export async function predictRows(
  predictor: Predictor,
  frame: MarketFrame,
  periods: readonly Period[],
  onProgress?: (done: number, total: number) => void,
): Promise<Float32Array> {
  const coinCount = frame.symbols.length;
  const endRows: number[] = [];
  for (const period of periods) {
    const from = Math.max(
      firstPredictableRow(predictor.meta.windowMinutes),
      Math.ceil((period.fromMs - frame.startTimeMs) / MINUTE_MS),
    );
    const to = Math.min(frame.length, Math.ceil((period.toMs - frame.startTimeMs) / MINUTE_MS));
    for (let row = from; row < to; row++) endRows.push(row);
  }
  const timesMs = endRows.map((row) => frame.startTimeMs + row * MINUTE_MS);
  const predicted = await predictRange(predictor, frame, timesMs, { onProgress });
  const predictions = new Float32Array(frame.length * coinCount).fill(Number.NaN);
  endRows.forEach((row, sample) =>
    predictions.set(predicted.subarray(sample * coinCount, (sample + 1) * coinCount), row * coinCount),
  );
  return predictions;
}

/** The frame rows of a period's decision minutes. */
function rowsOf(frame: MarketFrame, period: Period): Int32Array {
  const from = Math.max(0, Math.ceil((period.fromMs - frame.startTimeMs) / MINUTE_MS));
  const to = Math.min(frame.length, Math.ceil((period.toMs - frame.startTimeMs) / MINUTE_MS));
  return Int32Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** [sample][coin] values of the given rows of a [row][coin] array. */
function rowsSlice(values: Float32Array, rows: Int32Array, coinCount: number): Float32Array {
  const out = new Float32Array(rows.length * coinCount);
  rows.forEach((row, sample) =>
    out.set(values.subarray(row * coinCount, (row + 1) * coinCount), sample * coinCount),
  );
  return out;
}

function defaultLocalReportPath(store: ObjectStore, modelId: string): string {
  return store instanceof LocalStore
    ? path.join(store.rootDir, reportKey(modelId))
    : path.resolve('alpha15-reports', modelId, 'backtest.html');
}

export async function runBacktest(
  options: RunBacktestOptions,
): Promise<{ summary: BacktestSummary; result: BacktestResult }> {
  const { store, config } = options;
  const startedAtMs = options.nowMs ?? Date.now();
  const startedPerfMs = performance.now();
  const modelId = await resolveModelId(store, options.model);
  const backend = await selectBackend();
  const predictor = await loadPredictor(store, modelId);
  try {
    const { meta } = predictor;
    const { splits, inSample } = backtestSplits(meta, modelId, options);
    const { test } = splits;
    const frame = await readFrame(store, meta.symbols, ...backtestFrameSpan(meta, splits));
    const stored = await getModelFile(store, modelId, THRESHOLDS_FILE);
    // Validation predictions too: for thresholds when the model has none, and for the raw vs calibrated comparison.
    const predictions = await predictRows(predictor, frame, [splits.validation, test], options.onProgress);
    const { modelStrategy, thresholdsSource } = backtestStrategy(stored, {
      modelId,
      meta,
      frame,
      predictions,
      validation: splits.validation,
      config,
    });

    // scored against what the model learned (raw or residual), whatever the config says now
    const { target, coinWeights } = modelTargetOf(meta);
    const result = evaluateBacktest({
      frame,
      modelPredictions: predictions,
      modelStrategy,
      splits,
      modelTargets: modelTargets(frame, meta.horizonMinutes, target, coinWeights),
      coinWeights,
      config,
      randomSimulations: options.randomSimulations,
      compareCalibration: true,
    });
    const testRows = rowsOf(frame, test);
    const decay = icDecay({
      frame,
      rows: testRows,
      predictions: rowsSlice(predictions, testRows, frame.symbols.length),
      target,
      coinWeights,
    });
    const html = options.renderReport({
      result,
      modelId,
      generatedAtMs: options.nowMs ?? Date.now(),
      signal: { target, icDecay: decay },
    });
    const { key, localPath } = await writeReport(options, modelId, html);
    const summary: BacktestSummary = {
      modelId,
      period: test,
      ...headlines(result),
      target,
      weightedCorrelation: result.strategy.weightedCorrelation,
      icDecay: decay,
      report: localPath,
      reportKey: key,
      inSample,
      thresholdsSource,
    };
    const run = await recordRun(store, {
      kind: 'backtest',
      study: null,
      status: 'completed',
      config,
      data: test,
      gitRevision: meta.gitRevision,
      backend: backend.name,
      modelId,
      startedAtMs,
      durationMs: performance.now() - startedPerfMs,
      epochs: [],
      final: headlineRunMetrics(summary),
    });
    summary.runId = run.id;
    // Machine-readable beside the report, for dashboards and later comparisons of models.
    await store.put(key.replace(/\.html$/, '.json'), JSON.stringify(summary, null, 2));
    return { summary, result };
  } finally {
    predictor.dispose();
  }
}

/** The model's splits with the test period the options ask for (default: the model's own test split). */
function backtestSplits(
  meta: ModelMeta,
  modelId: string,
  options: Pick<RunBacktestOptions, 'fromMs' | 'toMs' | 'onWarning'>,
): { splits: Splits; inSample: boolean } {
  const modelTest = meta.split.test;
  const test: Period = {
    fromMs: options.fromMs ?? modelTest?.fromMs ?? Number.NaN,
    toMs: options.toMs ?? modelTest?.toMs ?? Number.NaN,
  };
  if (!Number.isFinite(test.fromMs) || !Number.isFinite(test.toMs)) {
    throw new NoTestPeriodError(
      `model ${modelId} has no test split and no test range was given`,
      "give a test range after the model's training data",
      { data: { reason: 'no-split', modelId } },
    );
  }
  if (test.toMs <= test.fromMs) {
    const splitText = modelTest ? `${isoMinute(modelTest.fromMs)}..${isoMinute(modelTest.toMs)}` : 'none';
    throw new NoTestPeriodError(
      `the backtest range ${isoMinute(test.fromMs)}..${isoMinute(test.toMs)} is empty: it starts at or after its end ` +
        `(model ${modelId}'s test split: ${splitText})`,
      "give a range whose start is before its end; without an end the range ends where the model's test split ends",
      { data: { reason: 'empty-range', modelId, fromMs: test.fromMs, toMs: test.toMs, modelTest } },
    );
  }
  const splits: Splits = { train: meta.split.train, validation: meta.split.validation, test };
  const inSample = test.fromMs < splits.validation.toMs && test.toMs > splits.train.fromMs;
  if (inSample) {
    options.onWarning?.(
      `the period ${isoMinute(test.fromMs)}..${isoMinute(test.toMs)} overlaps the model's training or validation data: its results are in-sample`,
    );
  }
  return { splits, inSample };
}

/** [fromMs, toMs) of the candles the backtest reads: training's start to the horizon past test and validation. */
function backtestFrameSpan(meta: ModelMeta, splits: Splits): [number, number] {
  const horizonMs = meta.horizonMinutes * MINUTE_MS;
  const frameFromMs = Math.min(
    splits.train.fromMs,
    firstInputMinuteMs(splits.test.fromMs, meta.windowMinutes),
  );
  // through the validation split too, whatever the range: thresholds and the calibration check are fitted
  // there, also for an in-sample range that ends before it
  const frameToMs = Math.max(splits.test.toMs, splits.validation.toMs) + horizonMs;
  return [frameFromMs, frameToMs];
}

/** The model's stored thresholds where they fit the configured venue, else thresholds fitted on validation now. */
function backtestStrategy(
  stored: Uint8Array | undefined,
  on: {
    modelId: string;
    meta: ModelMeta;
    frame: MarketFrame;
    predictions: Float32Array;
    validation: Period;
    config: Config;
  },
): { modelStrategy: StrategyParams; thresholdsSource: BacktestSummary['thresholdsSource'] } {
  const { meta, config } = on;
  const storedStrategy =
    stored === undefined ? undefined : parseStrategyParams(stored, `${on.modelId}/${THRESHOLDS_FILE}`);
  if (storedStrategy !== undefined) assertStrategyFitsModel(meta, storedStrategy);
  // thresholds chosen at another taker fee than the configured venue charges (a futures tier) are refitted
  const venueTakerFee = venueTakerFeeRatePerSide(config.execution, config.strategy.feeRatePerSide);
  const usable =
    storedStrategy !== undefined &&
    (config.execution.venue !== 'usdm-futures' || storedStrategy.feeRatePerSide === venueTakerFee)
      ? storedStrategy
      : undefined;
  if (usable !== undefined) return { modelStrategy: usable, thresholdsSource: 'stored' };
  const modelStrategy = fitStrategyOnFrame({
    frame: on.frame,
    predictions: on.predictions,
    period: on.validation,
    config: { ...config, horizonMinutes: meta.horizonMinutes },
  });
  return { modelStrategy, thresholdsSource: 'fitted' };
}

/** The report in the store and, unless that already is the local path, in a local file. */
async function writeReport(
  options: Pick<RunBacktestOptions, 'store' | 'reportPath'>,
  modelId: string,
  html: string,
): Promise<{ key: string; localPath: string }> {
  const { store } = options;
  const key = reportKey(modelId);
  await store.put(key, html);
  const localPath = path.resolve(options.reportPath ?? defaultLocalReportPath(store, modelId));
  if (!(store instanceof LocalStore && localPath === path.join(store.rootDir, key)))
    await writeFileAtomically(localPath, html);
  return { key, localPath };
}

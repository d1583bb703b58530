/**
 * `alpha15 simulate`: the deployed pipeline replayed over history, the number a user deploying it
 * wants. From an initial training window, at every retrain moment T:
 *
 *   1. train a candidate on the lake's data in [T − lookback, T) only, the SageMaker job's lookback
 *      (`trainModel`, from scratch as the job does, or fine-tuning the champion with `fineTune`);
 *   2. score candidate and champion on the candidate's validation window (`evaluateOnSameWindow`, the
 *      job's evidence) and move the champion pointer only when `decidePromotion`, the promotion
 *      Lambda's rule, says so;
 *   3. predict the period [T, T + interval) with the champion, and refit the ridge baseline on the
 *      same lookback with every target that ends after T masked.
 *
 * Models live in the simulation's own registry (a SandboxStore over `simulations/<id>/`), so the real
 * champion is never touched. Each finished period is committed as one record; a stopped simulation
 * restores the champion pointer of its last record and continues with the next period. Finally the
 * periods are stitched and replayed through decide() with the champion of each minute
 * (`evaluateSimulation`), and the report is written.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/schema.js';
import { RETRAIN_INTERVAL_HOURS, TRAINING_LOOKBACK_DAYS } from '../contracts/retraining.js';
import { Alpha15Error } from '../errors.js';
import { coinWeights, modelTargets, type TargetMatrix } from '../features/targets.js';
import { sliceFrame } from '../lake/frame.js';
import { readFrame } from '../lake/reader.js';
import { resolveLakeRange } from '../lake/span.js';
import { type EpochRecord } from '../model/artifacts.js';
import { CHAMPION_KEY, MODELS_PREFIX } from '../contracts/keys.js';
import type { BackendPreference } from '../contracts/backends.js';
import { loadPredictor } from '../model/predictor.js';
import { evaluateOnSameWindow, EVALUATION_FILE, promoteCandidate } from './evaluate-and-promote.js';
import { getChampion, getModelFile, putModelFile, readModelMeta, setChampion } from '../model/registry.js';
import { currentGitRevision } from '../model/git-revision.js';
import { trainModel } from './train.js';
import { planFolds } from '../model/walk-forward.js';
import { RUNS_PREFIX } from '../runs/run-record.js';
import { recordRun } from '../runs/runs-index.js';
import { LocalStore } from '../store/local-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { writeFileAtomically } from '../store/atomic-file.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { handCraftedFeatures } from '../strategy/baselines/hand-features.js';
import { ridgePredictions } from '../strategy/baselines/ridge.js';
import {
  evaluateSimulation,
  type SimulatedPeriod,
  type SimulationEvaluation,
} from '../strategy/evaluate-simulation.js';
import { fitOrIdle } from '../strategy/evaluate.js';
import type { ExecutionModel } from '../strategy/execution.js';
import { fitStrategyOnFrame, prepareFitOnFrame } from '../strategy/fit.js';
import { firstInputMinuteMs } from '../model/warm-up.js';
import { parseStrategyParams, THRESHOLDS_FILE, type StrategyParams } from '../strategy/params.js';
import type { Period } from '../strategy/performance.js';
import { headlineRunMetrics, headlines, predictRows, type Headlines } from './backtest.js';
import { DAY_MS, isoMinute, MINUTE_MS } from '../time.js';
import {
  claimSimulation,
  defaultSimulationId,
  readPeriods,
  SIMULATION_ID_PATTERN,
  SimulationIdError,
  simulationKey,
  simulationSpec,
  writePeriod,
  type PeriodRecord,
  type SimulationSpec,
} from './simulation-records.js';

export const DEFAULT_RETRAIN_EVERY_MS = RETRAIN_INTERVAL_HOURS * 3_600_000;
export const DEFAULT_LOOKBACK_MS = TRAINING_LOOKBACK_DAYS * DAY_MS;

/** The range or schedule cannot make a single period, or a flag value is unusable. */
export class SimulationRangeError extends Alpha15Error {
  readonly code = 'SIMULATION_RANGE';
}

/** Stopped on request before the simulation finished; its finished periods are kept. */
export class SimulationInterruptedError extends Alpha15Error {
  readonly code = 'SIMULATION_INTERRUPTED';
}

/** What the simulation's HTML report shows. */
export interface SimulationReportInput {
  evaluation: SimulationEvaluation;
  simulationId: string;
  spec: {
    retrainEveryMinutes: number;
    lookbackMinutes: number;
    fineTune: boolean;
    initialTrainingMinutes: number;
  };
  secondsPerPeriod: number;
  generatedAtMs: number;
}

export interface SimulateOptions {
  /** The lake is read from here; the simulation's records, models and report are written under simulations/<id>/. */
  store: ObjectStore;
  config: Config;
  /** Start of the history the simulation may use (default: the lake's common first minute). */
  fromMs?: number;
  /** End of the last traded period, exclusive (default: the lake's common end). */
  toMs?: number;
  /** The first model trains on [fromMs, fromMs + initialTrainingMs). */
  initialTrainingMs: number;
  retrainEveryMs?: number;
  lookbackMs?: number;
  fineTune?: boolean;
  /** Default: derived from the settings, so the same command resumes the same simulation. */
  simulationId?: string;
  backend?: BackendPreference;
  randomSimulations?: number;
  /** A local file for the HTML report, besides the store. */
  reportPath?: string;
  /** Renders the HTML report (src/ui/report/simulation-html.ts's `renderSimulationHtml`): presentation stays at the edge. */
  renderReport: (input: SimulationReportInput) => string;
  /** Stops between periods, or mid-training (that period is then redone on resume). */
  signal?: AbortSignal;
  onProgress?: (event: SimulationProgress) => void;
  nowMs?: number;
}

export type SimulationProgress =
  | { kind: 'plan'; simulationId: string; periods: number; finished: number }
  | { kind: 'period-started'; index: number; periods: number; fromMs: number; toMs: number }
  | { kind: 'epoch'; index: number; record: EpochRecord }
  | { kind: 'period-finished'; index: number; periods: number; record: PeriodRecord }
  | { kind: 'evaluating' };

/** What `simulate --json` prints, also stored beside the report as simulation.json. */
export interface SimulationSummary extends Headlines {
  simulationId: string;
  periods: Array<{
    from: string;
    to: string;
    championId: string;
    /** Whether the gate made this period's candidate champion (the first model always is). */
    promoted: boolean;
    valIc: number | null;
    realisedIc: number | null;
    trades: number;
    netReturn: number;
  }>;
  /** Local path of the HTML report, and its key in the store. */
  report: string;
  reportKey: string;
  /** Wall seconds per period (training, promotion gate, predictions), over every period whichever invocation ran it. */
  secondsPerPeriod: number;
  /** Periods found finished in the store when this run started (0: a fresh simulation). */
  resumedPeriods: number;
  /** The runs-index record (runs/<id>.json); null when this invocation only re-evaluated a finished simulation. */
  runId: string | null;
}

export interface SimulationResult {
  summary: SimulationSummary;
  simulationId: string;
  spec: SimulationSpec;
  evaluation: SimulationEvaluation;
  records: PeriodRecord[];
  /** Periods found finished in the store when this run started. */
  resumedPeriods: number;
  secondsPerPeriod: number;
  /** Local path of the HTML report, and its key in the store. */
  report: string;
  reportKey: string;
}

export async function simulate(options: SimulateOptions): Promise<SimulationResult> {
  const { store, config } = options;
  const startedAtMs = options.nowMs ?? Date.now();
  const span = await simulatedRange(store, config.symbols, options);
  const spec = simulationSpec(config, {
    ...span,
    initialTrainingMinutes: wholeMinutes(options.initialTrainingMs, 'the initial training window'),
    retrainEveryMinutes: wholeMinutes(
      options.retrainEveryMs ?? DEFAULT_RETRAIN_EVERY_MS,
      'the retrain interval',
    ),
    lookbackMinutes: wholeMinutes(options.lookbackMs ?? DEFAULT_LOOKBACK_MS, 'the lookback'),
    fineTune: options.fineTune ?? false,
  });
  const periods = planPeriods(spec);
  const simulationId = options.simulationId ?? defaultSimulationId(spec);
  if (!SIMULATION_ID_PATTERN.test(simulationId)) {
    throw new SimulationIdError(
      `simulation id "${simulationId}" is not a plain name`,
      'use letters, digits, - and _ (at most 64), e.g. feb-weekly',
    );
  }
  await claimSimulation(store, simulationId, spec);
  // the simulation's trainings and their runs-index records stay with it; the simulation records one run
  const registry = new SandboxStore(store, simulationKey(simulationId, ''), [MODELS_PREFIX, RUNS_PREFIX]);

  const records = await readPeriods(store, simulationId);
  const resumedPeriods = records.length;
  options.onProgress?.({ kind: 'plan', simulationId, periods: periods.length, finished: resumedPeriods });
  for (let index = records.length; index < periods.length; index++) {
    if (options.signal?.aborted) throw interrupted(simulationId, index, periods.length);
    options.onProgress?.({ kind: 'period-started', index, periods: periods.length, ...periods[index]! });
    await restoreChampion(registry, records.at(-1));
    const record = await runPeriod({ ...options, spec, registry, index, period: periods[index]! });
    if (record === undefined) throw interrupted(simulationId, index, periods.length);
    await writePeriod(store, simulationId, record);
    records.push(record);
    options.onProgress?.({ kind: 'period-finished', index, periods: periods.length, record });
  }

  options.onProgress?.({ kind: 'evaluating' });
  const frame = await readFrame(
    store,
    spec.symbols,
    periods[0]!.fromMs,
    spec.toMs + spec.horizonMinutes * MINUTE_MS,
  );
  const evaluation = evaluateSimulation({
    frame,
    periods: records,
    config,
    randomSimulations: options.randomSimulations,
    refitChampion: await championRefits(store, registry, records, config),
  });
  const secondsPerPeriod = records.reduce((sum, record) => sum + record.seconds, 0) / records.length;
  const html = options.renderReport({
    evaluation,
    simulationId,
    spec,
    secondsPerPeriod,
    generatedAtMs: options.nowMs ?? Date.now(),
  });
  const reportKey = simulationKey(simulationId, 'simulation.html');
  await store.put(reportKey, html);
  const report = path.resolve(options.reportPath ?? defaultLocalReportPath(store, simulationId, reportKey));
  if (!(store instanceof LocalStore && report === path.join(store.rootDir, reportKey)))
    await writeFileAtomically(report, html);
  const summary = summarise(simulationId, evaluation, records, {
    report,
    reportKey,
    secondsPerPeriod,
    resumedPeriods,
    runId: null,
  });
  // one runs-index record per simulation, by the invocation that finished its last period
  if (resumedPeriods < records.length)
    summary.runId = (await recordSimulation(store, spec, summary, startedAtMs)).id;
  await store.put(simulationKey(simulationId, 'simulation.json'), JSON.stringify(summary, null, 2));
  return {
    summary,
    simulationId,
    spec,
    evaluation,
    records,
    resumedPeriods,
    secondsPerPeriod,
    report,
    reportKey,
  };
}

function summarise(
  simulationId: string,
  evaluation: SimulationEvaluation,
  records: readonly PeriodRecord[],
  run: Pick<SimulationSummary, 'report' | 'reportKey' | 'secondsPerPeriod' | 'resumedPeriods' | 'runId'>,
): SimulationSummary {
  return {
    simulationId,
    periods: evaluation.periods.map((period, index) => ({
      from: isoMinute(period.fromMs),
      to: isoMinute(period.toMs),
      championId: period.championId,
      promoted: records[index]!.promoted,
      valIc: period.valIc,
      realisedIc: period.realisedIc,
      trades: period.trades,
      netReturn: period.netReturn,
    })),
    ...headlines(evaluation),
    ...run,
  };
}

function recordSimulation(
  store: ObjectStore,
  spec: SimulationSpec,
  summary: SimulationSummary,
  startedAtMs: number,
) {
  return recordRun(store, {
    kind: 'simulate',
    study: null,
    status: 'completed',
    config: spec,
    data: { fromMs: spec.fromMs, toMs: spec.toMs },
    gitRevision: currentGitRevision(),
    backend: null,
    modelId: summary.periods.at(-1)!.championId,
    startedAtMs,
    // the compute of every period, whichever invocation ran it
    durationMs: summary.secondsPerPeriod * summary.periods.length * 1000,
    epochs: [],
    final: {
      periods: summary.periods.length,
      ...headlineRunMetrics(summary),
      ridgeTotalNetReturn: summary.baselines.ridge.totalNetReturn,
      secondsPerPeriod: summary.secondsPerPeriod,
    },
  });
}

/** The retrain moments: the first after the initial window, then every interval until `toMs`. */
export function planPeriods(spec: SimulationSpec): Period[] {
  const firstMs = spec.fromMs + spec.initialTrainingMinutes * MINUTE_MS;
  const everyMs = spec.retrainEveryMinutes * MINUTE_MS;
  if (firstMs >= spec.toMs) {
    throw new SimulationRangeError(
      `the initial training window ends at ${isoMinute(firstMs)}, not before the end ${isoMinute(spec.toMs)}: nothing to trade`,
      'start earlier, end later or shorten the initial training window',
      { data: { reason: 'no-periods', firstRetrainMs: firstMs, toMs: spec.toMs } },
    );
  }
  const periods: Period[] = [];
  for (let fromMs = firstMs; fromMs < spec.toMs; fromMs += everyMs)
    periods.push({ fromMs, toMs: Math.min(fromMs + everyMs, spec.toMs) });
  return periods;
}

interface PeriodRun extends SimulateOptions {
  spec: SimulationSpec;
  registry: ObjectStore;
  index: number;
  period: Period;
}

/** Train, gate, predict one period; undefined when stopped mid-training. */
async function runPeriod(run: PeriodRun): Promise<PeriodRecord | undefined> {
  const { spec, registry, period, config } = run;
  const started = performance.now();
  const retrainMs = period.fromMs;
  const lookbackFromMs = Math.max(spec.fromMs, retrainMs - spec.lookbackMinutes * MINUTE_MS);
  const before = await getChampion(registry);
  const parentId = spec.fineTune ? before?.modelId : undefined;
  // fine-tuning learns the data since the parent's end; its first windows look back into older minutes
  const trainFromMs =
    parentId === undefined
      ? lookbackFromMs
      : Math.max(
          lookbackFromMs,
          firstInputMinuteMs((await readModelMeta(registry, parentId)).data.toMs, spec.windowMinutes),
        );
  // the lookback and the period (plus the horizon, for exits); training sees only the rows before T
  const frame = await readFrame(
    run.store,
    spec.symbols,
    lookbackFromMs,
    period.toMs + spec.horizonMinutes * MINUTE_MS,
  );
  const trained = await trainModel({
    config,
    frame: sliceFrame(
      frame,
      (trainFromMs - lookbackFromMs) / MINUTE_MS,
      (retrainMs - lookbackFromMs) / MINUTE_MS,
    ),
    store: registry,
    initModelId: parentId,
    backend: run.backend,
    save: true,
    // the first model becomes champion (trainModel's rule, as in the training job); later ones only through the gate
    promote: false,
    signal: run.signal,
    onEpoch: (record) => run.onProgress?.({ kind: 'epoch', index: run.index, record }),
    nowMs: retrainMs,
    log: () => {},
    // the champion's predictions for the period come from this model when it wins the gate
    predictor: true,
  });
  const trainingSeconds = (performance.now() - started) / 1000;
  try {
    if (trained.aborted) return undefined;
    const evaluation = await evaluateOnSameWindow(registry, trained, () => {});
    await putModelFile(registry, trained.modelId, EVALUATION_FILE, JSON.stringify(evaluation, null, 2));
    const { decision, previousModelId } = await promoteCandidate(registry, evaluation, { nowMs: retrainMs });
    const championId = decision.promote ? trained.modelId : previousModelId!;
    const championIc =
      championId === trained.modelId
        ? evaluation.candidate.ic
        : (evaluation.champion?.score.ic ?? Number.NaN);

    const predictor =
      championId === trained.modelId ? trained.predictor : await loadPredictor(registry, championId);
    let predictions: Float32Array;
    try {
      predictions = await predictRows(predictor, frame, [period]);
    } finally {
      if (predictor !== trained.predictor) predictor.dispose();
    }
    const ridge = refitRidge(frame, retrainMs, config);
    return {
      index: run.index,
      fromMs: period.fromMs,
      toMs: period.toMs,
      candidateId: trained.modelId,
      championId,
      promoted: championId === trained.modelId,
      promotion: { reason: decision.reason, detail: decision.detail },
      valIc: Number.isFinite(championIc) ? championIc : null,
      gate: {
        candidateIc: finiteOrNull(evaluation.candidate.ic),
        previousChampionIc: finiteOrNull(evaluation.champion?.score.ic ?? Number.NaN),
      },
      strategy: await championStrategy(registry, championId),
      ridgeStrategy: ridge.strategy,
      predictions: periodRows(frame.startTimeMs, period, predictions, spec.symbols.length),
      ridgePredictions: periodRows(frame.startTimeMs, period, ridge.predictions, spec.symbols.length),
      trainingSeconds,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    trained.predictor.dispose();
  }
}

/**
 * For the cost sweep: each champion's thresholds refitted on its own validation predictions (recomputed
 * from the stored model, on the split its training made) at an execution model's fees, as its training
 * fitted them at the configured fee. Memoised per champion and fee, since champions span periods.
 */
async function championRefits(
  store: ObjectStore,
  registry: ObjectStore,
  records: readonly PeriodRecord[],
  config: Config,
): Promise<(period: SimulatedPeriod, execution: ExecutionModel) => StrategyParams | null> {
  const fitAt = new Map<string, ReturnType<typeof prepareFitOnFrame>>();
  for (const championId of new Set(records.map((record) => record.championId))) {
    const predictor = await loadPredictor(registry, championId);
    try {
      const period = predictor.meta.split.validation;
      const frame = await readFrame(
        store,
        predictor.meta.symbols,
        firstInputMinuteMs(period.fromMs, predictor.meta.windowMinutes),
        period.toMs + predictor.meta.horizonMinutes * MINUTE_MS,
      );
      const predictions = await predictRows(predictor, frame, [period]);
      fitAt.set(championId, prepareFitOnFrame({ frame, predictions, period, config }));
    } finally {
      predictor.dispose();
    }
  }
  const fits = new Map<string, StrategyParams | null>();
  return (period, execution) => {
    const key = `${period.championId} ${execution.venue.takerFeeRatePerSide} ${execution.venue.makerFeeRatePerSide}`;
    if (!fits.has(key))
      fits.set(
        key,
        fitOrIdle(() => fitAt.get(period.championId)!(execution)),
      );
    return fits.get(key)!;
  };
}

/**
 * The ridge as it would have been fitted at `retrainMs`: on the split the training job makes of the
 * lookback, its coefficients with every target whose exit candle closes after `retrainMs` masked and
 * its thresholds on the minutes before it, so neither sees a price from the period it then trades.
 */
function refitRidge(
  frame: Awaited<ReturnType<typeof readFrame>>,
  retrainMs: number,
  config: Config,
): { predictions: Float64Array; strategy: StrategyParams | null } {
  const knownRows = (retrainMs - frame.startTimeMs) / MINUTE_MS;
  // the ridge learns what the model learns (raw or residual returns), as in the backtest
  const weights = coinWeights(config.coinWeights, frame.symbols);
  const targets = maskUnknownTargets(
    modelTargets(frame, config.horizonMinutes, config.target, weights),
    knownRows,
  );
  const fold = planFolds(knownRows, config).folds.at(-1)!;
  const predictions = ridgePredictions(frame, handCraftedFeatures(frame), targets, {
    from: fold.train.fromRow,
    to: fold.train.toRow,
  });
  const timeOf = (row: number) => frame.startTimeMs + row * MINUTE_MS;
  try {
    // thresholds priced by the fill model on the known minutes only: no fill after the retrain moment
    const strategy = fitStrategyOnFrame({
      frame: sliceFrame(frame, 0, knownRows),
      predictions: predictions.subarray(0, knownRows * frame.symbols.length),
      period: { fromMs: timeOf(fold.validation.fromRow), toMs: timeOf(fold.validation.toRow) },
      config,
    });
    return { predictions, strategy };
  } catch (error) {
    // too little validation data to fit thresholds: the ridge does not trade this period, as a model would not
    if (error instanceof Alpha15Error) return { predictions, strategy: null };
    throw error;
  }
}

/** The targets known at the frame's row `knownRows` (the retrain moment): those whose exit closed before it. */
function maskUnknownTargets(targets: TargetMatrix, knownRows: number): TargetMatrix {
  const coinCount = targets.symbols.length;
  const mask = targets.mask.slice();
  mask.fill(0, Math.max(0, knownRows - targets.horizonMinutes) * coinCount);
  return { ...targets, mask };
}

async function championStrategy(registry: ObjectStore, championId: string): Promise<StrategyParams | null> {
  const bytes = await getModelFile(registry, championId, THRESHOLDS_FILE);
  return bytes === undefined ? null : parseStrategyParams(bytes, `${championId}/${THRESHOLDS_FILE}`);
}

function periodRows(
  frameStartTimeMs: number,
  period: Period,
  values: Float32Array | Float64Array,
  coinCount: number,
): Float32Array {
  const fromRow = (period.fromMs - frameStartTimeMs) / MINUTE_MS;
  const toRow = (period.toMs - frameStartTimeMs) / MINUTE_MS;
  return Float32Array.from(values.subarray(fromRow * coinCount, toRow * coinCount));
}

/**
 * The champion pointer as the last finished period left it: work of an interrupted period (a model
 * saved, perhaps made champion) must not change what the redone period decides.
 */
async function restoreChampion(registry: ObjectStore, last: PeriodRecord | undefined): Promise<void> {
  if (last === undefined) {
    await registry.delete(CHAMPION_KEY);
    return;
  }
  if ((await getChampion(registry))?.modelId !== last.championId)
    await setChampion(registry, last.championId, last.fromMs);
}

/** The asked range, or the lake's common span where it was not asked. */
async function simulatedRange(
  store: ObjectStore,
  symbols: readonly string[],
  options: Pick<SimulateOptions, 'fromMs' | 'toMs'>,
): Promise<{ fromMs: number; toMs: number }> {
  const { fromMs, toMs } = await resolveLakeRange(store, symbols, options);
  if (fromMs % MINUTE_MS !== 0 || toMs % MINUTE_MS !== 0 || fromMs >= toMs) {
    throw new SimulationRangeError(
      `the range ${isoMinute(fromMs)} .. ${isoMinute(toMs)} is not a non-empty range of whole minutes`,
      'give a start before the end, on whole minutes (UTC)',
      { data: { reason: 'invalid-range', fromMs, toMs } },
    );
  }
  return { fromMs, toMs };
}

function wholeMinutes(durationMs: number, what: string): number {
  if (!Number.isInteger(durationMs / MINUTE_MS) || durationMs <= 0) {
    throw new SimulationRangeError(
      `${what} of ${durationMs} ms is not a positive whole number of minutes`,
      'give hours or days that add up to whole minutes',
    );
  }
  return durationMs / MINUTE_MS;
}

function interrupted(simulationId: string, index: number, periods: number): SimulationInterruptedError {
  return new SimulationInterruptedError(
    `simulation ${simulationId} stopped before period ${index + 1} of ${periods} finished; ${index} finished periods are kept`,
    'run the same command again to continue from there',
  );
}

function defaultLocalReportPath(store: ObjectStore, simulationId: string, key: string): string {
  return store instanceof LocalStore
    ? path.join(store.rootDir, key)
    : path.resolve('alpha15-reports', 'simulations', simulationId, 'simulation.html');
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

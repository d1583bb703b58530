/**
 * `alpha15 tune` as one use case, top to bottom:
 *
 * 1. Hold out the test period: the last `testFraction` of the data, behind an embargo as long as the
 *    largest window in the space plus the horizon. No trial ever reads a candle of it.
 * 2. Open (or continue) the study in the store; trial 0 is the base config, the baseline.
 * 3. Each new trial: params from the sampler (seeded by seed and trial number), walk-forward training
 *    on the tuning data, ASHA pruning on the validation IC after every epoch, a trial record and a
 *    runs-index record.
 * 4. The best trial: its config saved (store and local file, usable with `train --config`), its model
 *    retrained on the tuning data and scored once on the test period, shown next to its validation IC
 *    and the number of trials, so the selection bias is visible.
 * 5. With `promoteBest`: the best config trained on all the data and promoted through the usual gate.
 */
import path from 'node:path';
import { redactCredentialsDeep } from '../url-credentials.js';
import { configSchema, type Config } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import { minimumEmbargoMinutes, splitChronologically } from '../features/dataset.js';
import { coinWeights, modelTargets } from '../features/targets.js';
import { sliceFrame, type MarketFrame } from '../lake/frame.js';
import { readFrame } from '../lake/reader.js';
import { resolveLakeRange } from '../lake/span.js';
import type { EpochRecord, TimeRange } from '../model/artifacts.js';
import type { BackendPreference } from '../contracts/backends.js';
import { coinMetrics, meanCoinMetrics } from '../prediction-metrics.js';
import {
  decidePromotion,
  evaluateOnSameWindow,
  EVALUATION_FILE,
  promoteCandidate,
  type PromotionDecision,
} from './evaluate-and-promote.js';
import { getChampion, putModelFile } from '../model/registry.js';
import { trainModel, type TrainResult } from './train.js';
import { mulberry32 } from '../random.js';
import { configHash, runEpochs } from '../runs/run-record.js';
import { recordRun } from '../runs/runs-index.js';
import { LocalStore } from '../store/local-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { writeFileAtomically } from '../store/atomic-file.js';
import { predictRows } from './backtest.js';
import { MINUTE_MS } from '../time.js';
import { DEFAULT_ASHA, isRung, rungKey, shouldPrune, type AshaOptions } from '../tune/asha.js';
import { suggest, type Observation, type SamplerName } from '../tune/samplers.js';
import {
  applyParams,
  baseParams,
  defaultSearchSpace,
  maxWindowMinutes,
  type Params,
  type SearchSpace,
} from '../tune/search-space.js';
import {
  bestConfigKey,
  defaultStudyId,
  openStudy,
  saveTrial,
  STUDY_ID_PATTERN,
  type StudySpec,
  type TrialRecord,
} from '../tune/study.js';

export type TuneObjective = 'ic' | 'rankIc';

export interface TuneOptions {
  /** The base config: trial 0 as it is, every other trial with sampled params set on it. */
  config: Config;
  store: ObjectStore;
  /** The market; when omitted it is read from the lake over [fromMs, toMs) (default: all of it). */
  frame?: MarketFrame;
  fromMs?: number;
  toMs?: number;
  /** Default: defaultSearchSpace(config). */
  space?: SearchSpace;
  /** Trials in the study in total, those found from earlier runs included. */
  trials: number;
  sampler?: SamplerName;
  seed?: number;
  objective?: TuneObjective;
  /** Walk-forward folds of every trial. */
  folds?: number;
  /** Null: no pruning. */
  pruner?: AshaOptions | null;
  /** Default: derived from the spec, so the same command continues the same study. */
  study?: string;
  backend?: BackendPreference;
  /** Where the best config is written besides the store (default: beside the store, or ./alpha15-tune/). */
  bestConfigPath?: string;
  promoteBest?: boolean;
  /** Ctrl-C: the trial in flight is dropped (it reruns on resume) and the study stops. */
  signal?: AbortSignal;
  onTrial?: (trial: TrialRecord, total: number) => void;
  onEpoch?: (trialNumber: number, record: EpochRecord) => void;
  log?: (line: string) => void;
  nowMs?: () => number;
}

export interface TuneReport {
  study: string;
  objective: TuneObjective;
  sampler: SamplerName;
  seed: number;
  /** Trials found in the store from an earlier, interrupted run. */
  resumedTrials: number;
  trials: Array<{
    id: number;
    params: Params;
    valIc: number;
    epochs: number;
    pruned: boolean;
    baseline: boolean;
    runId: string;
  }>;
  baseline: { valIc: number } | null;
  best: {
    id: number;
    params: Params;
    valIc: number;
    /** The best config retrained on the tuning data, scored once on the held-out test period. */
    testIc: number;
    testRankIc: number;
    /** Local path of the best config file (also in the store under studies/<study>/best-config.json). */
    config: string;
    configKey: string;
  } | null;
  tuning: TimeRange;
  test: TimeRange;
  interrupted: boolean;
  promotion: {
    modelId: string;
    promoted: boolean;
    reason: PromotionDecision['reason'];
    detail: string;
  } | null;
}

export class TuneOptionsError extends Alpha15Error {
  readonly code = 'TUNE_OPTIONS';
}

export async function tune(options: TuneOptions): Promise<TuneReport> {
  const base = options.config;
  const log = options.log ?? (() => {});
  const now = options.nowMs ?? Date.now;
  if (!Number.isInteger(options.trials) || options.trials < 1)
    throw new TuneOptionsError(
      `the number of trials must be a positive whole number, got ${options.trials}`,
      undefined,
      {
        data: { reason: 'trials', trials: options.trials },
      },
    );
  const frame = options.frame ?? (await readTuneFrame(options));
  const opened = await openTuneStudy(options, frame);
  const { study, spec, trials, tuneFrame } = opened;
  const resumedTrials = trials.length;
  if (resumedTrials > 0) log(`study ${study}: continuing after ${resumedTrials} finished trials`);
  const interrupted = await runTrials(opened, options, now);
  const report: TuneReport = {
    study,
    objective: spec.objective,
    sampler: spec.sampler,
    seed: spec.seed,
    resumedTrials,
    trials: trials.map((trial) => ({
      id: trial.number,
      params: trial.params,
      valIc: trial.value,
      epochs: trial.epochs,
      pruned: trial.status === 'pruned',
      baseline: trial.baseline,
      runId: trial.runId,
    })),
    baseline: trials[0] === undefined ? null : { valIc: trials[0].value },
    best: null,
    tuning: spec.tuning,
    test: spec.test,
    interrupted,
    promotion: null,
  };
  if (interrupted) return report;

  const best = bestTrial(trials);
  if (best === undefined) {
    throw new TuneOptionsError(
      `no trial of study ${study} finished with a defined validation ${spec.objective}`,
      'widen the search space or the data range, or turn pruning off',
      { data: { reason: 'no-finished-trial', study, objective: spec.objective } },
    );
  }
  const bestConfig = configSchema.parse(applyParams(base, best.params));
  const saved = await saveBestConfig(options, study, bestConfig);
  log(`study ${study}: best trial ${best.number}; scoring it once on the held-out test period`);
  const testScore = await scoreOnTest(
    opened.trialConfig(best.params),
    tuneFrame,
    frame,
    spec.test,
    options.backend,
  );
  report.best = {
    id: best.number,
    params: best.params,
    valIc: best.value,
    testIc: spec.objective === 'ic' ? testScore.ic : testScore.rankIc,
    testRankIc: testScore.rankIc,
    config: saved.configPath,
    configKey: saved.configKey,
  };
  if (options.promoteBest) report.promotion = await promoteBest(bestConfig, frame, options, now, log);
  return report;
}

/** A study opened on the tuning part of the frame, with the trials an earlier run finished. */
interface OpenedStudy {
  study: string;
  spec: StudySpec;
  /** Finished trials in number order; runTrials appends to it. */
  trials: TrialRecord[];
  /** The frame without its held-out test period. */
  tuneFrame: MarketFrame;
  space: SearchSpace;
  pruner: AshaOptions | null;
  trialConfig: (params: Params) => Config;
}

async function openTuneStudy(options: TuneOptions, frame: MarketFrame): Promise<OpenedStudy> {
  const base = options.config;
  const folds = options.folds ?? (base.training.walkForwardFolds || 3);
  const space = options.space ?? defaultSearchSpace(base);
  const pruner = options.pruner === undefined ? DEFAULT_ASHA : options.pruner;
  const { tuneFrame, tuning, test } = holdOutTest(frame, base, space);
  const spec: StudySpec = {
    space,
    sampler: options.sampler ?? 'tpe',
    seed: options.seed ?? base.model.seed,
    objective: options.objective ?? 'ic',
    folds,
    pruner,
    tuning,
    test,
    baseConfigHash: configHash({ ...base, store: undefined }),
  };
  const study = options.study ?? defaultStudyId(spec);
  if (!STUDY_ID_PATTERN.test(study))
    throw new TuneOptionsError(
      `a study id is lower-case letters, digits and dashes, got "${study}"`,
      undefined,
      {
        data: { reason: 'study-id', study },
      },
    );
  const trials = await openStudy(options.store, study, spec);
  const trialConfig = (params: Params): Config =>
    configSchema.parse({
      ...applyParams(base, params),
      training: { ...applyParams(base, params).training, walkForwardFolds: folds },
    });
  return { study, spec, trials, tuneFrame, space, pruner, trialConfig };
}

/** Trials until the study holds `options.trials` of them; true when the signal stopped it first. */
async function runTrials(opened: OpenedStudy, options: TuneOptions, now: () => number): Promise<boolean> {
  const { study, spec, trials } = opened;
  const base = options.config;
  while (trials.length < options.trials) {
    if (options.signal?.aborted) return true;
    const number = trials.length;
    const params =
      number === 0
        ? baseParams(opened.space, base)
        : suggest(
            spec.sampler,
            opened.space,
            trials.map(observation),
            mulberry32(spec.seed * 100_003 + number),
          );
    const outcome = await runTrial({
      number,
      params,
      config: opened.trialConfig(params),
      frame: opened.tuneFrame,
      history: trials,
      objective: spec.objective,
      pruner: opened.pruner,
      study,
      options,
      now,
    });
    if (outcome === 'interrupted') return true;
    await saveTrial(options.store, study, outcome);
    trials.push(outcome);
    options.onTrial?.(outcome, options.trials);
  }
  return false;
}

/** The best config in the store and in a local file; redacted, as both may be shared. */
async function saveBestConfig(
  options: TuneOptions,
  study: string,
  bestConfig: Config,
): Promise<{ configKey: string; configPath: string }> {
  const configKey = bestConfigKey(study);
  // redacted: the file lands in the store (and is the store's file when the store is local); a URL
  // password is given again through the environment when the config is used
  const configText = `${JSON.stringify(redactCredentialsDeep(bestConfig), null, 2)}\n`;
  await options.store.put(configKey, configText);
  const configPath = path.resolve(
    options.bestConfigPath ?? defaultBestConfigPath(options.store, study, configKey),
  );
  await writeFileAtomically(configPath, configText);
  return { configKey, configPath };
}

interface TrialInput {
  number: number;
  params: Params;
  config: Config;
  frame: MarketFrame;
  history: readonly TrialRecord[];
  objective: TuneObjective;
  pruner: AshaOptions | null;
  study: string;
  options: TuneOptions;
  now: () => number;
}

async function runTrial(input: TrialInput): Promise<TrialRecord | 'interrupted'> {
  const { number, config, history, pruner, options } = input;
  const startedAtMs = input.now();
  const startedPerfMs = performance.now();
  // values other trials reported at each rung, for ASHA
  const competitors = new Map<string, number[]>();
  for (const trial of history)
    for (const point of trial.intermediate) {
      const key = rungKey(point.fold, point.epoch);
      competitors.set(key, [...(competitors.get(key) ?? []), point.value]);
    }
  const stop = new AbortController();
  const onUserAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onUserAbort);
  const intermediate: TrialRecord['intermediate'] = [];
  const records: EpochRecord[] = [];
  let prunedAt: number | undefined;
  let result: TrainResult;
  try {
    result = await trainModel({
      config,
      frame: input.frame,
      save: false,
      backend: options.backend,
      signal: stop.signal,
      log: options.log ?? (() => {}),
      onEpoch: (record) => {
        // the epoch cut short by the stop is evaluated too; it is not part of the trial
        if (stop.signal.aborted) return;
        records.push(record);
        options.onEpoch?.(number, record);
        const value = input.objective === 'ic' ? record.meanIc : record.meanRankIc;
        intermediate.push({ fold: record.fold, epoch: record.epoch, value });
        if (
          pruner !== null &&
          isRung(record.epoch, pruner) &&
          shouldPrune(value, competitors.get(rungKey(record.fold, record.epoch)) ?? [], pruner)
        ) {
          prunedAt = value;
          stop.abort();
        }
      },
    });
  } finally {
    options.signal?.removeEventListener('abort', onUserAbort);
  }
  if (options.signal?.aborted) return 'interrupted';

  const pruned = prunedAt !== undefined;
  const foldMean = result.foldMean!;
  const value = pruned ? prunedAt! : input.objective === 'ic' ? foldMean.ic : foldMean.rankIc;
  const durationMs = performance.now() - startedPerfMs;
  const run = await recordRun(options.store, {
    kind: 'tune-trial',
    study: input.study,
    status: pruned ? 'pruned' : 'completed',
    config,
    params: input.params,
    data: { fromMs: input.frame.startTimeMs, toMs: input.frame.startTimeMs + input.frame.length * MINUTE_MS },
    gitRevision: result.meta.gitRevision,
    backend: result.backend.name,
    modelId: null,
    startedAtMs,
    durationMs,
    epochs: runEpochs(records),
    final: pruned
      ? { valIc: value }
      : {
          valIc: value,
          foldMeanIc: foldMean.ic,
          foldMeanRankIc: foldMean.rankIc,
          foldMeanLoss: foldMean.loss,
        },
  });
  return {
    number,
    baseline: number === 0,
    params: input.params,
    status: pruned ? 'pruned' : 'completed',
    value,
    ic: pruned ? Number.NaN : foldMean.ic,
    rankIc: pruned ? Number.NaN : foldMean.rankIc,
    intermediate,
    epochs: records.length,
    durationMs,
    runId: run.id,
  };
}

function observation(trial: TrialRecord): Observation {
  return { params: trial.params, value: trial.value, pruned: trial.status === 'pruned' };
}

/** The finished trial with the highest defined objective; the earlier one on a tie. */
export function bestTrial(trials: readonly TrialRecord[]): TrialRecord | undefined {
  return trials.reduce<TrialRecord | undefined>(
    (best, trial) =>
      trial.status === 'completed' &&
      Number.isFinite(trial.value) &&
      (best === undefined || trial.value > best.value)
        ? trial
        : best,
    undefined,
  );
}

/**
 * The rows the study may use and the test period after them. The test period is the config's
 * testFraction of the data, as `train` holds it out; the embargo before it covers the largest window
 * any trial can ask for, so no trial's last target or window reaches into it.
 */
export function holdOutTest(
  frame: MarketFrame,
  base: Config,
  space: SearchSpace,
): { tuneFrame: MarketFrame; tuning: TimeRange; test: TimeRange } {
  if (base.training.testFraction <= 0) {
    throw new TuneOptionsError(
      'tune needs a held-out test period, but training.testFraction is 0',
      'set training.testFraction (e.g. 0.15) in the config',
    );
  }
  const embargoMinutes = minimumEmbargoMinutes(maxWindowMinutes(space, base), base.horizonMinutes);
  const split = splitChronologically(frame.length, {
    validationFraction: base.training.validationFraction,
    testFraction: base.training.testFraction,
    embargoMinutes,
  });
  const tuneRows = split.test.fromRow - embargoMinutes;
  const rowTime = (row: number) => frame.startTimeMs + row * MINUTE_MS;
  return {
    tuneFrame: sliceFrame(frame, 0, tuneRows),
    tuning: { fromMs: frame.startTimeMs, toMs: rowTime(tuneRows) },
    test: { fromMs: rowTime(split.test.fromRow), toMs: rowTime(frame.length) },
  };
}

/** The config's walk-forward model retrained on the tuning data, then IC and rank IC over the test period. */
async function scoreOnTest(
  config: Config,
  tuneFrame: MarketFrame,
  frame: MarketFrame,
  test: TimeRange,
  backend: BackendPreference | undefined,
): Promise<{ ic: number; rankIc: number }> {
  const trained = await trainModel({
    config,
    frame: tuneFrame,
    save: false,
    backend,
    log: () => {},
    predictor: true,
  });
  try {
    const predictions = await predictRows(trained.predictor, frame, [test]);
    // the target the trials were scored against (raw or residual), so test and validation IC compare
    const targets = modelTargets(
      frame,
      config.horizonMinutes,
      config.target,
      coinWeights(config.coinWeights, config.symbols),
    );
    const coinCount = frame.symbols.length;
    const fromRow = Math.round((test.fromMs - frame.startTimeMs) / MINUTE_MS);
    const rows = frame.length - fromRow;
    const mask = new Float32Array(rows * coinCount);
    const predicted = predictions.slice(fromRow * coinCount);
    const realised = targets.values.slice(fromRow * coinCount);
    for (let at = 0; at < mask.length; at++) {
      const defined = targets.mask[fromRow * coinCount + at] === 1 && Number.isFinite(predicted[at]!);
      mask[at] = defined ? 1 : 0;
      if (!defined) [predicted[at], realised[at]] = [0, 0];
    }
    return meanCoinMetrics(coinMetrics(predicted, realised, mask, coinCount));
  } finally {
    trained.predictor.dispose();
  }
}

/** The best config trained like `train --config <best>` and promoted only if the usual gate says so. */
async function promoteBest(
  config: Config,
  frame: MarketFrame,
  options: TuneOptions,
  now: () => number,
  log: (line: string) => void,
): Promise<NonNullable<TuneReport['promotion']>> {
  const { store } = options;
  const championBefore = await getChampion(store);
  const result = await trainModel({
    config,
    frame,
    store,
    save: true,
    promote: false,
    backend: options.backend,
    log,
  });
  const evaluation = await evaluateOnSameWindow(store, result, log);
  await putModelFile(store, result.modelId, EVALUATION_FILE, JSON.stringify(evaluation, null, 2));
  // with no champion before, trainModel has already filled the seat by the same rule
  const decision =
    championBefore === undefined
      ? decidePromotion(evaluation, undefined)
      : (await promoteCandidate(store, evaluation, { nowMs: now() })).decision;
  return {
    modelId: result.modelId,
    promoted: decision.promote,
    reason: decision.reason,
    detail: decision.detail,
  };
}

async function readTuneFrame(options: TuneOptions): Promise<MarketFrame> {
  const { store, config } = options;
  const { fromMs, toMs } = await resolveLakeRange(store, config.symbols, options);
  return readFrame(store, config.symbols, fromMs, toMs);
}

function defaultBestConfigPath(store: ObjectStore, study: string, key: string): string {
  return store instanceof LocalStore
    ? path.join(store.rootDir, key)
    : path.join('alpha15-tune', study, 'best-config.json');
}

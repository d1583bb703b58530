/**
 * What a training run reports (`alpha15 train --json`, the train stage of `alpha15 start`): the
 * model, its validation scores and the data it saw, as plain JSON-ready values.
 */
import type { Config } from '../config/schema.js';
import type { GpuAdapter } from '../contracts/backends.js';
import type { IcAtHorizon } from '../model/ic-decay.js';
import type { TrainResult } from './train.js';

/** What `train --json` prints. NaN metrics (undefined, e.g. constant predictions) print as null. */
export interface TrainReport {
  modelId: string;
  backend: string;
  /** The GPU adapter (vendor, device) of a WebGPU run, else null. */
  adapter: GpuAdapter | null;
  /** `weightedCorrelation`: the G-Research score, one correlation pooled over coins weighted by coinWeights. */
  val: { loss: number; ic: number; rankIc: number; hitRate: number; weightedCorrelation: number };
  /** What the model learned: raw returns or residuals against the weighted universe. */
  target: 'raw' | 'residual';
  /** Validation IC against the target at 1, 5, 15, 30 and 60 minutes: where the signal lives. */
  icDecay: IcAtHorizon[];
  valPerCoin: Record<string, { ic: number; rankIc: number; hitRate: number; samples: number }>;
  samplesPerSecond: number;
  trainingSamples: number;
  epochs: number;
  data: { from: string; to: string };
  split: ModelSplitReport;
  walkForward?: {
    folds: Array<{
      fold: number;
      validationFrom: string;
      validationTo: string;
      ic: number;
      rankIc: number;
      hitRate: number;
      loss: number;
    }>;
    mean: { loss: number; ic: number; rankIc: number; hitRate: number };
  };
  parentModelId: string | null;
  thresholds: boolean;
  champion: boolean;
  aborted: boolean;
  /** The checkpoint the run continued from, or null. */
  resumedFrom: { fold: number; epoch: number } | null;
  store: string;
}

type ModelSplitReport = {
  train: { from: string; to: string };
  validation: { from: string; to: string };
  test: { from: string; to: string } | null;
};

export function toReport(result: TrainResult, config: Config): TrainReport {
  const { meta, val } = result;
  const iso = (timeMs: number) => new Date(timeMs).toISOString();
  const range = (r: { fromMs: number; toMs: number }) => ({ from: iso(r.fromMs), to: iso(r.toMs) });
  return {
    modelId: result.modelId,
    backend: result.backend.name,
    adapter: result.backend.adapter ?? null,
    val: {
      loss: val.loss,
      ic: val.ic,
      rankIc: val.rankIc,
      hitRate: val.hitRate,
      weightedCorrelation: val.weightedCorrelation ?? Number.NaN,
    },
    target: meta.target ?? 'raw',
    icDecay: result.icDecay,
    valPerCoin: Object.fromEntries(
      meta.symbols.map((symbol, coin) => [
        symbol,
        {
          ic: val.perCoin.ic[coin]!,
          rankIc: val.perCoin.rankIc[coin]!,
          hitRate: val.perCoin.hitRate[coin]!,
          samples: val.perCoin.count[coin]!,
        },
      ]),
    ),
    samplesPerSecond: result.samplesPerSecond,
    trainingSamples: meta.trainingSamples,
    epochs: meta.epochs,
    data: range(meta.data),
    split: {
      train: range(meta.split.train),
      validation: range(meta.split.validation),
      test: meta.split.test === null ? null : range(meta.split.test),
    },
    walkForward:
      result.foldMean === undefined
        ? undefined
        : {
            folds: result.folds.map((fold) => ({
              fold: fold.fold,
              validationFrom: iso(fold.validation.fromMs),
              validationTo: iso(fold.validation.toMs),
              loss: fold.val.loss,
              ic: fold.val.ic,
              rankIc: fold.val.rankIc,
              hitRate: fold.val.hitRate,
            })),
            mean: result.foldMean,
          },
    parentModelId: meta.parentModelId,
    thresholds: result.thresholds !== null,
    champion: result.champion,
    aborted: result.aborted,
    resumedFrom: result.resumedFrom,
    store: config.store,
  };
}

/**
 * The training loop of one fold: Adam on masked L1, batches streamed from the dataset iterator, a
 * validation pass per epoch, learning rate reduced on plateau, early stopping that keeps the best
 * weights. The loop owns no I/O: progress and records leave through callbacks, and an AbortSignal
 * (Ctrl-C) stops it after the current batch with the best weights so far restored.
 *
 * Resume: after every completed epoch the loop hands `onCheckpoint` a FoldProgress (weights, Adam's
 * state, learning rate, counters, records), and a FoldProgress passed back as `resume` continues with
 * the next epoch. Batch order depends only on (seed, fold, epoch), so the resumed run takes the same steps.
 * When the signal stops an epoch part-way (SageMaker's SIGTERM on a stop or a spot reclaim), the loop
 * checkpoints that step too, with the epoch's `inFlight` batches, and a resume skips exactly those.
 *
 * Every tensor a batch creates is disposed before the next one, so tf.memory() stays flat however
 * long the run is. The one exception is the batch's loss, a scalar: on a GPU backend reading it stalls
 * the pipeline (the read waits for the step, and the next step waits for the read), so the losses are
 * kept on the device and read together every `lossReadSteps` steps and wherever the loop needs them
 * (the epoch's end, a checkpoint). They are summed in batch order either way, so the epoch's train loss,
 * and every decision (those use the validation loss), are the same for any interval.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../config/schema.js';
import { Alpha15Error } from '../errors.js';
import { batches } from '../features/dataset.js';
import type { FeatureMatrix } from '../features/features.js';
import type { TargetMatrix } from '../features/targets.js';
import type { EpochRecord } from './artifacts.js';
import { maskedL1 } from './loss.js';
import { coinMetrics, meanCoinMetrics, type CoinMetrics } from '../prediction-metrics.js';
import { ResumableAdam, type AdamState } from './resumable-adam.js';
import { checkBatchFitsBackend, throwIfGpuFaulted } from './backend.js';

export interface FitEpochsInput {
  model: tf.LayersModel;
  /** Normalised features. */
  features: FeatureMatrix;
  /** Scaled targets (see target-scale.ts), gap-masked by sampleEndRows. */
  targets: TargetMatrix;
  trainEndRows: Int32Array;
  validationEndRows: Int32Array;
  windowMinutes: number;
  training: TrainingConfig;
  seed: number;
  fold: number;
  onEpoch?: (record: EpochRecord) => void;
  /** Called after every training batch with the samples done so far in this epoch. */
  onBatch?: (progress: { epoch: number; samplesDone: number; samplesTotal: number; loss: number }) => void;
  signal?: AbortSignal;
  /** Continue after the last epoch this progress completed (same model shape, data and config). */
  resume?: FoldProgress;
  /**
   * Training steps between reads of their losses from the backend (see above); onBatch hears of each
   * step when its loss is read. Defaults to lossReadStepsFor(the active backend).
   */
  lossReadSteps?: number;
  /**
   * Awaited after every completed epoch, and at the step where the signal stopped an epoch (with
   * `inFlight`), before that epoch's partial validation pass.
   */
  onCheckpoint?: (progress: FoldProgress) => Promise<void>;
}

/** The part of an epoch done when the signal stopped it. */
export interface InFlightEpoch {
  epoch: number;
  /** Training batches of this epoch already applied to the weights. */
  batchesDone: number;
  lossSum: number;
  samplesDone: number;
}

/** Everything a fold needs to continue after its last completed epoch. */
export interface FoldProgress {
  /** The last completed epoch, from 1 (0: the signal stopped the first epoch). */
  epoch: number;
  /** Set when the signal stopped epoch `epoch + 1` part-way; weights and Adam's state are that step's. */
  inFlight?: InFlightEpoch;
  /** The learning rate the next epoch uses (after any plateau cut). */
  learningRate: number;
  epochsSinceBest: number;
  epochsSincePlateauCut: number;
  /** Early stopping fired: no epoch is left to run. */
  stoppedEarly: boolean;
  /** 0 while no epoch has completed. */
  bestEpoch: number;
  bestValLoss: number;
  records: EpochRecord[];
  /** model.getWeights() order: the weights after `epoch`, and those of `bestEpoch`. */
  weightShapes: number[][];
  weights: Float32Array[];
  bestWeights: Float32Array[];
  optimizer: AdamState;
}

/** A FoldProgress whose tensors do not fit the model being trained. */
export class ResumeShapeMismatchError extends Alpha15Error {
  readonly code = 'RESUME_SHAPE_MISMATCH';
}

export interface Evaluation {
  loss: number;
  metrics: CoinMetrics;
  /** [sample][coin] in the order of the evaluated end rows, in the targets' (scaled) units. */
  predictions: Float32Array;
  realised: Float32Array;
  mask: Float32Array;
}

export interface FitEpochsResult {
  records: EpochRecord[];
  /** The evaluation of the weights the model holds at the end (the best epoch's). */
  best: Evaluation;
  bestEpoch: number;
  aborted: boolean;
  trainSamplesSeen: number;
  trainSeconds: number;
}

/** Steps between loss reads on this backend: 1 where a read is free (the value is in host memory already). */
export function lossReadStepsFor(backendName: string): number {
  return backendName === 'cpu' || backendName === 'wasm' ? 1 : GPU_LOSS_READ_STEPS;
}

/** A GPU backend's read interval: the stall is paid once per this many steps, and progress still moves. */
const GPU_LOSS_READ_STEPS = 16;

export async function fitEpochs(input: FitEpochsInput): Promise<FitEpochsResult> {
  const { model, features, targets, training, windowMinutes, resume } = input;
  const lossReadSteps = input.lossReadSteps ?? lossReadStepsFor(tf.getBackend());
  const optimizer = new ResumableAdam(training.learningRate, 0.9, 0.999, 1e-7);
  // An explicit variable list fixes the order of Adam's moments, so a checkpoint can put them back.
  const trainableVariables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const schedule: EpochSchedule = {
    records: [...(resume?.records ?? [])],
    epochsSinceBest: resume?.epochsSinceBest ?? 0,
    epochsSincePlateauCut: resume?.epochsSincePlateauCut ?? 0,
    stoppedEarly: resume?.stoppedEarly ?? false,
  };
  let trainSamplesSeen = 0;
  let trainMs = 0;
  let aborted = false;
  const startedMs = performance.now();
  checkBatchFitsBackend(
    Math.min(training.batchSize, Math.max(input.trainEndRows.length, input.validationEndRows.length)),
    largestActivationBytesPerSample(model),
  );

  try {
    if (resume !== undefined) {
      await restoreProgress(model, trainableVariables, optimizer, resume);
      if (resume.bestEpoch > 0)
        schedule.best = { loss: resume.bestValLoss, epoch: resume.bestEpoch, weights: resume.bestWeights };
    }
    const inFlight = resume?.inFlight;
    for (
      let epoch = (resume?.epoch ?? 0) + 1;
      epoch <= training.epochs && !aborted && !schedule.stoppedEarly;
      epoch++
    ) {
      const epochStartMs = performance.now();
      const pass = await trainOneEpoch(input, {
        epoch,
        optimizer,
        trainableVariables,
        lossReadSteps,
        continued: inFlight?.epoch === epoch ? inFlight : undefined,
      });
      aborted = pass.aborted;
      if (aborted && input.onCheckpoint !== undefined) {
        // before the validation pass: a stopped job has seconds left, and this step must survive them
        const { batchesDone, lossSum, samplesDone } = pass;
        await input.onCheckpoint(
          await captureProgress(model, optimizer, schedule, epoch - 1, {
            epoch,
            batchesDone,
            lossSum,
            samplesDone,
          }),
        );
      }
      trainSamplesSeen += pass.samplesDone;
      trainMs += performance.now() - epochStartMs;

      const evaluation = await evaluate(
        model,
        features,
        targets,
        input.validationEndRows,
        windowMinutes,
        training.batchSize,
      );
      const improved = schedule.best === undefined || evaluation.loss < schedule.best.loss;
      const record = epochRecord(input.fold, epoch, pass, evaluation, {
        learningRate: optimizer.rate,
        improved,
        elapsedMs: performance.now() - startedMs,
      });
      schedule.records.push(record);
      input.onEpoch?.(record);
      if (improved)
        schedule.best = { loss: evaluation.loss, evaluation, epoch, weights: await snapshotWeights(model) };
      advanceSchedule(schedule, optimizer, training, improved);
      if (!aborted && input.onCheckpoint !== undefined)
        await input.onCheckpoint(await captureProgress(model, optimizer, schedule, epoch));
    }
  } catch (error) {
    // any read after a lost device fails (AbortError, empty message): name the fault instead
    throwIfGpuFaulted(training.batchSize);
    throw error;
  } finally {
    optimizer.dispose();
  }
  const { best } = schedule;
  if (best === undefined) throw new RangeError('training ran no epoch: epochs must be at least 1');
  restoreWeights(model, best.weights);
  return {
    records: schedule.records,
    best:
      best.evaluation ??
      (await evaluate(model, features, targets, input.validationEndRows, windowMinutes, training.batchSize)),
    bestEpoch: best.epoch,
    aborted,
    trainSamplesSeen,
    trainSeconds: trainMs / 1000,
  };
}

/** Early stopping and the plateau schedule, as they stand after the epochs run so far. */
interface EpochSchedule {
  records: EpochRecord[];
  // a resumed best has no evaluation in memory: it is recomputed from its weights at the end
  best?: { loss: number; evaluation?: Evaluation; epoch: number; weights: Float32Array[] };
  epochsSinceBest: number;
  epochsSincePlateauCut: number;
  stoppedEarly: boolean;
}

/** The training pass of one epoch, as far as it got. */
interface EpochPass {
  lossSum: number;
  samplesDone: number;
  batchesDone: number;
  /** The signal stopped the pass after `batchesDone` batches. */
  aborted: boolean;
}

/**
 * One epoch's training batches, in the order (seed, fold, epoch) fixes, with the losses read every
 * `lossReadSteps` steps. A `continued` epoch skips the batches its interrupted run already applied.
 */
async function trainOneEpoch(
  input: FitEpochsInput,
  step: {
    epoch: number;
    optimizer: ResumableAdam;
    trainableVariables: tf.Variable[];
    lossReadSteps: number;
    continued: InFlightEpoch | undefined;
  },
): Promise<EpochPass> {
  const { model, features, targets, training, windowMinutes, signal } = input;
  const { epoch, optimizer, continued } = step;
  const pass: EpochPass = {
    lossSum: continued?.lossSum ?? 0,
    samplesDone: continued?.samplesDone ?? 0,
    batchesDone: continued?.batchesDone ?? 0,
    aborted: false,
  };
  let batchIndex = 0;
  // steps whose loss is still on the device, in batch order
  const unread: Array<{ loss: tf.Scalar; size: number }> = [];
  const readLosses = async (): Promise<void> => {
    if (unread.length === 0) return;
    const stacked = tf.stack(unread.map((unreadStep) => unreadStep.loss));
    const losses = await readOrGpuFault(stacked, training.batchSize);
    tf.dispose([stacked, ...unread.map((unreadStep) => unreadStep.loss)]);
    throwIfGpuFaulted(training.batchSize);
    for (const [at, unreadStep] of unread.entries()) {
      const loss = losses[at]!;
      pass.lossSum += loss * unreadStep.size;
      pass.samplesDone += unreadStep.size;
      pass.batchesDone++;
      input.onBatch?.({
        epoch,
        samplesDone: pass.samplesDone,
        samplesTotal: input.trainEndRows.length,
        loss,
      });
    }
    unread.length = 0;
  };
  for (const batch of batches(features, targets, input.trainEndRows, {
    batchSize: training.batchSize,
    windowMinutes,
    shuffleSeed: input.seed * 1009 + input.fold * 101 + epoch,
  })) {
    // the interrupted run already applied these; the weights restored are those after them
    if (batchIndex++ < (continued?.batchesDone ?? 0)) continue;
    const coinCount = targets.symbols.length;
    const x = tf.tensor3d(batch.x, [batch.size, windowMinutes, features.channels]);
    const y = tf.tensor2d(batch.y, [batch.size, coinCount]);
    const mask = tf.tensor2d(batch.mask, [batch.size, coinCount]);
    const lossTensor = optimizer.minimize(
      () => maskedL1(y, model.apply(x, { training: true }) as tf.Tensor, mask) as tf.Scalar,
      true,
      step.trainableVariables,
    );
    tf.dispose([x, y, mask]);
    unread.push({ loss: lossTensor!, size: batch.size });
    if (unread.length >= step.lossReadSteps) await readLosses();
    // Yield to the event loop: a Ctrl-C handler can only set the abort signal between batches.
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) {
      pass.aborted = true;
      break;
    }
  }
  await readLosses();
  return pass;
}

function epochRecord(
  fold: number,
  epoch: number,
  pass: EpochPass,
  evaluation: Evaluation,
  at: { learningRate: number; improved: boolean; elapsedMs: number },
): EpochRecord {
  const summary = meanCoinMetrics(evaluation.metrics);
  return {
    fold,
    epoch,
    trainLoss: pass.samplesDone > 0 ? pass.lossSum / pass.samplesDone : Number.NaN,
    valLoss: evaluation.loss,
    learningRate: at.learningRate,
    ic: evaluation.metrics.ic,
    rankIc: evaluation.metrics.rankIc,
    hitRate: evaluation.metrics.hitRate,
    meanIc: summary.ic,
    meanRankIc: summary.rankIc,
    meanHitRate: summary.hitRate,
    improved: at.improved,
    trainSamples: pass.samplesDone,
    elapsedMs: at.elapsedMs,
  };
}

/** After an epoch: reset the counters on a new best, else stop early or cut the learning rate on a plateau. */
function advanceSchedule(
  schedule: EpochSchedule,
  optimizer: ResumableAdam,
  training: TrainingConfig,
  improved: boolean,
): void {
  if (improved) {
    schedule.epochsSinceBest = 0;
    schedule.epochsSincePlateauCut = 0;
    return;
  }
  schedule.epochsSinceBest++;
  schedule.epochsSincePlateauCut++;
  if (schedule.epochsSinceBest >= training.earlyStoppingPatience) schedule.stoppedEarly = true;
  else if (schedule.epochsSincePlateauCut >= training.plateauPatience) {
    optimizer.rate = optimizer.rate * training.plateauFactor;
    schedule.epochsSincePlateauCut = 0;
  }
}

/** The FoldProgress a checkpoint holds: after `epoch`, plus the part of the next one when `inFlight`. */
async function captureProgress(
  model: tf.LayersModel,
  optimizer: ResumableAdam,
  schedule: EpochSchedule,
  epoch: number,
  inFlight?: InFlightEpoch,
): Promise<FoldProgress> {
  const { best } = schedule;
  return {
    epoch,
    ...(inFlight && { inFlight }),
    learningRate: optimizer.rate,
    epochsSinceBest: schedule.epochsSinceBest,
    epochsSincePlateauCut: schedule.epochsSincePlateauCut,
    stoppedEarly: schedule.stoppedEarly,
    bestEpoch: best?.epoch ?? 0,
    bestValLoss: best?.loss ?? Number.NaN,
    records: [...schedule.records],
    weightShapes: model.getWeights().map((weight) => [...weight.shape]),
    weights: await snapshotWeights(model),
    bestWeights: best?.weights ?? (await snapshotWeights(model)),
    optimizer: await optimizer.captureState(),
  };
}

/**
 * Predictions for the given samples in time order, their masked L1 loss and per-coin metrics. The
 * batches' outputs stay on the device until the last one is computed, then come back in one read.
 */
export async function evaluate(
  model: tf.LayersModel,
  features: FeatureMatrix,
  targets: TargetMatrix,
  endRows: Int32Array,
  windowMinutes: number,
  batchSize: number,
): Promise<Evaluation> {
  const coinCount = targets.symbols.length;
  const predictions = new Float32Array(endRows.length * coinCount);
  const realised = new Float32Array(endRows.length * coinCount);
  const mask = new Float32Array(endRows.length * coinCount);
  let offset = 0;
  const outputs: tf.Tensor[] = [];
  try {
    for (const batch of batches(features, targets, endRows, { batchSize, windowMinutes })) {
      outputs.push(
        tf.tidy(
          () =>
            model.predict(tf.tensor3d(batch.x, [batch.size, windowMinutes, features.channels])) as tf.Tensor,
        ),
      );
      realised.set(batch.y, offset);
      mask.set(batch.mask, offset);
      offset += batch.size * coinCount;
    }
    if (outputs.length > 0) {
      const joined = tf.concat(outputs);
      predictions.set((await joined.data()) as Float32Array);
      joined.dispose();
    }
  } finally {
    tf.dispose(outputs);
  }
  let absoluteErrorSum = 0;
  let maskedCount = 0;
  for (let at = 0; at < predictions.length; at++) {
    if (mask[at] !== 1) continue;
    absoluteErrorSum += Math.abs(predictions[at]! - realised[at]!);
    maskedCount++;
  }
  return {
    loss: maskedCount > 0 ? absoluteErrorSum / maskedCount : Number.NaN,
    metrics: coinMetrics(predictions, realised, mask, coinCount),
    predictions,
    realised,
    mask,
  };
}

/** Puts the model and the optimizer where a checkpointed epoch left them. */
async function restoreProgress(
  model: tf.LayersModel,
  trainableVariables: tf.Variable[],
  optimizer: ResumableAdam,
  resume: FoldProgress,
): Promise<void> {
  const shapesOf = (tensors: readonly { shape: readonly number[] }[]) =>
    JSON.stringify(tensors.map((tensor) => tensor.shape));
  if (
    shapesOf(model.getWeights()) !== JSON.stringify(resume.weightShapes) ||
    shapesOf(trainableVariables) !== JSON.stringify(resume.optimizer.shapes)
  ) {
    throw new ResumeShapeMismatchError(
      'the checkpoint to resume holds tensors of other shapes than this model',
      'delete the checkpoint directory to train from scratch',
    );
  }
  restoreWeights(model, resume.weights);
  await optimizer.restoreState(resume.optimizer);
  optimizer.rate = resume.learningRate;
}

async function snapshotWeights(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(
    model.getWeights().map(async (weight) => ((await weight.data()) as Float32Array).slice()),
  );
}

function restoreWeights(model: tf.LayersModel, snapshot: Float32Array[]): void {
  const tensors = model.getWeights().map((weight, i) => tf.tensor(snapshot[i]!, weight.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/**
 * The tensor's values; when the read fails because the GPU device was lost (its reads then reject with
 * empty messages), the typed error of that fault instead.
 */
async function readOrGpuFault(tensor: tf.Tensor, batchSize: number): Promise<tf.TypedArray> {
  try {
    return await tensor.data();
  } catch (error) {
    throwIfGpuFaulted(batchSize);
    throw error;
  }
}

/**
 * Bytes per sample of the model's largest activation (input included): the tensor a GPU must hold in
 * one buffer, times the batch size. float32 throughout.
 */
function largestActivationBytesPerSample(model: tf.LayersModel): number {
  const shapes = [
    ...model.inputs.map((input) => input.shape),
    ...model.layers.flatMap((layer) => layerShapes(layer)),
  ];
  const elements = shapes.map((shape) =>
    shape.slice(1).reduce<number>((product, size) => product * (size ?? 1), 1),
  );
  return Math.max(...elements) * Float32Array.BYTES_PER_ELEMENT;
}

function layerShapes(layer: tf.layers.Layer): (number | null)[][] {
  const shape = layer.outputShape;
  return Array.isArray(shape[0]) ? (shape as (number | null)[][]) : [shape as (number | null)[]];
}

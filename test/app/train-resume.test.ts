import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { EpochRecord } from '../../src/model/artifacts.js';
import {
  CHECKPOINT_MANIFEST_FILE,
  CorruptCheckpointError,
  readCheckpoint,
} from '../../src/model/checkpoint.js';
import { trainModel, type TrainResult, type TrainResultWithPredictor } from '../../src/app/train.js';
import { leadLagOptions, syntheticFrame, tinyConfig } from '../support/model-fixtures.js';

let workDir: string;
before(async () => (workDir = await mkdtemp(path.join(tmpdir(), 'alpha15-resume-'))));
after(() => rm(workDir, { recursive: true, force: true }));

const frame = syntheticFrame(leadLagOptions(5_000, 5));
// plateauPatience 1 makes the learning rate and the counters move within a few epochs
const config = tinyConfig({ training: { epochs: 3, sampleStrideMinutes: 4, plateauPatience: 1 } });

/** A run stopped by its AbortSignal once `fold` has finished `epoch`, as Ctrl-C or a SIGTERM would. */
async function interruptedRun(
  checkpointDir: string,
  at: { fold: number; epoch: number },
  runConfig = config,
): Promise<TrainResult> {
  const abort = new AbortController();
  const result = await trainModel({
    frame,
    config: runConfig,
    backend: 'wasm',
    checkpointDir,
    signal: abort.signal,
    log: () => {},
    onEpoch: (record) => {
      if (record.fold === at.fold && record.epoch === at.epoch) abort.abort();
    },
  });
  assert.ok(result.aborted);
  return result;
}

/** A run with a checkpoint directory, to completion; `log` holds its resume and warning lines. */
async function loggedRun(
  checkpointDir: string,
  runConfig = config,
  runFrame = frame,
): Promise<{ result: TrainResultWithPredictor; log: string }> {
  const lines: string[] = [];
  const result = await trainModel({
    frame: runFrame,
    config: runConfig,
    backend: 'wasm',
    checkpointDir,
    log: (line) => lines.push(line),
    predictor: true,
  });
  return { result, log: lines.join('\n') };
}

function weightsOf(result: TrainResultWithPredictor): Float32Array[] {
  return result.predictor.model.getWeights().map((weight) => weight.dataSync() as Float32Array);
}

/** Epoch records without their wall-clock field, the one thing two identical runs may not share. */
function withoutTiming(records: EpochRecord[]): Omit<EpochRecord, 'elapsedMs'>[] {
  return records.map(({ elapsedMs: _elapsedMs, ...record }) => record);
}

test('a walk-forward run interrupted in its last fold resumes from the checkpoint and ends bit-identical to an uninterrupted run', async () => {
  const walkForward = tinyConfig({
    training: { epochs: 3, sampleStrideMinutes: 4, plateauPatience: 1, walkForwardFolds: 2 },
  });
  const checkpointDir = path.join(workDir, 'walk-forward');
  const uninterrupted = await trainModel({ frame, config: walkForward, backend: 'wasm', predictor: true });
  const interrupted = await interruptedRun(checkpointDir, { fold: 1, epoch: 1 }, walkForward);
  const saved = await readCheckpoint(checkpointDir);
  // the epoch cut short by the signal is checkpointed at the step it stopped: fold 1, epoch 1 done and
  // the one batch of epoch 2 the signal let finish
  assert.equal(saved?.current.fold, 1);
  assert.equal(saved?.current.progress.epoch, 1);
  assert.deepEqual(
    {
      epoch: saved?.current.progress.inFlight?.epoch,
      batchesDone: saved?.current.progress.inFlight?.batchesDone,
    },
    { epoch: 2, batchesDone: 1 },
  );
  assert.equal(saved?.completedFolds.length, 1);
  assert.ok(interrupted.epochs.length > 4, 'the interrupted run started epoch 2 of fold 1');

  const { result: resumed, log } = await loggedRun(checkpointDir, walkForward);
  try {
    assert.deepEqual(resumed.resumedFrom, { fold: 1, epoch: 1 });
    assert.match(
      log,
      /resuming from the checkpoint in .*walk-forward: fold 2 of 2, epoch 1 of 3 done and 1 batches of epoch 2, best validation loss [\d.]+ at epoch 1/,
    );
    // every epoch of both folds, the resumed ones recomputed from restored weights and Adam state
    assert.deepEqual(withoutTiming(resumed.epochs), withoutTiming(uninterrupted.epochs));
    assert.deepEqual(resumed.folds, uninterrupted.folds);
    assert.deepEqual(resumed.val, uninterrupted.val);
    assert.deepEqual(resumed.predictor.stats, uninterrupted.predictor.stats);
    assert.deepEqual(weightsOf(resumed), weightsOf(uninterrupted));
  } finally {
    resumed.predictor.dispose();
    uninterrupted.predictor.dispose();
  }
});

test('a checkpoint of another config or another data range is ignored with a warning naming what differs', async () => {
  const checkpointDir = path.join(workDir, 'mismatch');
  await interruptedRun(checkpointDir, { fold: 0, epoch: 1 });

  const otherRate = tinyConfig({
    training: { epochs: 2, sampleStrideMinutes: 4, plateauPatience: 1, learningRate: 3e-3 },
  });
  const { result, log } = await loggedRun(checkpointDir, otherRate);
  result.predictor.dispose();
  assert.equal(result.resumedFrom, null);
  assert.match(
    log,
    /warning: ignoring the checkpoint in .*another run \(training\.epochs, training\.learningRate differ\); training from scratch/,
  );
  assert.deepEqual(
    result.epochs.map((record) => record.epoch),
    [1, 2],
    'trained from the first epoch',
  );
  const overwritten = await readCheckpoint(checkpointDir);
  assert.equal(overwritten?.identity.training.learningRate, 3e-3, 'the new run checkpoints over the old one');

  const shorter = await loggedRun(checkpointDir, otherRate, syntheticFrame(leadLagOptions(4_000, 5)));
  shorter.result.predictor.dispose();
  assert.equal(shorter.result.resumedFrom, null);
  assert.match(shorter.log, /another run \(data\.toMs, folds differ\)/);
});

test('a corrupt checkpoint is rejected with CorruptCheckpointError by the reader and ignored by training, which starts over', async () => {
  const checkpointDir = path.join(workDir, 'corrupt');
  await interruptedRun(checkpointDir, { fold: 0, epoch: 1 });
  const tensorFile = (await readdir(checkpointDir)).find((name) => name.endsWith('.bin'))!;
  const tensorPath = path.join(checkpointDir, tensorFile);
  const manifestPath = path.join(checkpointDir, CHECKPOINT_MANIFEST_FILE);
  const manifestText = await readFile(manifestPath, 'utf8');

  const bytes = await readFile(tensorPath);
  bytes[bytes.length >> 1]! ^= 0xff;
  await writeFile(tensorPath, bytes);
  await assert.rejects(readCheckpoint(checkpointDir), (error) => {
    assert.ok(error instanceof CorruptCheckpointError);
    assert.match(error.message, /does not match the length and SHA-256/);
    return true;
  });
  const { result, log } = await loggedRun(checkpointDir);
  result.predictor.dispose();
  assert.equal(result.resumedFrom, null);
  assert.match(log, /warning: ignoring the checkpoint in .* is corrupt: .*training from scratch/);
  assert.equal(result.epochs[0]!.epoch, 1);
  assert.ok(await readCheckpoint(checkpointDir), 'the fresh run left a valid checkpoint');

  await writeFile(manifestPath, manifestText.slice(0, manifestText.length >> 1));
  await assert.rejects(readCheckpoint(checkpointDir), /training-state\.json is not valid JSON/);
  const manifest = JSON.parse(manifestText) as { current: { progress: { learningRate: unknown } } };
  manifest.current.progress.learningRate = -1;
  await writeFile(manifestPath, JSON.stringify(manifest));
  await assert.rejects(readCheckpoint(checkpointDir), /does not match its schema.*learningRate/s);
});

test('a run stopped in its first epoch (a SIGTERM soon after start) checkpoints that step, and the resumed run ends bit-identical', async () => {
  const checkpointDir = path.join(workDir, 'first-epoch');
  const uninterrupted = await trainModel({ frame, config, backend: 'wasm', predictor: true });
  // already aborted: the loop trains one batch, sees the signal, and checkpoints before validating
  await trainModel({
    frame,
    config,
    backend: 'wasm',
    checkpointDir,
    signal: AbortSignal.abort(),
    log: () => {},
  });
  const saved = await readCheckpoint(checkpointDir);
  assert.equal(saved?.current.progress.epoch, 0);
  assert.equal(saved?.current.progress.bestEpoch, 0);
  assert.equal(saved?.current.progress.inFlight?.batchesDone, 1);

  const { result: resumed, log } = await loggedRun(checkpointDir);
  try {
    assert.match(log, /epoch 0 of 3 done and 1 batches of epoch 1, no validation pass yet/);
    assert.deepEqual(withoutTiming(resumed.epochs), withoutTiming(uninterrupted.epochs));
    assert.deepEqual(weightsOf(resumed), weightsOf(uninterrupted));
  } finally {
    resumed.predictor.dispose();
    uninterrupted.predictor.dispose();
  }
});

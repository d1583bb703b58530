/**
 * Training checkpoints on a local directory (SageMaker syncs /opt/ml/checkpoints with S3 and puts it
 * back when a spot job restarts). Two files per checkpoint:
 *
 *   training-state.json                  the manifest: run identity, folds done, the current fold's
 *                                        split, stats, counters and records, and the tensor layout
 *   training-state-fold<f>-epoch<e>.bin  float32 tensors (little-endian, as every platform we run on):
 *                                        weights, best weights, Adam first moments, second moments
 *                                        (`-step<b>` added when a stop interrupted epoch e + 1 after b
 *                                        batches, so it never overwrites the file the manifest names)
 *
 * A write is atomic: the tensors go to a new file, then the manifest naming it replaces the old one,
 * then older tensor files are removed; each file is published by LocalStore.put (flushed temp file,
 * rename; a dead writer's temp files are swept on the next write). A crash at any point leaves the
 * previous or the new checkpoint whole. The manifest carries the tensors' SHA-256, so a torn or mixed copy (an S3 sync cut
 * short) is recognised as corrupt instead of resumed.
 */
import { z } from 'zod';
import { modelConfigSchema, trainingConfigSchema } from '../config/schema.js';
import { normStatsSchema, type NormStats } from '../features/normalise.js';
import type { RowRange } from '../features/dataset.js';
import { Alpha15Error } from '../errors.js';
import { sha256Hex } from '../checksum.js';
import { LocalStore } from '../store/local-store.js';
import {
  epochRecordSchema,
  foldSummarySchema,
  metricValue,
  timeRangeSchema,
  type EpochRecord,
  type FoldSummary,
} from './artifacts.js';
import type { FoldProgress } from './training-loop.js';

export const CHECKPOINT_MANIFEST_FILE = 'training-state.json';
const TENSOR_FILE_PATTERN = /^training-state-fold\d+-epoch\d+(-step\d+)?\.bin$/;

/** The checkpoint directory holds files that cannot be read back as a checkpoint. */
export class CorruptCheckpointError extends Alpha15Error {
  readonly code = 'CORRUPT_CHECKPOINT';
  constructor(directory: string, problem: string, options?: ErrorOptions) {
    super(
      `the checkpoint in ${directory} is corrupt: ${problem}`,
      'delete the directory (or use another checkpoint directory) to train from scratch',
      { ...options, data: { directory } },
    );
  }
}

const rowRangeSchema = z.object({ fromRow: z.number().int(), toRow: z.number().int() });

/** What makes two runs the same run: a checkpoint is resumed only when this matches exactly. */
export const trainingIdentitySchema = z.object({
  symbols: z.array(z.string()).min(1),
  windowMinutes: z.number().int().positive(),
  horizonMinutes: z.number().int().positive(),
  model: modelConfigSchema,
  training: trainingConfigSchema,
  data: timeRangeSchema,
  parentModelId: z.string().nullable(),
  /** The planned folds' row ranges: the split a resumed run must share. */
  folds: z.array(z.object({ fold: z.number().int(), train: rowRangeSchema, validation: rowRangeSchema })),
});
export type TrainingIdentity = z.infer<typeof trainingIdentitySchema>;

/** A walk-forward fold finished before the current one: its result, no weights (only the last fold's model is kept). */
export interface CompletedFold {
  summary: FoldSummary;
  records: EpochRecord[];
}

/** The fold in progress: its split, the scaling the run uses, and the loop's progress. */
export interface FoldCheckpoint {
  fold: number;
  train: RowRange;
  validation: RowRange;
  stats: NormStats;
  targetScale: number[];
  progress: FoldProgress;
}

export interface TrainingCheckpoint {
  identity: TrainingIdentity;
  completedFolds: CompletedFold[];
  current: FoldCheckpoint;
}

const shapesSchema = z.array(z.array(z.number().int().nonnegative()));

const manifestSchema = z.object({
  formatVersion: z.literal(1),
  identity: trainingIdentitySchema,
  completedFolds: z.array(z.object({ summary: foldSummarySchema, records: z.array(epochRecordSchema) })),
  current: z.object({
    fold: z.number().int().nonnegative(),
    train: rowRangeSchema,
    validation: rowRangeSchema,
    stats: normStatsSchema,
    targetScale: z.array(z.number().positive()),
    progress: z.object({
      // 0, and no best yet, when a stop interrupted the first epoch (then inFlight says where)
      epoch: z.number().int().nonnegative(),
      inFlight: z
        .object({
          epoch: z.number().int().positive(),
          batchesDone: z.number().int().nonnegative(),
          lossSum: z.number(),
          samplesDone: z.number().int().nonnegative(),
        })
        .optional(),
      learningRate: z.number().positive(),
      epochsSinceBest: z.number().int().nonnegative(),
      epochsSincePlateauCut: z.number().int().nonnegative(),
      stoppedEarly: z.boolean(),
      bestEpoch: z.number().int().nonnegative(),
      bestValLoss: metricValue,
      records: z.array(epochRecordSchema),
      weightShapes: shapesSchema,
      optimizer: z.object({
        iterations: z.number().int().nonnegative(),
        accBeta1: z.number(),
        accBeta2: z.number(),
        shapes: shapesSchema,
      }),
    }),
  }),
  /** Weights and best weights in weightShapes, then first and second moments in optimizer.shapes. */
  tensors: z.object({
    file: z.string().regex(TENSOR_FILE_PATTERN),
    byteLength: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
});
type Manifest = z.infer<typeof manifestSchema>;

const BYTES_PER_FLOAT = 4;

export async function writeCheckpoint(directory: string, checkpoint: TrainingCheckpoint): Promise<void> {
  const { current } = checkpoint;
  const { weights, bestWeights, optimizer, ...counters } = current.progress;
  const { firstMoments, secondMoments, ...optimizerScalars } = optimizer;
  const tensors = [...weights, ...bestWeights, ...firstMoments, ...secondMoments];
  const bytes = Buffer.concat(
    tensors.map((values) => Buffer.from(values.buffer, values.byteOffset, values.byteLength)),
  );
  const step = counters.inFlight === undefined ? '' : `-step${counters.inFlight.batchesDone}`;
  const file = `training-state-fold${current.fold}-epoch${counters.epoch}${step}.bin`;
  const manifest: z.input<typeof manifestSchema> = {
    formatVersion: 1,
    identity: checkpoint.identity,
    completedFolds: checkpoint.completedFolds,
    current: { ...current, progress: { ...counters, optimizer: optimizerScalars } },
    tensors: { file, byteLength: bytes.byteLength, sha256: sha256Hex(bytes) },
  };
  const store = new LocalStore(directory);
  await store.put(file, bytes);
  await store.put(CHECKPOINT_MANIFEST_FILE, JSON.stringify(manifest));
  for (const name of await store.list('')) {
    if (TENSOR_FILE_PATTERN.test(name) && name !== file) await store.delete(name);
  }
}

/** The checkpoint in `directory`, undefined when it holds none; CorruptCheckpointError when unreadable. */
export async function readCheckpoint(directory: string): Promise<TrainingCheckpoint | undefined> {
  const store = new LocalStore(directory);
  const manifestText = await store.get(CHECKPOINT_MANIFEST_FILE);
  if (manifestText === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(manifestText));
  } catch (error) {
    throw new CorruptCheckpointError(directory, `${CHECKPOINT_MANIFEST_FILE} is not valid JSON`, {
      cause: error,
    });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new CorruptCheckpointError(
      directory,
      `${CHECKPOINT_MANIFEST_FILE} does not match its schema: ${z.prettifyError(parsed.error)}`,
    );
  }
  const manifest = parsed.data;
  const bytes = await store.get(manifest.tensors.file);
  if (bytes === undefined) throw new CorruptCheckpointError(directory, `${manifest.tensors.file} is missing`);
  if (bytes.byteLength !== manifest.tensors.byteLength || sha256Hex(bytes) !== manifest.tensors.sha256) {
    throw new CorruptCheckpointError(
      directory,
      `${manifest.tensors.file} does not match the length and SHA-256 in ${CHECKPOINT_MANIFEST_FILE}`,
    );
  }
  return fromManifest(directory, manifest, bytes);
}

function fromManifest(directory: string, manifest: Manifest, bytes: Uint8Array): TrainingCheckpoint {
  const { progress } = manifest.current;
  const { shapes } = progress.optimizer;
  const layout = [...progress.weightShapes, ...progress.weightShapes, ...shapes, ...shapes];
  const expectedBytes = layout.reduce((total, shape) => total + elementCount(shape) * BYTES_PER_FLOAT, 0);
  if (expectedBytes !== bytes.byteLength) {
    throw new CorruptCheckpointError(
      directory,
      `${manifest.tensors.file} holds ${bytes.byteLength} bytes but the shapes in ${CHECKPOINT_MANIFEST_FILE} need ${expectedBytes}`,
    );
  }
  // a copy per tensor: readFile's buffer may start at an offset Float32Array cannot view
  let offset = 0;
  const tensors = layout.map((shape) => {
    const byteLength = elementCount(shape) * BYTES_PER_FLOAT;
    const values = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + byteLength),
    );
    offset += byteLength;
    return values;
  });
  const weightCount = progress.weightShapes.length;
  const momentCount = shapes.length;
  return {
    identity: manifest.identity,
    completedFolds: manifest.completedFolds,
    current: {
      ...manifest.current,
      progress: {
        ...progress,
        weights: tensors.slice(0, weightCount),
        bestWeights: tensors.slice(weightCount, 2 * weightCount),
        optimizer: {
          ...progress.optimizer,
          firstMoments: tensors.slice(2 * weightCount, 2 * weightCount + momentCount),
          secondMoments: tensors.slice(2 * weightCount + momentCount),
        },
      },
    },
  };
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, size) => count * size, 1);
}

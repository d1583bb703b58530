/**
 * A tfjs LayersModel to and from the two files of a stored model: `model.json` (topology and weights
 * manifest, the tfjs format other tools can read) and one `weights.bin`. tfjs's own `file://` handler
 * needs tfjs-node, which may not be installed; saving through `withSaveHandler` and loading through
 * `fromMemory` works on every backend and any ObjectStore.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { parseJsonAs } from '../json.js';
import { MODEL_FILES } from './artifacts.js';
// Registers the ResNet's custom layers, which tfjs must know by name to deserialise a topology.
import './layers.js';
import { CorruptModelArtifactError, NonFiniteWeightsError } from './registry-errors.js';

export interface SerialisedModel {
  /** The text of model.json. */
  topologyJson: string;
  weights: Uint8Array;
}

const weightSpecSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32', 'bool']),
});

const modelJsonSchema = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  weightsManifest: z
    .array(z.object({ paths: z.array(z.string()), weights: z.array(weightSpecSchema) }))
    .length(1),
});

const BYTES_PER_ELEMENT = { float32: 4, int32: 4, bool: 1 } as const;

export async function serialiseModel(model: tf.LayersModel): Promise<SerialisedModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (artifacts?.weightData === undefined || artifacts.weightSpecs === undefined) {
    throw new Error('tfjs produced no weights when saving the model');
  }
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs }],
  };
  return { topologyJson: JSON.stringify(modelJson), weights };
}

/** Rebuilds the model, rejecting a model.json that does not parse or weights of the wrong length. */
export async function deserialiseModel(
  modelId: string,
  topologyBytes: Uint8Array,
  weights: Uint8Array,
): Promise<tf.LayersModel> {
  const modelJson = parseJson(modelId, MODEL_FILES.topology, topologyBytes, modelJsonSchema);
  const weightSpecs = modelJson.weightsManifest[0]!.weights;
  const expectedBytes = weightSpecs.reduce(
    (total, spec) =>
      total + spec.shape.reduce((count, size) => count * size, 1) * BYTES_PER_ELEMENT[spec.dtype],
    0,
  );
  if (weights.byteLength !== expectedBytes) {
    throw new CorruptModelArtifactError(
      modelId,
      MODEL_FILES.weights,
      `holds ${weights.byteLength} bytes but the manifest in ${MODEL_FILES.topology} needs ${expectedBytes}`,
    );
  }
  // fromMemory wants an ArrayBuffer of exactly the weights, not a view into a larger one.
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer;
  assertFiniteWeights(modelId, weightSpecs, weightData);
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData,
        format: modelJson.format,
      }),
    );
  } catch (error) {
    throw new CorruptModelArtifactError(
      modelId,
      MODEL_FILES.topology,
      `does not describe a loadable model: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** Refuses weights holding NaN or infinities, reading the manifest of model.json but building nothing. */
export function assertWeightsFinite(modelId: string, topologyBytes: Uint8Array, weights: Uint8Array): void {
  const weightSpecs = parseJson(modelId, MODEL_FILES.topology, topologyBytes, modelJsonSchema)
    .weightsManifest[0]!.weights;
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer;
  assertFiniteWeights(modelId, weightSpecs, weightData);
}

/**
 * Refuses float weights holding NaN or infinities: such a model loads, predicts NaN for every coin, and
 * the tick would trade nothing every minute without an error.
 */
function assertFiniteWeights(
  modelId: string,
  weightSpecs: readonly z.infer<typeof weightSpecSchema>[],
  weightData: ArrayBuffer,
): void {
  const view = new DataView(weightData);
  let offsetBytes = 0;
  for (const spec of weightSpecs) {
    const count = spec.shape.reduce((product, size) => product * size, 1);
    if (offsetBytes + count * BYTES_PER_ELEMENT[spec.dtype] > weightData.byteLength) {
      throw new CorruptModelArtifactError(modelId, MODEL_FILES.weights, `ends inside weight ${spec.name}`);
    }
    if (spec.dtype === 'float32') {
      let nonFinite = 0;
      for (let index = 0; index < count; index++) {
        // tfjs writes weights little-endian (a typed array's bytes on every platform it runs on)
        if (!Number.isFinite(view.getFloat32(offsetBytes + index * 4, true))) nonFinite++;
      }
      if (nonFinite > 0) throw new NonFiniteWeightsError(modelId, spec.name, nonFinite);
    }
    offsetBytes += count * BYTES_PER_ELEMENT[spec.dtype];
  }
}

/** Parses a JSON file of a model against its schema; anything else is a corrupt artifact. */
export function parseJson<Schema extends z.ZodType>(
  modelId: string,
  file: string,
  bytes: Uint8Array,
  schema: Schema,
): z.infer<Schema> {
  return parseJsonAs(
    bytes,
    schema,
    (problem, cause) => new CorruptModelArtifactError(modelId, file, problem, { cause }),
  );
}

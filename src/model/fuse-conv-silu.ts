/**
 * An inference copy of a model in which every 1-D conv whose only consumer is a SiLU layer becomes one
 * FusedConv1DSiLU layer (conv, bias and SiLU in one pass where the backend has the kernel, see
 * conv1d-bias.ts). The copy's variables share the original's buffers (no weights are copied); it is
 * for predicting only, and never saved: the saved format keeps separate conv and SiLU layers.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedConv1D, FusedConv1DSiLU, SiLU } from './layers.js';

/** [layer name, node index, tensor index, kwargs]: one input of a layer call in a model's config. */
type TensorRef = [string, number, number, ...unknown[]];

interface LayerEntry {
  name: string;
  className: string;
  config: tf.serialization.ConfigDict;
  inboundNodes: TensorRef[][];
}

interface ModelConfig {
  layers: LayerEntry[];
  outputLayers: TensorRef[];
}

export function fuseConvSiLU(model: tf.LayersModel): tf.LayersModel {
  const config = model.getConfig() as unknown as ModelConfig;
  const entries = new Map(config.layers.map((entry) => [entry.name, entry]));
  const consumers = new Map<string, number>();
  for (const ref of [...config.layers.flatMap((entry) => entry.inboundNodes.flat()), ...config.outputLayers])
    consumers.set(ref[0], (consumers.get(ref[0]) ?? 0) + 1);
  // SiLU layer → the conv it is folded into
  const folded = new Map<string, string>();
  for (const entry of config.layers) {
    if (entry.className !== SiLU.className || entry.inboundNodes.flat().length !== 1) continue;
    const conv = entries.get(entry.inboundNodes[0]![0]![0]);
    const fused = conv === undefined ? undefined : fusedConvConfig(conv);
    if (fused === undefined || consumers.get(conv!.name) !== 1) continue;
    conv!.className = FusedConv1DSiLU.className;
    conv!.config = fused;
    folded.set(entry.name, conv!.name);
  }
  if (folded.size === 0) return model;
  const rename = (ref: TensorRef): void => {
    ref[0] = folded.get(ref[0]) ?? ref[0];
  };
  config.layers = config.layers.filter((entry) => !folded.has(entry.name));
  config.layers.forEach((entry) => entry.inboundNodes.flat().forEach(rename));
  config.outputLayers.forEach(rename);
  const copy = tf.LayersModel.fromConfig(
    tf.LayersModel,
    config as unknown as tf.serialization.ConfigDict,
    {},
    true,
  ) as tf.LayersModel;
  for (const layer of copy.layers) layer.setWeights(model.getLayer(layer.name).getWeights());
  return copy;
}

/** The FusedConv1DSiLU config of a conv layer's entry, or undefined when it is not such a conv. */
function fusedConvConfig(entry: LayerEntry): tf.serialization.ConfigDict | undefined {
  const { config } = entry;
  if (entry.className === FusedConv1D.className) return config;
  if (entry.className !== 'Conv1D') return undefined;
  // tf.layers.conv1d: fusable with a bias, no activation of its own, no dilation, channels last
  const ones = (value: unknown): boolean => [value].flat().every((size) => size === 1);
  const plain =
    config.useBias === true &&
    config.activation === 'linear' &&
    ones(config.dilationRate) &&
    (config.dataFormat ?? 'channelsLast') === 'channelsLast' &&
    (config.padding === 'same' || config.padding === 'valid');
  if (!plain) return undefined;
  return {
    name: config.name!,
    trainable: config.trainable!,
    filters: config.filters!,
    kernelSize: [config.kernelSize].flat()[0] as number,
    strides: [config.strides].flat()[0] as number,
    padding: config.padding!,
  };
}

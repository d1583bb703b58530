/**
 * Gradient kernels for the wasm backend: the one tfjs 4.22 lacks (Conv2DBackpropFilter), the one it
 * ships too slow to train with (Conv2DBackpropInput), both built from XNNPACK's fast paths, and the one
 * it ships wrong (MaxPoolGrad with more than one channel). Conv1D runs as a Conv2D of height 1, so these
 * serve the ResNet1D's every conv and its max-pooled identities.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilter } from './kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInput } from './kernels/conv2d-backprop-input.js';
import { maxPoolGrad } from './kernels/max-pool-grad.js';
import { castWithoutCopyToSameType, identityWithoutCopy } from './kernels/no-copy.js';
import { sumOverLeadingAxesFast } from './kernels/sum-leading-axes.js';

const WASM_GRADIENT_KERNELS: tf.KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2DBackpropInput },
  { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad },
  { kernelName: 'Identity', backendName: 'wasm', kernelFunc: identityWithoutCopy },
];

/** Shipped kernels kept for the cases the faster replacement does not cover. */
const WRAPPED_KERNELS: Array<[string, (shipped: tf.KernelConfig) => tf.KernelConfig]> = [
  ['Sum', sumOverLeadingAxesFast],
  ['Cast', castWithoutCopyToSameType],
];

let registered = false;

/**
 * Registers the gradient kernels for the wasm backend, replacing shipped ones, and the Sum, Identity and
 * Cast that training runs faster; safe to call twice. Call it after the wasm package is imported (which
 * registers the shipped kernels) and before the backend initialises (which runs each kernel's setup).
 */
export function registerWasmGradients(): void {
  if (registered) return;
  registered = true;
  const wrapped = WRAPPED_KERNELS.flatMap(([kernelName, wrap]) => {
    const shipped = tf.getKernel(kernelName, 'wasm');
    return shipped === undefined ? [] : [wrap(shipped)];
  });
  for (const config of [...WASM_GRADIENT_KERNELS, ...wrapped]) {
    // registerKernel refuses (with a warning) a name already taken, so the shipped kernel goes first.
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}

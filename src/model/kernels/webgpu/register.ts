/**
 * Puts our WebGPU kernels in place of tfjs's shipped ones. Each replacement keeps the shipped kernel for
 * the arguments it does not take (a 2-D conv, an activation it does not fuse), so registering changes
 * what runs the ResNet1D and nothing else.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import {
  conv2DBackpropFilterKernel,
  conv2DBackpropInputKernel,
  conv2DKernel,
  fusedConv2DKernel,
} from './conv1d.js';
import { adamMomentKernel, adamStepKernel } from './adam.js';
import { maxPoolGradKernel, maxPoolKernel } from './max-pool1d.js';
import { residualAddGradientKernel, residualAddKernel } from './residual-add.js';
import { siluGradientKernel, siluKernel } from './silu.js';
import { sumKernel } from './sum-leading-axes.js';

const BACKEND = 'webgpu';

/** Shipped kernel name → our kernel wrapped around it. */
const REPLACEMENTS: Array<[string, (shipped: KernelConfig) => KernelConfig]> = [
  ['Conv2D', conv2DKernel],
  ['FusedConv2D', fusedConv2DKernel],
  ['Conv2DBackpropInput', conv2DBackpropInputKernel],
  ['Conv2DBackpropFilter', conv2DBackpropFilterKernel],
  ['MaxPool', maxPoolKernel],
  ['MaxPoolGrad', maxPoolGradKernel],
  ['Sum', sumKernel],
];

/** Kernels of our own ops, which tfjs does not ship. */
const ADDITIONS: KernelConfig[] = [
  siluKernel,
  siluGradientKernel,
  residualAddKernel,
  residualAddGradientKernel,
  adamMomentKernel,
  adamStepKernel,
];

let registered = false;

/**
 * Registers the kernels for the 'webgpu' backend; safe to call twice. Call it once the WebGPU package
 * is imported (it registers the shipped kernels this wraps), e.g. right after setBackend('webgpu').
 */
export function registerWebGpuKernels(): void {
  if (registered) return;
  const replacements = REPLACEMENTS.map(([kernelName, wrap]) => {
    const shipped = tf.getKernel(kernelName, BACKEND);
    if (shipped === undefined)
      throw new Error(
        `the WebGPU kernel ${kernelName} is missing: import @tensorflow/tfjs-backend-webgpu first`,
      );
    return wrap(shipped);
  });
  registered = true;
  for (const config of [...replacements, ...ADDITIONS]) {
    // registerKernel refuses (with a warning) a name already taken, so the shipped kernel goes first.
    if (tf.getKernel(config.kernelName, BACKEND) !== undefined)
      tf.unregisterKernel(config.kernelName, BACKEND);
    tf.registerKernel(config);
  }
}

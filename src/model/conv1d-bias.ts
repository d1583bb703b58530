/**
 * A 1-D conv plus a per-channel bias, optionally followed by SiLU, as the ResNet1D's conv layers run it:
 * tf.fused.conv2d on a height-1 image (the bias added while the output is written). With SiLU and no
 * gradient being recorded, a backend that has a kernel for the whole of it (WebGPU, see
 * kernels/webgpu/conv1d.ts) runs conv, bias and SiLU as one pass; that kernel has no gradient, because
 * SiLU's gradient needs the pre-activation the one pass never writes out. Everywhere else, and whenever
 * a gradient tape is open, it is the conv then silu(): exactly the two layers' ops.
 */
import * as tf from '@tensorflow/tfjs';
import { silu } from './silu.js';

/** Inputs x [batch, 1, width, Cin], filter [1, k, Cin, F], bias [F]; attrs strides [1, s], pad. */
export const CONV1D_BIAS_SILU_KERNEL = 'Alpha15Conv1DBiasSiLU';

export interface Conv1DBiasOptions {
  stride: number;
  padding: 'same' | 'valid';
  /** SiLU on the output. */
  silu: boolean;
}

/** x [batch, time, Cin], kernel [k, Cin, F], bias [F] → [batch, outTime, F]. */
export function conv1dBias(
  x: tf.Tensor,
  kernel: tf.Tensor,
  bias: tf.Tensor,
  options: Conv1DBiasOptions,
): tf.Tensor {
  return tf.tidy(() => {
    const [batch, time, channels] = x.shape as [number, number, number];
    const [taps, , filters] = kernel.shape as [number, number, number];
    const image = tf.reshape(x, [batch, 1, time, channels]) as tf.Tensor4D;
    const filter = tf.reshape(kernel, [1, taps, channels, filters]) as tf.Tensor4D;
    const strides: [number, number] = [1, options.stride];
    const pad = options.padding;
    let output: tf.Tensor;
    if (options.silu && oneKernelRuns()) {
      output = tf.engine().runKernel(CONV1D_BIAS_SILU_KERNEL, { x: image, filter, bias }, { strides, pad });
    } else {
      output = tf.fused.conv2d({ x: image, filter, strides, pad, bias });
      if (options.silu) output = silu(output);
    }
    return tf.reshape(output, [batch, output.shape[2]!, filters]);
  });
}

/** Whether conv, bias and SiLU run as one kernel here: the backend has it and no tape records. */
function oneKernelRuns(): boolean {
  return (
    tf.engine().state.gradientDepth === 0 &&
    tf.getKernel(CONV1D_BIAS_SILU_KERNEL, tf.getBackend()) !== undefined
  );
}

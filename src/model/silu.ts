/**
 * SiLU (x · sigmoid(x), Keras's "swish") as one op. Where the active backend has a kernel of its own
 * for it (WebGPU, see kernels/webgpu/silu.ts), the forward pass and the gradient are one pass over the
 * tensor each; tfjs's composite takes two kernels forward and five back, each a full read and write.
 * Everywhere else the op is that composite, exactly as the Activation layer computed it.
 */
import * as tf from '@tensorflow/tfjs';

export const SILU_KERNEL = 'Alpha15SiLU';
/** dx = dy · s · (1 + x · (1 - s)) with s = sigmoid(x), given dy and x. */
export const SILU_GRADIENT_KERNEL = 'Alpha15SiLUGrad';

export function silu(x: tf.Tensor): tf.Tensor {
  if (tf.getKernel(SILU_KERNEL, tf.getBackend()) === undefined) return tf.mul(tf.sigmoid(x), x);
  return tf.engine().runKernel(SILU_KERNEL, { x });
}

tf.registerGradient({
  kernelName: SILU_KERNEL,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({
    x: () => tf.engine().runKernel(SILU_GRADIENT_KERNEL, { dy: dy as tf.Tensor, x: saved[0]! }),
  }),
});

/**
 * The residual sum of a ResNet1D block as one op: main + shortcut, the shortcut's channels (last axis)
 * zero-padded up to the main branch's first. Where the active backend has a kernel of its own for it
 * (WebGPU, see kernels/webgpu/residual-add.ts), that is one pass over the output forward, and the
 * shortcut's gradient one pass over the shortcut; tfjs's composite writes the padded shortcut out and reads
 * it back. Everywhere else the op is that composite, tf.add(main, tf.pad(shortcut)), in the order the
 * Add layer summed it, so cpu and wasm compute the same numbers as before.
 */
import * as tf from '@tensorflow/tfjs';

export const RESIDUAL_ADD_KERNEL = 'Alpha15ResidualAdd';
/** The shortcut's gradient: the upstream gradient's first `channels` channels, given dy. */
export const RESIDUAL_ADD_GRADIENT_KERNEL = 'Alpha15ResidualAddGrad';

/** Channels the shortcut lacks: the zero channels the sum appends to it. */
export function paddedChannels(mainShape: readonly number[], shortcutShape: readonly number[]): number {
  const leadingAxesMatch =
    mainShape.length === shortcutShape.length &&
    mainShape.slice(0, -1).every((size, axis) => size === shortcutShape[axis]);
  const extra = mainShape.at(-1)! - shortcutShape.at(-1)!;
  if (!leadingAxesMatch || extra < 0)
    throw new Error(
      `a residual sum needs a shortcut shaped like the main branch with at most its channels: main [${mainShape.join(', ')}], shortcut [${shortcutShape.join(', ')}]`,
    );
  return extra;
}

export function residualAdd(main: tf.Tensor, shortcut: tf.Tensor): tf.Tensor {
  const extra = paddedChannels(main.shape, shortcut.shape);
  if (tf.getKernel(RESIDUAL_ADD_KERNEL, tf.getBackend()) !== undefined)
    return tf.engine().runKernel(RESIDUAL_ADD_KERNEL, { main, shortcut });
  if (extra === 0) return tf.add(main, shortcut);
  const paddings = shortcut.shape.map((): [number, number] => [0, 0]);
  paddings[paddings.length - 1] = [0, extra];
  return tf.tidy(() => tf.add(main, tf.pad(shortcut, paddings)));
}

tf.registerGradient({
  kernelName: RESIDUAL_ADD_KERNEL,
  inputsToSave: ['shortcut'],
  gradFunc: (dy, saved) => {
    const upstream = dy as tf.Tensor;
    const shortcut = saved[0]!;
    const channels = shortcut.shape.at(-1)!;
    return {
      // clone shares dy's buffer (WebGPU's Identity copies nothing), as tfjs's Add gradient does with reshape
      main: () => tf.clone(upstream),
      shortcut: () =>
        channels === upstream.shape.at(-1)
          ? tf.clone(upstream)
          : tf.engine().runKernel(RESIDUAL_ADD_GRADIENT_KERNEL, { dy: upstream }, { channels }),
    };
  },
});

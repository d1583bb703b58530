/**
 * The SiLU op's kernels on WebGPU (see ../../silu.ts): one elementwise pass forward, one back.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { SILU_GRADIENT_KERNEL, SILU_KERNEL } from '../../silu.js';
import type { GpuBackend, GpuProgram } from './gpu-program.js';

const WORKGROUP_SIZE = 64;

/** A program computing `expression` (of `v = <first input>[index]` and the inputs) per element. */
function elementwise(name: string, variableNames: string[], shape: number[], body: string): GpuProgram {
  return {
    outputShape: shape,
    shaderKey: `alpha15_${name}`,
    dispatchLayout: { x: shape.map((_, axis) => axis) },
    dispatch: [Math.ceil(tf.util.sizeFromShape(shape) / WORKGROUP_SIZE), 1, 1],
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    variableNames,
    size: true,
    getUserCode: () => `
    fn main(index: i32) {
      if (index < uniforms.size) {
        ${body}
      }
    }`,
  };
}

// 1 / (1 + exp(-x)) as the cpu backend computes it; for x below about -88, exp overflows to +inf and the
// sigmoid is 0, as it should be.
const SIGMOID = 'let s = 1.0 / (1.0 + exp(-v));';

export const siluKernel: KernelConfig = {
  kernelName: SILU_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    const program = elementwise(
      'silu',
      ['x'],
      x.shape,
      `let v = x[index]; ${SIGMOID} result[index] = v * s;`,
    );
    return (backend as unknown as GpuBackend).runWebGPUProgram(program, [x], 'float32');
  },
};

export const siluGradientKernel: KernelConfig = {
  kernelName: SILU_GRADIENT_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend }) => {
    const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
    const program = elementwise(
      'silu_gradient',
      ['dy', 'x'],
      x.shape,
      `let v = x[index]; ${SIGMOID} result[index] = dy[index] * s * (1.0 + v * (1.0 - s));`,
    );
    return (backend as unknown as GpuBackend).runWebGPUProgram(program, [dy, x], 'float32');
  },
};

/**
 * The SiLU op's kernels on WebGPU (see ../../silu.ts): one elementwise pass forward, one back.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { SILU_GRADIENT_KERNEL, SILU_KERNEL } from '../../silu.js';
import { elementwise } from './elementwise.js';
import type { GpuBackend } from './gpu-program.js';

// 1 / (1 + exp(-x)) as the cpu backend computes it; for x below about -88, exp overflows to +inf and the
// sigmoid is 0, as it should be.
export const SIGMOID = 'let s = 1.0 / (1.0 + exp(-v));';

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

/**
 * The fused Adam kernels on WebGPU (see ../../resumable-adam.ts), each one elementwise pass. The
 * arithmetic follows tfjs's AdamOptimizer op for op, in float32, with the same constants (1 - beta is
 * rounded to float32 from the double, as tfjs's scalar is), so the two paths differ by rounding only.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { ADAM_MOMENT_KERNEL, ADAM_STEP_KERNEL } from '../../resumable-adam.js';
import { elementwise } from './elementwise.js';
import type { GpuBackend } from './gpu-program.js';

export const adamMomentKernel: KernelConfig = {
  kernelName: ADAM_MOMENT_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { moment, gradient } = inputs as { moment: TensorInfo; gradient: TensorInfo };
    const { decay, squared } = attrs as unknown as { decay: number; squared: boolean };
    const term = squared ? 'gradient[index] * gradient[index]' : 'gradient[index]';
    const program = elementwise(
      `adam_moment_${squared}`,
      ['moment', 'gradient'],
      moment.shape,
      `result[index] = moment[index] * uniforms.decay + ${term} * uniforms.complement;`,
      'decay: f32, complement: f32,',
    );
    return (backend as unknown as GpuBackend).runWebGPUProgram(program, [moment, gradient], 'float32', [
      { type: 'float32', data: [decay] },
      { type: 'float32', data: [1 - decay] },
    ]);
  },
};

export const adamStepKernel: KernelConfig = {
  kernelName: ADAM_STEP_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { value, firstMoment, secondMoment, accBeta1, accBeta2 } = inputs as Record<string, TensorInfo>;
    const { learningRate, epsilon } = attrs as unknown as { learningRate: number; epsilon: number };
    const program = elementwise(
      'adam_step',
      ['value', 'firstMoment', 'secondMoment', 'accBeta1', 'accBeta2'],
      value!.shape,
      `let corrected1 = firstMoment[index] / (1.0 - accBeta1[0]);
        let corrected2 = secondMoment[index] / (1.0 - accBeta2[0]);
        result[index] = corrected1 / (sqrt(corrected2) + uniforms.epsilon) * uniforms.negativeRate + value[index];`,
      'epsilon: f32, negativeRate: f32,',
    );
    return (backend as unknown as GpuBackend).runWebGPUProgram(
      program,
      [value!, firstMoment!, secondMoment!, accBeta1!, accBeta2!],
      'float32',
      [
        { type: 'float32', data: [epsilon] },
        { type: 'float32', data: [-learningRate] },
      ],
    );
  },
};

/**
 * The residual sum's kernels on WebGPU (see ../../residual-add.ts), one elementwise pass each, both over
 * channels-last tensors read as [rows, channels]:
 *
 *   forward   y[r, c]         = main[r, c] + (c < shortcutChannels ? shortcut[r, c] : 0)
 *   gradient  dShortcut[r, c] = dy[r, c] for c < shortcutChannels (the main branch's gradient is dy)
 *
 * tfjs's composite runs PadV2 (a padded copy of the shortcut, written out) and then Add, which reads it
 * back; its gradient slices dy with Slice, which this gradient equals.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { RESIDUAL_ADD_GRADIENT_KERNEL, RESIDUAL_ADD_KERNEL } from '../../residual-add.js';
import { elementwise } from './elementwise.js';
import { intUniforms, type GpuBackend } from './gpu-program.js';

const CHANNEL_UNIFORMS = 'channels: i32, shortcutChannels: i32,';

export const residualAddKernel: KernelConfig = {
  kernelName: RESIDUAL_ADD_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend }) => {
    const { main, shortcut } = inputs as { main: TensorInfo; shortcut: TensorInfo };
    const program = elementwise(
      'residual_add',
      // not `main`: the shader's entry point takes that name
      ['branch', 'shortcut'],
      main.shape,
      `let c = index % uniforms.channels;
        var sum = branch[index];
        if (c < uniforms.shortcutChannels) {
          sum += shortcut[(index / uniforms.channels) * uniforms.shortcutChannels + c];
        }
        result[index] = sum;`,
      CHANNEL_UNIFORMS,
    );
    return (backend as unknown as GpuBackend).runWebGPUProgram(
      program,
      [main, shortcut],
      'float32',
      intUniforms([main.shape.at(-1)!, shortcut.shape.at(-1)!]),
    );
  },
};

export const residualAddGradientKernel: KernelConfig = {
  kernelName: RESIDUAL_ADD_GRADIENT_KERNEL,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy } = inputs as { dy: TensorInfo };
    const { channels: shortcutChannels } = attrs as unknown as { channels: number };
    const program = elementwise(
      'residual_add_gradient',
      ['dy'],
      [...dy.shape.slice(0, -1), shortcutChannels],
      `let c = index % uniforms.shortcutChannels;
        result[index] = dy[(index / uniforms.shortcutChannels) * uniforms.channels + c];`,
      CHANNEL_UNIFORMS,
    );
    return (backend as unknown as GpuBackend).runWebGPUProgram(
      program,
      [dy],
      'float32',
      intUniforms([dy.shape.at(-1)!, shortcutChannels]),
    );
  },
};

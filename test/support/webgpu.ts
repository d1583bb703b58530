/**
 * WebGPU in the test process: Dawn's Node bindings (npm `webgpu`) as navigator.gpu, tfjs's WebGPU
 * backend on top, and our kernels registered. Test-only: production selects the backend through
 * src/model/backend.ts. On a machine without a GPU Dawn finds Mesa's lavapipe (a CPU Vulkan driver,
 * slow but exact), which is what CI runs.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWebGpuKernels } from '../../src/model/kernels/webgpu/register.js';

let loading: Promise<void> | undefined;

async function loadWebGpu(): Promise<void> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('the WebGPU backend did not start: no adapter?');
}

/** Makes `backend` the active one; 'webgpu' starts once, with or without our kernels registered. */
export async function useBackend(
  backend: 'webgpu' | 'cpu',
  options: { ourKernels?: boolean } = {},
): Promise<void> {
  if (backend === 'webgpu') {
    loading ??= loadWebGpu();
    await loading;
    if (options.ourKernels ?? true) registerWebGpuKernels();
  }
  await tf.setBackend(backend);
}

/** The compiled pipelines' keys: which programs have run on the WebGPU backend so far. */
export function compiledShaderKeys(): string[] {
  return Object.keys((tf.findBackend('webgpu') as unknown as { pipelineCache: object }).pipelineCache);
}

/** What `run` resolves to, and the shader keys of the programs the WebGPU backend ran meanwhile, in order. */
export async function programsRun<T>(run: () => Promise<T>): Promise<{ result: T; programs: string[] }> {
  type Run = (program: { shaderKey: string }, ...rest: unknown[]) => unknown;
  loading ??= loadWebGpu();
  await loading;
  const backend = tf.findBackend('webgpu') as unknown as { runWebGPUProgram: Run };
  const original = backend.runWebGPUProgram;
  const programs: string[] = [];
  backend.runWebGPUProgram = function (this: unknown, program, ...rest) {
    programs.push(program.shaderKey);
    return original.call(this, program, ...rest);
  };
  try {
    return { result: await run(), programs };
  } finally {
    backend.runWebGPUProgram = original;
  }
}

/** Largest |a - b| over every element. */
export function maxDifference(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) throw new Error(`lengths ${actual.length} and ${expected.length}`);
  let largest = 0;
  for (let at = 0; at < actual.length; at++)
    largest = Math.max(largest, Math.abs(actual[at]! - expected[at]!));
  return largest;
}

/** Runs `compute` on the backend and reads every output (webgpu reads only asynchronously). */
export async function valuesOn(
  backend: 'webgpu' | 'cpu',
  compute: () => tf.Tensor[],
): Promise<Float32Array[]> {
  await useBackend(backend);
  const outputs = compute();
  const values = await Promise.all(outputs.map(async (output) => (await output.data()) as Float32Array));
  tf.dispose(outputs);
  return values;
}

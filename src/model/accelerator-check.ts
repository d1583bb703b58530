/**
 * The job's first act: make sure it computes where it was paid to. On a GPU instance the backend must
 * be one of the GPU backends, computing on the GPU: native TensorFlow with CUDA (`node-gpu`) with a GPU
 * device in use, or WebGPU (`webgpu`) on a hardware adapter. Anything else (tfjs-node-gpu missing from
 * the image, a CUDA library that did not load, no Vulkan driver in the container, a software adapter)
 * would train on the CPU for hours at GPU prices with nobody told. The `allowCpu` hyperparameter makes
 * CPU training on a GPU instance a deliberate choice.
 */
import * as tf from '@tensorflow/tfjs';
import { Alpha15Error } from '../errors.js';

export class GpuNotInUseError extends Alpha15Error {
  readonly code = 'GPU_NOT_IN_USE';
}

export interface AcceleratorFacts {
  /** The instance type from resourceconfig.json; undefined on a local tree. */
  instanceType: string | undefined;
  instanceHasGpu: boolean;
  /** The active backend's name (BackendInfo['name']). */
  backend: string;
  /** What the backend reports: TensorFlow placed ops on a GPU device, or WebGPU runs on a hardware adapter. */
  gpuInUse: boolean;
  allowCpu: boolean;
}

/** The part of a WebGPU adapter's GPUAdapterInfo that tells a GPU from a CPU implementation. */
export interface WebGpuAdapterFacts {
  /** Dawn marks its CPU adapters (SwiftShader, and Mesa's lavapipe/llvmpipe through Vulkan) as fallback. */
  isFallbackAdapter?: boolean;
  architecture?: string;
}

/**
 * How each GPU backend says whether it computes on the GPU. Keyed by name as a plain string record:
 * the backend list (src/contracts/backends.ts) gains `webgpu` separately, and this table holds either way.
 */
const GPU_IN_USE: Readonly<Record<string, () => boolean>> = {
  'node-gpu': tensorflowUsesGpu,
  webgpu: webgpuUsesHardwareAdapter,
};

/** The backends that count as training on the GPU. */
export const GPU_BACKENDS: readonly string[] = Object.keys(GPU_IN_USE);

/** Throws GpuNotInUseError when a GPU instance would train without its GPU (and that was not asked for). */
export function checkAccelerator(facts: AcceleratorFacts): void {
  if (!facts.instanceHasGpu || facts.allowCpu) return;
  const gpuBackend = GPU_BACKENDS.includes(facts.backend);
  if (gpuBackend && facts.gpuInUse) return;
  throw new GpuNotInUseError(
    `${facts.instanceType} has a GPU but the job would train on the CPU: backend ${facts.backend}` +
      (facts.backend === 'node-gpu'
        ? ', and TensorFlow sees no GPU device'
        : gpuBackend
          ? ', on a software adapter (no GPU driver reached the container)'
          : `, not a GPU backend (${GPU_BACKENDS.join(' or ')})`),
    'check the job log for the CUDA or Vulkan load error and the image (tfjs-node-gpu with CUDA 11 and cuDNN 8; ' +
      'libvulkan1 with NVIDIA_DRIVER_CAPABILITIES including graphics), ' +
      'or set the hyperparameter allowCpu=true to train on the CPU on purpose',
    { data: { instanceType: facts.instanceType, backend: facts.backend } },
  );
}

/** Whether the active backend computes on the GPU; false for every backend that is not a GPU backend. */
export function backendUsesGpu(backend: string): boolean {
  return GPU_IN_USE[backend]?.() ?? false;
}

/** tfjs-node's backend says whether TensorFlow placed ops on a GPU device. */
export function tensorflowUsesGpu(): boolean {
  return (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
}

/** A WebGPU adapter that is a GPU: not a fallback (CPU) adapter, nor one that names itself software. */
export function isHardwareAdapter(adapter: WebGpuAdapterFacts | undefined): boolean {
  return adapter !== undefined && adapter.isFallbackAdapter !== true && adapter.architecture !== 'software';
}

/** The tfjs WebGPU backend keeps its GPUDevice, whose adapterInfo says what it runs on. */
function webgpuUsesHardwareAdapter(): boolean {
  const backend = tf.backend() as { device?: { adapterInfo?: WebGpuAdapterFacts } };
  return isHardwareAdapter(backend.device?.adapterInfo);
}

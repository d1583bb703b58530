/**
 * Starts TensorFlow.js's WebGPU backend in Node through Dawn's bindings (npm `webgpu`). Loaded only by
 * src/model/backend.ts's dynamic import when WebGPU is tried, so nothing that runs on wasm (the tick
 * Lambda's bundle marks this module external) ever loads Dawn or tfjs-backend-webgpu.
 *
 * We request the adapter ourselves instead of letting tfjs-backend-webgpu do it, so that the adapter is
 * inspected before a device exists (a software adapter is refused, see webgpu-adapter.ts), the device's
 * `lost` promise and uncaptured out-of-memory errors reach the training loop as faults, and the
 * device's buffer limit is known for the batch-size check.
 */
import * as tf from '@tensorflow/tfjs';
import { NoWebGpuAdapterError, SoftwareWebGpuAdapterError } from './gpu-errors.js';
import { registerWebGpuKernels } from './kernels/webgpu/register.js';
import { adapterFacts, softwareAdapterReason, type AdapterFacts } from './webgpu-adapter.js';

/** Something that broke the device after it started; the training loop turns it into a typed error. */
export type GpuFault =
  | { kind: 'device-lost'; reason: string; detail: string; adapter: AdapterFacts }
  | { kind: 'out-of-memory'; detail: string; adapter: AdapterFacts };

export interface WebGpuStartOptions {
  /** Accept a software adapter (an explicit `webgpu` with ALPHA15_WEBGPU_ALLOW_SOFTWARE=1); never for `auto`. */
  allowSoftware: boolean;
  onFault: (fault: GpuFault) => void;
}

export interface WebGpuStarted {
  adapter: AdapterFacts;
  /** The largest buffer a shader may bind: min(maxStorageBufferBindingSize, maxBufferSize). */
  maxBufferBytes: number;
}

/** tfjs's name for the backend; registering it again replaces the factory the package registered. */
const TF_NAME = 'webgpu';

export async function startWebGpu(options: WebGpuStartOptions): Promise<WebGpuStarted> {
  const { create, globals } = await import('webgpu');
  // tfjs-backend-webgpu reads GPUBufferUsage, GPUMapMode, ... as globals, as a browser has them.
  Object.assign(globalThis, globals);
  const gpu = create([]);
  installNavigatorGpu(gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new NoWebGpuAdapterError();
  const facts = adapterFacts(adapter.info, (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const softwareReason = softwareAdapterReason(facts);
  if (softwareReason !== undefined && !options.allowSoftware)
    throw new SoftwareWebGpuAdapterError(facts, softwareReason);

  // The features and limits tfjs-backend-webgpu's own factory asks for: the adapter's maxima, not
  // WebGPU's defaults (128 MiB bindings would cap the batch size far below what the GPU holds).
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  void device.lost.then((info) =>
    options.onFault({
      kind: 'device-lost',
      reason: info.reason,
      detail: firstLine(info.message),
      adapter: facts,
    }),
  );
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    if (error instanceof GPUOutOfMemoryError)
      options.onFault({ kind: 'out-of-memory', detail: firstLine(error.message), adapter: facts });
  });

  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory(TF_NAME) !== null) tf.removeBackend(TF_NAME);
  tf.registerBackend(TF_NAME, () => new WebGPUBackend(device, adapter.info));
  // Our own kernels (conv1d, fused bias + SiLU, max-pool, Adam) over the ones the package just registered.
  registerWebGpuKernels();
  return {
    adapter: facts,
    maxBufferBytes: Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize),
  };
}

/**
 * tfjs-backend-webgpu finds WebGPU at navigator.gpu. Node 20 has no navigator; Node 21 and later have
 * one without gpu.
 */
function installNavigatorGpu(gpu: GPU): void {
  const existing = (globalThis as { navigator?: object }).navigator;
  if (existing === undefined)
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(existing, 'gpu', { value: gpu, configurable: true });
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

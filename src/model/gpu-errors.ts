/**
 * What can go wrong on the WebGPU backend, as typed errors. Kept apart from the backend that raises
 * them (src/model/webgpu-backend.ts, loaded only when WebGPU is chosen) so that the training loop and
 * the CLI's hints can name them without loading Dawn.
 */
import { WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE } from '../contracts/environment.js';
import { Alpha15Error } from '../errors.js';
import { describeAdapter, type AdapterFacts } from './webgpu-adapter.js';

/** Dawn found no adapter: no GPU driver, or no Vulkan/Metal/D3D12 loader that lists one. */
export class NoWebGpuAdapterError extends Alpha15Error {
  readonly code = 'NO_WEBGPU_ADAPTER';
  constructor() {
    super(
      'WebGPU found no adapter: no GPU driver (Vulkan on Linux) is installed or visible to this process',
      'Install the GPU vendor driver, or Mesa lavapipe (mesa-vulkan-drivers) for a software adapter, and libvulkan1; ' +
        'in a container, NVIDIA_DRIVER_CAPABILITIES must include graphics. Or choose another backend.',
    );
  }
}

/** WebGPU was asked for explicitly and the adapter computes on the CPU. */
export class SoftwareWebGpuAdapterError extends Alpha15Error {
  readonly code = 'SOFTWARE_WEBGPU_ADAPTER';
  constructor(adapter: AdapterFacts, reason: string) {
    super(
      `the WebGPU adapter is software, not a GPU: ${describeAdapter(adapter)}; ${reason}`,
      `Choose another backend (wasm is faster than a software adapter), or set ${WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE}=1 to run on it on purpose (tests, CI).`,
      { data: { ...adapter, reason } },
    );
  }
}

/** The GPU device went away (driver reset, GPU fault, device destroyed) while the run used it. */
export class GpuDeviceLostError extends Alpha15Error {
  readonly code = 'GPU_DEVICE_LOST';
  constructor(reason: string, detail: string, adapter: AdapterFacts) {
    super(
      `the GPU device was lost (${reason}${detail === '' ? '' : `: ${detail}`}) on ${describeAdapter(adapter)}`,
      'Run again: training resumes from the last epoch checkpoint when a checkpoint directory is set.',
      { data: { reason, detail, vendor: adapter.vendor, device: adapter.device } },
    );
  }
}

/**
 * A batch needs a GPU buffer larger than the device allows, or the device ran out of memory running it.
 * `largestTensorBytes` is undefined when the device reported an out-of-memory error rather than the
 * limit check refusing the batch up front.
 */
export class GpuBatchTooLargeError extends Alpha15Error {
  readonly code = 'GPU_BATCH_TOO_LARGE';
  constructor(facts: {
    batchSize: number;
    largestTensorBytes?: number;
    maxBufferBytes: number;
    maxBatchSize?: number;
    detail?: string;
  }) {
    const need =
      facts.largestTensorBytes === undefined
        ? `ran out of GPU memory (${facts.detail ?? 'out-of-memory error'})`
        : `needs a ${facts.largestTensorBytes.toLocaleString('en-US')}-byte tensor, over the device's ${facts.maxBufferBytes.toLocaleString('en-US')}-byte buffer limit`;
    super(
      `batch size ${facts.batchSize} ${need}`,
      facts.maxBatchSize === undefined
        ? 'Use a smaller batch size.'
        : `Use a batch size of at most ${facts.maxBatchSize}.`,
      { data: facts },
    );
  }
}

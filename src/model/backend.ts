/**
 * Chooses the TensorFlow.js backend at run time: native TensorFlow with a GPU, WebGPU on a hardware
 * adapter (Dawn's Node bindings over Vulkan or Metal), native TensorFlow on the CPU, WebAssembly
 * (XNNPACK, SIMD, with the gradient kernels it lacks registered), then pure JavaScript.
 * The native packages are optionalDependencies whose install may have failed (offline, no CUDA), so
 * each is tried with a dynamic import and skipped when it does not load.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import {
  backendPreferenceSchema,
  BACKEND_NAMES,
  type BackendName,
  type BackendPreference,
  type GpuAdapter,
} from '../contracts/backends.js';
import { Alpha15Error } from '../errors.js';
import { GpuBatchTooLargeError, GpuDeviceLostError } from './gpu-errors.js';
import type { GpuFault } from './webgpu-backend.js';
import { registerWasmGradients } from './wasm-gradients.js';
import { enableNodeWasmThreads, withThreadPoolSize } from './wasm-threads.js';
import {
  BACKEND_ENV_VARIABLE,
  WASM_THREADS_ENV_VARIABLE,
  WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE,
} from '../contracts/environment.js';

export interface BackendInfo {
  name: BackendName;
  /** Threads the backend computes with (XNNPACK's pool for wasm, 1 for cpu). */
  threads: number;
  /** Whether the wasm build in use has 128-bit SIMD. */
  simd?: boolean;
  /** The GPU adapter WebGPU computes on. */
  adapter?: GpuAdapter;
  /**
   * The largest tensor, in bytes, the backend can hold in one buffer (WebGPU's binding limit);
   * undefined where only memory bounds it.
   */
  maxBufferBytes?: number;
}

export interface BackendOptions {
  /**
   * Threads for the wasm backend; defaults to ALPHA15_WASM_THREADS, else the machine's available
   * parallelism.
   */
  threads?: number;
}

export { BACKEND_ENV_VARIABLE, WASM_THREADS_ENV_VARIABLE };

/** Not one backend of `auto` could start. */
export class NoBackendError extends Alpha15Error {
  readonly code = 'NO_BACKEND';
}

/** An ALPHA15_* backend variable holds a value the backend cannot use. */
export class BackendEnvironmentError extends Alpha15Error {
  readonly code = 'BACKEND_ENVIRONMENT';
}

export class BackendUnavailableError extends Alpha15Error {
  readonly code = 'BACKEND_UNAVAILABLE';
  constructor(
    readonly backend: BackendName,
    cause: unknown,
  ) {
    super(
      `The TensorFlow.js backend '${backend}' is not available: ${describe(cause)}`,
      cause instanceof Alpha15Error && cause.hint !== undefined
        ? cause.hint
        : backend === 'node' || backend === 'node-gpu'
          ? `Install @tensorflow/tfjs-${backend === 'node' ? 'node' : 'node-gpu'} (it needs network access and, for the GPU, CUDA), or choose the wasm backend.`
          : `Choose another backend (auto picks the best one that loads), or unset ${BACKEND_ENV_VARIABLE}.`,
      { cause, data: { backend, ...(cause instanceof Alpha15Error && { causeCode: cause.code }) } },
    );
  }
}

/** The TensorFlow.js name each backend registers under. */
const TF_BACKEND_NAME: Record<BackendName, string> = {
  'node-gpu': 'tensorflow',
  webgpu: 'webgpu',
  node: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

const selections = new Map<BackendName, Promise<BackendInfo>>();
let active: BackendInfo | undefined;

/**
 * Activates the best available backend (or exactly the preferred one) and returns what it is. Calling
 * again is cheap: each backend is initialised once and the choice is logged to stderr once.
 */
export async function selectBackend(
  preferred: BackendPreference = 'auto',
  options: BackendOptions = {},
): Promise<BackendInfo> {
  // Read here, not where wasm starts: a bad value must stop the run, not make `auto` skip to cpu.
  options = { ...options, threads: options.threads ?? threadsFromEnvironment() };
  const resolved = resolvePreference(preferred);
  if (resolved !== 'auto')
    return activate(resolved, { ...options, allowSoftwareAdapter: allowSoftwareAdapter() });
  if (active !== undefined) return active;
  return firstThatStarts(BACKEND_NAMES, (candidate) =>
    activate(candidate, { ...options, allowSoftwareAdapter: false }),
  );
}

/**
 * `auto`: the first backend of `order` that starts. A backend that fails (not installed, no GPU, only
 * a software WebGPU adapter) is skipped; when none starts, the error lists why each failed.
 */
export async function firstThatStarts(
  order: readonly BackendName[],
  start: (name: BackendName) => Promise<BackendInfo>,
): Promise<BackendInfo> {
  const failures: string[] = [];
  for (const candidate of order) {
    try {
      return await start(candidate);
    } catch (error) {
      failures.push(
        `${candidate}: ${describe(error instanceof BackendUnavailableError ? error.cause : error)}`,
      );
    }
  }
  throw new NoBackendError(
    `No TensorFlow.js backend could start (${failures.join('; ')})`,
    'Reinstall dependencies with npm install.',
  );
}

function resolvePreference(preferred: BackendPreference): BackendPreference {
  if (preferred !== 'auto') return preferred;
  const fromEnvironment = parseEnvironmentVariable(
    BACKEND_ENV_VARIABLE,
    backendPreferenceSchema,
    'names no backend',
    `Use one of: ${backendPreferenceSchema.options.join(', ')}.`,
  );
  return fromEnvironment ?? 'auto';
}

const activationListeners = new Set<(info: BackendInfo) => void>();

/**
 * Tells `listener` whenever another backend becomes active (the CLI and the training job print it);
 * returns the unsubscribe function.
 */
export function onBackendActivated(listener: (info: BackendInfo) => void): () => void {
  activationListeners.add(listener);
  return () => activationListeners.delete(listener);
}

interface ActivationOptions extends BackendOptions {
  /** WebGPU may run on a software adapter: only an explicit `webgpu` with the variable set. */
  allowSoftwareAdapter: boolean;
}

function activate(name: BackendName, options: ActivationOptions): Promise<BackendInfo> {
  let selection = selections.get(name);
  if (selection === undefined) {
    selection = initialise(name, options).catch((error: unknown) => {
      selections.delete(name);
      throw error instanceof BackendUnavailableError ? error : new BackendUnavailableError(name, error);
    });
    selections.set(name, selection);
  }
  return selection.then(async (info) => {
    if (tf.getBackend() !== TF_BACKEND_NAME[name]) await tf.setBackend(TF_BACKEND_NAME[name]);
    if (active?.name !== info.name) {
      for (const listener of activationListeners) listener(info);
    }
    active = info;
    return info;
  });
}

async function initialise(name: BackendName, options: ActivationOptions): Promise<BackendInfo> {
  switch (name) {
    case 'webgpu':
      return initialiseWebGpu(options);
    case 'node-gpu':
    case 'node': {
      // A variable specifier keeps TypeScript and bundlers from requiring the optional package.
      const specifier = name === 'node' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
      await import(specifier);
      await setBackendOrThrow(name);
      return { name, threads: availableParallelism() };
    }
    case 'wasm':
      return initialiseWasm(options);
    case 'cpu':
      await setBackendOrThrow('cpu');
      return { name: 'cpu', threads: 1 };
  }
}

async function initialiseWasm(options: BackendOptions): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Point the loader at the binaries shipped in node_modules: in Node it would otherwise look beside the
  // bundled script or, with a CDN prefix, go to the network.
  const require = createRequire(import.meta.url);
  const distFolder = require
    .resolve('@tensorflow/tfjs-backend-wasm/package.json')
    .replace(/package\.json$/, 'dist/');
  wasm.setWasmPaths(distFolder);
  const threads = options.threads ?? availableParallelism();
  const threaded = threads > 1 && enableNodeWasmThreads();
  wasm.setThreadsCount(threads);
  registerWasmGradients();
  await withThreadPoolSize(threads, () => setBackendOrThrow('wasm'));
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { name: 'wasm', threads: threaded ? wasm.getThreadsCount() : 1, simd };
}

async function initialiseWebGpu(options: ActivationOptions): Promise<BackendInfo> {
  // Only here, and only by this dynamic import: the Lambda bundles mark the module external.
  const { startWebGpu } = await import('./webgpu-backend.js');
  const started = await startWebGpu({
    allowSoftware: options.allowSoftwareAdapter,
    onFault: (fault) => {
      gpuFault ??= fault;
    },
  });
  await setBackendOrThrow('webgpu');
  const { vendor, device } = started.adapter;
  return { name: 'webgpu', threads: 1, adapter: { vendor, device }, maxBufferBytes: started.maxBufferBytes };
}

/** The first fault the GPU device reported (lost, out of memory); the device is unusable after it. */
let gpuFault: GpuFault | undefined;

/**
 * Throws the typed error for a GPU fault reported since the backend started; `batchSize` names the
 * batch that was running. A no-op on every backend but WebGPU. The training loop calls it after each
 * step, because a lost device makes reads fail with empty messages (or not at all).
 */
export function throwIfGpuFaulted(batchSize: number): void {
  if (gpuFault === undefined) return;
  const fault = gpuFault;
  if (fault.kind === 'device-lost') throw new GpuDeviceLostError(fault.reason, fault.detail, fault.adapter);
  throw new GpuBatchTooLargeError({
    batchSize,
    maxBufferBytes: active?.maxBufferBytes ?? Number.NaN,
    detail: fault.detail,
  });
}

/**
 * Throws GpuBatchTooLargeError when one tensor of a batch (`bytesPerSample` times the batch size) would
 * exceed the active backend's buffer limit: a clear error before the device fails the step.
 */
export function checkBatchFitsBackend(batchSize: number, bytesPerSample: number): void {
  const maxBufferBytes = active?.maxBufferBytes;
  if (maxBufferBytes === undefined) return;
  const largestTensorBytes = batchSize * bytesPerSample;
  if (largestTensorBytes <= maxBufferBytes) return;
  throw new GpuBatchTooLargeError({
    batchSize,
    largestTensorBytes,
    maxBufferBytes,
    maxBatchSize: Math.floor(maxBufferBytes / bytesPerSample),
  });
}

function allowSoftwareAdapter(): boolean {
  return (
    parseEnvironmentVariable(
      WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE,
      z.enum(['0', '1']),
      'is neither 0 nor 1',
      'Set it to 1 to let an explicit webgpu backend run on a software adapter, or unset it.',
    ) === '1'
  );
}

function threadsFromEnvironment(): number | undefined {
  return parseEnvironmentVariable(
    WASM_THREADS_ENV_VARIABLE,
    z.coerce.number().int().positive(),
    'is not a thread count',
    'Use a whole number of threads, 1 or more, or unset it to use every core.',
  );
}

/** The variable's value as `schema` reads it, undefined when unset or empty; a bad value stops the run. */
function parseEnvironmentVariable<T>(
  variable: string,
  schema: z.ZodType<T>,
  problem: string,
  hint: string,
): T | undefined {
  const value = process.env[variable];
  if (value === undefined || value === '') return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new BackendEnvironmentError(`${variable}=${value} ${problem}`, hint, { data: { variable, value } });
  return parsed.data;
}

async function setBackendOrThrow(name: BackendName): Promise<void> {
  // setBackend resolves false (with a console warning) instead of throwing when initialisation fails.
  const ok = await tf.setBackend(TF_BACKEND_NAME[name]);
  if (!ok) throw new BackendUnavailableError(name, new Error('initialisation failed'));
}

export function formatBackend(info: BackendInfo): string {
  if (info.adapter !== undefined)
    return `${info.name} (adapter ${info.adapter.vendor} ${info.adapter.device})`;
  const details = [`${info.threads} thread${info.threads === 1 ? '' : 's'}`];
  if (info.simd !== undefined) details.unshift(info.simd ? 'SIMD' : 'no SIMD');
  return `${info.name} (${details.join(', ')})`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

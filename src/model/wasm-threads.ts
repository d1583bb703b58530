/**
 * Lets the threaded SIMD build of the wasm backend run under Node's worker_threads.
 *
 * tfjs 4.22 turns threads off in Node (tensorflow/tfjs#3830) because its Emscripten glue starts each
 * pthread worker from a `blob:` URL and hands it the main script as a Blob: Node's Worker accepts only
 * file paths, `file:`/`data:` URLs or source text, and the worker's `importScripts` reads with
 * `fs.readFileSync`. Everything else (SharedArrayBuffer, shared wasm memory, Atomics) works in Node 20.
 * So we narrow the gap in exactly those two places: a pthread worker is started from the worker source
 * the package ships, and the main script it is told to load becomes the package's factory file. Every
 * other Worker construction passes through untouched.
 */
import { createRequire } from 'node:module';
import type { WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

/** The CommonJS exports object the wasm bundle reads `Worker` from when its runtime starts. */
const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');

/** The CommonJS `os` module, whose `cpus()` the wasm runtime asks for the core count. */
const os = require('node:os') as typeof import('node:os');

let enabled: boolean | undefined;

/**
 * Makes the next wasm backend initialisation pick the threaded SIMD binary. Returns false (and changes
 * nothing) when this Node cannot share wasm memory between threads; then the single-threaded SIMD build
 * is used.
 */
export function enableNodeWasmThreads(): boolean {
  enabled ??= install();
  return enabled;
}

function install(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || !sharedWasmMemoryWorks()) return false;
  const workerSource = (
    require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents: string;
    }
  ).wasmWorkerContents.replace(/\n/g, '\\n'); // the shipped template literal unescaped a "\n" inside a string
  const factoryPath =
    require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const NodeWorker = workerThreads.Worker;

  class PthreadWorker extends NodeWorker {
    private readonly pthread: boolean;

    constructor(filename: string | URL, options?: WorkerOptions) {
      const isEmscriptenBlob = typeof filename === 'string' && filename.startsWith('blob:');
      super(
        isEmscriptenBlob ? workerSource : filename,
        isEmscriptenBlob ? { ...options, eval: true } : options,
      );
      this.pthread = isEmscriptenBlob;
      // Pthread workers idle in the pool for the life of the backend; they must not keep Node running.
      if (isEmscriptenBlob) this.unref();
    }

    /** Emscripten re-refs a pthread worker each time it hands it work; for a pool worker that would pin Node. */
    override ref(): void {
      if (!this.pthread) super.ref();
    }

    override postMessage(
      message: unknown,
      transferList?: Parameters<InstanceType<typeof NodeWorker>['postMessage']>[1],
    ): void {
      if (isLoadWithBlob(message)) message = { ...message, urlOrBlob: factoryPath };
      super.postMessage(message, transferList);
    }
  }

  workerThreads.Worker = PthreadWorker;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  return true;
}

function isLoadWithBlob(message: unknown): message is { cmd: 'load'; urlOrBlob: Blob } {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { cmd?: unknown }).cmd === 'load' &&
    (message as { urlOrBlob?: unknown }).urlOrBlob instanceof Blob
  );
}

function sharedWasmMemoryWorks(): boolean {
  try {
    return (
      new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer
    );
  } catch {
    return false;
  }
}

/**
 * Runs the wasm backend's initialisation so that its thread pool gets `threads` threads.
 *
 * The backend sizes XNNPACK's pool as min(requested, logical cores / 2), assuming two hyperthreads per
 * core (tfjs-backend-wasm/src/cc/backend.cc). On a 2-vCPU machine that caps the pool at one thread, so
 * for the duration of the initialisation the runtime is told there are twice as many logical cores as
 * threads requested.
 */
export async function withThreadPoolSize<T>(threads: number, initialise: () => Promise<T>): Promise<T> {
  const cpus = os.cpus;
  const reported = cpus();
  os.cpus = () => Array.from({ length: 2 * threads }, (_, index) => reported[index % reported.length]!);
  try {
    return await initialise();
  } finally {
    os.cpus = cpus;
  }
}

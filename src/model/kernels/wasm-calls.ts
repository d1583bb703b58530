/**
 * Composes wasm kernels inside another kernel, the way the backend's own composite kernels do: each
 * call returns a TensorInfo on the same backend, and temporaries are released when the scope ends.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type WasmBackend = BackendWasm;

export class KernelScope {
  private readonly temporaries: TensorInfo[] = [];

  constructor(readonly backend: WasmBackend) {}

  /** Runs a wasm kernel; its output is released with the scope unless it is the kernel's result. */
  run(kernelName: string, inputs: NamedTensorInfoMap | TensorInfo[], attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (kernel === undefined) throw new Error(`wasm kernel ${kernelName} is missing`);
    const output = kernel.kernelFunc({
      inputs: inputs as NamedTensorInfoMap,
      backend: this.backend,
      attrs,
    }) as TensorInfo;
    this.temporaries.push(output);
    return output;
  }

  /** Releases `info`, made by the caller on this backend, with the scope's other temporaries. */
  track(info: TensorInfo): TensorInfo {
    this.temporaries.push(info);
    return info;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Releases every temporary except `result`, which the caller hands to the engine. */
  finish(result: TensorInfo): TensorInfo {
    for (const info of this.temporaries) if (info !== result) this.backend.disposeData(info.dataId);
    return result;
  }

  /** Releases every temporary after a failure. */
  abandon(): void {
    for (const info of this.temporaries) this.backend.disposeData(info.dataId);
  }
}

/** Runs `body` in a fresh scope: temporaries are released whether it returns or throws. */
export function withKernelScope(backend: unknown, body: (scope: KernelScope) => TensorInfo): TensorInfo {
  const scope = new KernelScope(backend as WasmBackend);
  try {
    return scope.finish(body(scope));
  } catch (error) {
    scope.abandon();
    throw error;
  }
}

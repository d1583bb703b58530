/**
 * Identity, and a Cast to the dtype a tensor already has, for the wasm backend as new references to the
 * same data, as the cpu backend does them. The shipped kernels copy the whole tensor, and training calls
 * them on every activation: tfjs-core clones each tensor a fused conv saves for its gradient and every
 * input of a layers Add, and the clone's gradient is such a Cast.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-calls.js';

function sameData(x: TensorInfo, backend: WasmBackend): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityWithoutCopy: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  return sameData(x, backend as WasmBackend);
};

export function castWithoutCopyToSameType(shipped: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { dtype } = args.attrs as { dtype: string };
    return dtype === x.dtype ? sameData(x, args.backend as WasmBackend) : shipped.kernelFunc(args);
  };
  return { ...shipped, kernelFunc };
}

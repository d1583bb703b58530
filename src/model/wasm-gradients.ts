/**
 * Gradient kernels the wasm backend of tfjs 4.22 lacks, registered before it is used.
 *
 * Conv2DBackpropFilter (the filter gradient of every conv, conv1d included) is built from the backend's
 * own fast kernels rather than element loops in JavaScript: with N = batch x output positions,
 *   dW[tap] = dyᵀ (C x N) · x_tap (N x Cin)
 * where x_tap is the strided window of the padded input that meets filter tap (i, j). dy is transposed
 * once and reused by every tap, and each product runs through XNNPACK's matmul; a transposed-operand
 * matmul would be ~15x slower there because XNNPACK only packs the right-hand side.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

type Backend = Parameters<KernelFunc>[0]['backend'] & { disposeData(dataId: object): boolean };

/** Calls another wasm kernel directly, as the backend's own composite kernels do. */
function runKernel(backend: Backend, kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel ${kernelName} is missing`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as Backend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);
  const conv = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = conv;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = conv;
  const rows = batchSize * outHeight * outWidth;
  const temporaries: TensorInfo[] = [];
  const keep = (info: TensorInfo): TensorInfo => {
    temporaries.push(info);
    return info;
  };
  try {
    // Pad only as far as the last tap reads, so every tap is a plain strided slice.
    const spanHeight = (outHeight - 1) * strideHeight + filterHeight;
    const spanWidth = (outWidth - 1) * strideWidth + filterWidth;
    const padBottom = Math.max(0, spanHeight - padInfo.top - inHeight);
    const padRight = Math.max(0, spanWidth - padInfo.left - inWidth);
    const padded =
      padInfo.top + padBottom + padInfo.left + padRight === 0
        ? x
        : keep(
            runKernel(backend, 'PadV2', { x }, {
              paddings: [[0, 0], [padInfo.top, padBottom], [padInfo.left, padRight], [0, 0]],
              constantValue: 0,
            }),
          );
    const dyRows = keep(runKernel(backend, 'Reshape', { x: dy }, { shape: [rows, outChannels] }));
    const dyTransposed = keep(runKernel(backend, 'Transpose', { x: dyRows }, { perm: [1, 0] }));
    const tapGradients: TensorInfo[] = [];
    for (let i = 0; i < filterHeight; i++) {
      for (let j = 0; j < filterWidth; j++) {
        const window = isWholeInput(padded, outHeight, outWidth, strideHeight, strideWidth)
          ? padded
          : keep(
              runKernel(backend, 'StridedSlice', { x: padded }, {
                begin: [0, i, j, 0],
                end: [batchSize, i + (outHeight - 1) * strideHeight + 1, j + (outWidth - 1) * strideWidth + 1, inChannels],
                strides: [1, strideHeight, strideWidth, 1],
                beginMask: 0,
                endMask: 0,
                ellipsisMask: 0,
                newAxisMask: 0,
                shrinkAxisMask: 0,
              }),
            );
        const windowRows = keep(runKernel(backend, 'Reshape', { x: window }, { shape: [rows, inChannels] }));
        tapGradients.push(
          keep(runKernel(backend, 'BatchMatMul', { a: dyTransposed, b: windowRows }, { transposeA: false, transposeB: false })),
        );
      }
    }
    // [C, taps x Cin] → [taps x Cin, C] is the filter layout [fh, fw, Cin, C].
    const byOutput =
      tapGradients.length === 1
        ? tapGradients[0]!
        : keep(runKernel(backend, 'Concat', tapGradients as unknown as NamedTensorInfoMap, { axis: 1 }));
    const filterRows = keep(runKernel(backend, 'Transpose', { x: byOutput }, { perm: [1, 0] }));
    return runKernel(backend, 'Reshape', { x: filterRows }, { shape: filterShape });
  } finally {
    for (const info of temporaries) backend.disposeData(info.dataId);
  }
};

/** True when the only tap window is the input itself (a 1x1 filter, stride 1, no padding). */
function isWholeInput(input: TensorInfo, outHeight: number, outWidth: number, strideHeight: number, strideWidth: number): boolean {
  return strideHeight === 1 && strideWidth === 1 && input.shape[1] === outHeight && input.shape[2] === outWidth;
}

let registered = false;

/** Registers the missing gradient kernels for the wasm backend; safe to call more than once. */
export function registerWasmGradients(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter });
  }
}

/**
 * MaxPoolGrad for the wasm backend, replacing the shipped kernel, which is wrong whenever there is more
 * than one channel (tfjs 4.22: a [2, 1, 12, 4] pool of size 2 gets gradients off by ~3 against the cpu
 * backend; the ResNet1D's max-pooled identities have 64+ channels, so every downsampling block got a
 * wrong gradient).
 *
 * A direct loop over the heap arrays: each output position routes its gradient to the first largest
 * input of its window, the cpu backend's tie rule. One pass over the input, no tensor temporaries.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { ConvPad, Shape4 } from './conv-geometry.js';
import type { WasmBackend } from './wasm-calls.js';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: ConvPad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const wasm = backend as WasmBackend;
  const pool = tf.backend_util.computePool2DInfo(
    input.shape as Shape4,
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = pool;
  const { strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth, padInfo } = pool;
  const x = wasm.typedArrayFromHeap(input);
  const dyValues = wasm.typedArrayFromHeap(dy);
  const dx = wasm.makeOutput(input.shape, 'float32');
  const dxValues = wasm.typedArrayFromHeap(dx);
  dxValues.fill(0);

  // Channels innermost: every read walks the contiguous channel run of one input position.
  const maxValues = new Float32Array(channels);
  const maxOffsets = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let outRow = 0; outRow < outHeight; outRow++) {
      const rowStart = outRow * strideHeight - padInfo.top;
      const rowFrom = Math.max(0, rowStart);
      const rowTo = Math.min(inHeight, rowStart + effectiveFilterHeight);
      for (let outCol = 0; outCol < outWidth; outCol++) {
        const colStart = outCol * strideWidth - padInfo.left;
        const colFrom = Math.max(0, colStart);
        const colTo = Math.min(inWidth, colStart + effectiveFilterWidth);
        maxValues.fill(Number.NEGATIVE_INFINITY);
        maxOffsets.fill(-1);
        for (let row = rowFrom; row < rowTo; row++) {
          for (let col = colFrom; col < colTo; col++) {
            const offset = ((b * inHeight + row) * inWidth + col) * channels;
            for (let c = 0; c < channels; c++) {
              // Strictly greater: the first largest input of the window wins, as on the cpu backend.
              if (x[offset + c]! > maxValues[c]!) {
                maxValues[c] = x[offset + c]!;
                maxOffsets[c] = offset + c;
              }
            }
          }
        }
        const dyOffset = ((b * outHeight + outRow) * outWidth + outCol) * channels;
        for (let c = 0; c < channels; c++) {
          const at = maxOffsets[c]!;
          if (at >= 0) dxValues[at] = dxValues[at]! + dyValues[dyOffset + c]!;
        }
      }
    }
  }
  return dx;
};

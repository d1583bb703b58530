/**
 * Conv2DBackpropFilter for the wasm backend, which tfjs 4.22 does not ship, as ONE forward XNNPACK conv.
 *
 * The filter gradient of a conv is itself a conv, with the roles of the axes swapped:
 *   dW[i, j, c, o] = Σ_{b, t, u} x[b, t·sh + i - top, u·sw + j - left, c] · dy[b, t, u, o]
 * is a conv whose "batch" is the input channel c, whose "channels" are the batch b, and whose filter
 * is dy itself, laid out [outHeight, outWidth, batch, Cout] and dilated by the forward stride. Its output
 * positions are the taps (i, j). So the kernel is two layout transposes (the one of x, every axis but
 * height and width reversed, as a blocked loop of our own), XNNPACK's conv (the backend's fastest path,
 * threaded, no per-tap copies) and a transpose of the small result. Per-tap slicing with
 * a matmul per tap, its predecessor, spent most of its time copying the strided windows in JavaScript.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { forwardConvInfo, type ConvGradientAttrs, type Shape4 } from './conv-geometry.js';
import { withKernelScope, type WasmBackend } from './wasm-calls.js';

export const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape, ...convAttrs } = attrs as unknown as ConvGradientAttrs & { filterShape: Shape4 };
  const conv = forwardConvInfo('Conv2DBackpropFilter', x.shape as Shape4, filterShape, convAttrs);
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = conv;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = conv;

  return withKernelScope(backend, (scope) => {
    const channelsAsBatch = scope.track(reverseOuterAndInnerAxes(scope.backend, x)); // [Cin, H, W, B]
    const dyAsFilter = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [outH, outW, B, Cout]
    // Zeros past the input's end only as far as the last tap reads: the forward conv read zeros there
    // too (its own bottom/right padding), and any tap beyond filterHeight/filterWidth is cropped below.
    const padBottom = Math.max(0, filterHeight - inHeight - padInfo.top + (outHeight - 1) * strideHeight);
    const padRight = Math.max(0, filterWidth - inWidth - padInfo.left + (outWidth - 1) * strideWidth);
    const byTap = scope.run('Conv2D', { x: channelsAsBatch, filter: dyAsFilter }, {
      strides: [1, 1],
      dilations: [strideHeight, strideWidth],
      pad: [
        [0, 0],
        [padInfo.top, padBottom],
        [padInfo.left, padRight],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    } as never); // [Cin, ≥fh, ≥fw, Cout]
    const taps =
      byTap.shape[1] === filterHeight && byTap.shape[2] === filterWidth
        ? byTap
        : scope.run(
            'Slice',
            { x: byTap },
            { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] },
          );
    return scope.run('Transpose', { x: taps }, { perm: [1, 2, 0, 3] }); // [fh, fw, Cin, Cout]
  });
};

/** Positions of the batch read per channel in one sweep: 8 floats, so the writes fill cache lines. */
const BATCH_BLOCK = 8;

/**
 * [B, H, W, C] → [C, H, W, B] in one blocked pass over the heap, twice as fast as the shipped Transpose
 * for this permutation (a strided read and a strided write per element).
 */
function reverseOuterAndInnerAxes(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const [batch, height, width, channels] = x.shape as Shape4;
  const positions = height * width;
  const out = backend.makeOutput([channels, height, width, batch], 'float32');
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const sourceBatchStride = positions * channels;
  const targetChannelStride = positions * batch;
  for (let position = 0; position < positions; position++) {
    for (let firstB = 0; firstB < batch; firstB += BATCH_BLOCK) {
      const lastB = Math.min(firstB + BATCH_BLOCK, batch);
      for (let c = 0; c < channels; c++) {
        let read = (firstB * positions + position) * channels + c;
        let write = c * targetChannelStride + position * batch + firstB;
        for (let b = firstB; b < lastB; b++, read += sourceBatchStride, write++)
          target[write] = source[read]!;
      }
    }
  }
  return out;
}

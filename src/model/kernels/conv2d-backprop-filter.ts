/**
 * Conv2DBackpropFilter for the wasm backend, which tfjs 4.22 does not ship.
 *
 * With N = batch x output positions, each filter tap (i, j) gets
 *   dW[i, j] = dyᵀ (Cout x N) · x_ij (N x Cin)
 * where x_ij is the strided window of the padded input that tap meets. dy is transposed once and shared
 * by every tap; each product is an XNNPACK matmul. (A transposed-left-operand matmul would save the
 * transpose but runs ~15x slower there: XNNPACK only packs the right-hand operand.)
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { forwardConvInfo, type ConvGradientAttrs } from './conv-geometry.js';
import { withKernelScope } from './wasm-calls.js';

type Shape4 = [number, number, number, number];

export const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape, ...convAttrs } = attrs as unknown as ConvGradientAttrs & { filterShape: Shape4 };
  const conv = forwardConvInfo('Conv2DBackpropFilter', x.shape as Shape4, filterShape, convAttrs);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = conv;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = conv;
  const rows = batchSize * outHeight * outWidth;

  return withKernelScope(backend, (scope) => {
    // Pad only as far as the last tap reads (tfjs's 'same' may pad a row it never reads), so each tap's
    // window is a plain strided slice.
    const padBottom = Math.max(0, (outHeight - 1) * strideHeight + filterHeight - padInfo.top - inHeight);
    const padRight = Math.max(0, (outWidth - 1) * strideWidth + filterWidth - padInfo.left - inWidth);
    const padded =
      padInfo.top + padBottom + padInfo.left + padRight === 0
        ? x
        : scope.run('PadV2', { x }, { paddings: [[0, 0], [padInfo.top, padBottom], [padInfo.left, padRight], [0, 0]], constantValue: 0 });
    const dyTransposed = scope.run('Transpose', { x: scope.reshape(dy, [rows, outChannels]) }, { perm: [1, 0] });
    const tapGradients: TensorInfo[] = [];
    for (let i = 0; i < filterHeight; i++) {
      for (let j = 0; j < filterWidth; j++) {
        const window =
          padded.shape[1] === outHeight && padded.shape[2] === outWidth
            ? padded // a 1x1 filter with stride 1 meets the whole input
            : scope.run('StridedSlice', { x: padded }, {
                begin: [0, i, j, 0],
                end: [batchSize, i + (outHeight - 1) * strideHeight + 1, j + (outWidth - 1) * strideWidth + 1, inChannels],
                strides: [1, strideHeight, strideWidth, 1],
                beginMask: 0,
                endMask: 0,
                ellipsisMask: 0,
                newAxisMask: 0,
                shrinkAxisMask: 0,
              });
        const windowRows = scope.reshape(window, [rows, inChannels]);
        tapGradients.push(scope.run('BatchMatMul', { a: dyTransposed, b: windowRows }, { transposeA: false, transposeB: false }));
      }
    }
    // [Cout, taps x Cin] → [taps x Cin, Cout], which is the filter layout [fh, fw, Cin, Cout] flattened.
    const byOutput = tapGradients.length === 1 ? tapGradients[0]! : scope.run('Concat', tapGradients, { axis: 1 });
    return scope.reshape(scope.run('Transpose', { x: byOutput }, { perm: [1, 0] }), filterShape);
  });
};

/**
 * Conv2DBackpropInput for the wasm backend as ONE forward XNNPACK conv, replacing the shipped kernel
 * (a scalar loop, ~40x slower than the forward conv on the ResNet1D's shapes).
 *
 * The input gradient of a conv is a conv of dy with the filter flipped in space and its channels
 * swapped: dx[t] = Σ_j dy'[t + j] · W[k-1-j]ᵀ, where dy' is dy with stride-1 zeros inserted between
 * its positions (a stride-s conv skipped those inputs) and padded by k-1-pad on the left. The zero
 * insertion costs a copy and, for stride 2, twice the multiplications of the minimal scheme; only the
 * downsampling convs pay it.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { forwardConvInfo, type ConvGradientAttrs, type Shape4 } from './conv-geometry.js';
import { withKernelScope, type KernelScope } from './wasm-calls.js';

export const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { inputShape, ...convAttrs } = attrs as unknown as ConvGradientAttrs & { inputShape: Shape4 };
  const conv = forwardConvInfo('Conv2DBackpropInput', inputShape, filter.shape as Shape4, convAttrs);
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = conv;

  return withKernelScope(backend, (scope) => {
    const spread = insertZeros(scope, insertZeros(scope, dy, 1, strideHeight), 2, strideWidth);
    const height = edges(filterHeight, padInfo.top, conv.inHeight, spread.shape[1]!);
    const width = edges(filterWidth, padInfo.left, conv.inWidth, spread.shape[2]!);
    const cropped =
      height.cropStart + height.cropEnd + width.cropStart + width.cropEnd === 0
        ? spread
        : scope.run(
            'Slice',
            { x: spread },
            {
              begin: [0, height.cropStart, width.cropStart, 0],
              size: [
                -1,
                spread.shape[1]! - height.cropStart - height.cropEnd,
                spread.shape[2]! - width.cropStart - width.cropEnd,
                -1,
              ],
            },
          );
    const flipped = scope.run(
      'Transpose',
      { x: scope.run('Reverse', { x: filter }, { dims: [0, 1] }) },
      { perm: [0, 1, 3, 2] },
    );
    return scope.run('Conv2D', { x: cropped, filter: flipped }, {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [height.padStart, height.padEnd],
        [width.padStart, width.padEnd],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    } as never);
  });
};

/**
 * Puts stride-1 zeros after every position along `axis` (1 or 2) with bulk kernels: [.., n, ..] →
 * [.., n, stride, ..] padded with zeros → [.., n x stride, ..]. The trailing zeros are cropped or kept
 * as padding by `edges`.
 */
function insertZeros(scope: KernelScope, x: TensorInfo, axis: 1 | 2, stride: number): TensorInfo {
  if (stride === 1) return x;
  const [batch, height, width, channels] = x.shape as Shape4;
  const withSlot = axis === 1 ? [batch, height, 1, width, channels] : [batch, height, width, 1, channels];
  const paddings = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  paddings[axis + 1] = [0, stride - 1];
  const slotted = scope.run('PadV2', { x: scope.reshape(x, withSlot) }, { paddings, constantValue: 0 });
  return scope.reshape(
    slotted,
    axis === 1 ? [batch, height * stride, width, channels] : [batch, height, width * stride, channels],
  );
}

/**
 * Along one axis: the flipped conv reads dy' from k-1-pad before its start to inSize-1 past that, so
 * whatever dy' lacks is zero padding (handed to the conv) and whatever it has beyond is cropped.
 */
function edges(filterSize: number, padBefore: number, inSize: number, spreadSize: number) {
  const before = filterSize - 1 - padBefore;
  const after = inSize + filterSize - 1 - before - spreadSize;
  return {
    padStart: Math.max(0, before),
    cropStart: Math.max(0, -before),
    padEnd: Math.max(0, after),
    cropEnd: Math.max(0, -after),
  };
}

/**
 * Which Sum is over the leading axes: the shape of every bias gradient (dy [batch, time, channels]
 * summed to [channels]), which tfjs's shipped kernels reduce by first transposing the whole tensor.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';

export interface SumAttrs {
  axis: number | number[];
  keepDims: boolean;
}

export interface LeadingAxesSum {
  /** Elements summed into each output: the product of the leading axes. */
  rows: number;
  /** Output elements: the product of the kept (trailing) axes. */
  columns: number;
  outShape: number[];
}

/** The float32 sum's rows and columns when it reduces leading axes only, otherwise undefined. */
export function leadingAxesSum(x: TensorInfo, attrs: SumAttrs): LeadingAxesSum | undefined {
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
  const leading =
    axes.length > 0 && axes.length < x.shape.length && axes.every((value, index) => value === index);
  if (x.dtype !== 'float32' || !leading) return undefined;
  const keptShape = x.shape.slice(axes.length);
  const columns = keptShape.reduce((a, b) => a * b, 1);
  return {
    rows: tf.util.sizeFromShape(x.shape) / columns,
    columns,
    outShape: attrs.keepDims ? [...axes.map(() => 1), ...keptShape] : keptShape,
  };
}

/**
 * MaxPool and MaxPoolGrad on WebGPU for pools along one axis, as the ResNet1D's max-pooled identities
 * are (tf.layers.maxPooling1d pools a [batch, time, 1, channels] view over its height). The tensor is
 * read as [outer, length, inner] with the pool over `length`:
 *
 *   forward   y[o, p, i]  = max over the window's in-range positions t of x[o, t, i]
 *   gradient  dx[o, t, i] = Σ dy[o, p, i] over the windows p that hold t and whose first largest
 *                           input is t (the cpu backend's tie rule)
 *
 * The gradient is one pass: each input element rescans the one or two windows that can hold it, where
 * tfjs's shipped kernel first writes every window's argmax to a tensor and then reads it back. Any other
 * pool (2-D windows, dilation) goes to the shipped kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { ConvPad } from '../conv-geometry.js';
import { elementwise } from './elementwise.js';
import { intUniforms, type GpuBackend } from './gpu-program.js';

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: ConvPad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

interface Pool1DGeometry {
  /** The pooled axis of the NHWC tensor: 1 (height) or 2 (width). */
  axis: 1 | 2;
  /** Elements before the pooled axis (batch, and rows when pooling along the width). */
  outer: number;
  inLength: number;
  outLength: number;
  /** Elements after the pooled axis (channels, and the width when pooling along the height). */
  inner: number;
  window: number;
  stride: number;
  padBefore: number;
}

function pool1DGeometry(xShape: number[], attrs: PoolAttrs): Pool1DGeometry | undefined {
  const [batch, height, width, channels] = xShape as [number, number, number, number];
  const info = tf.backend_util.computePool2DInfo(
    [batch, height, width, channels],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const untouchedWidth =
    info.filterWidth === 1 && info.strideWidth === 1 && info.padInfo.left === 0 && info.padInfo.right === 0;
  const untouchedHeight =
    info.filterHeight === 1 && info.strideHeight === 1 && info.padInfo.top === 0 && info.padInfo.bottom === 0;
  if (untouchedWidth && info.outWidth === width)
    return {
      axis: 1,
      outer: batch,
      inLength: height,
      outLength: info.outHeight,
      inner: width * channels,
      window: info.filterHeight,
      stride: info.strideHeight,
      padBefore: info.padInfo.top,
    };
  if (untouchedHeight && info.outHeight === height)
    return {
      axis: 2,
      outer: batch * height,
      inLength: width,
      outLength: info.outWidth,
      inner: channels,
      window: info.filterWidth,
      stride: info.strideWidth,
      padBefore: info.padInfo.left,
    };
  return undefined;
}

const GEOMETRY_UNIFORMS =
  'inLength: i32, outLength: i32, inner: i32, window: i32, stride: i32, padBefore: i32,';

function geometryValues(geometry: Pool1DGeometry): number[] {
  const { inLength, outLength, inner, window, stride, padBefore } = geometry;
  return [inLength, outLength, inner, window, stride, padBefore];
}

/** The first largest in-range input of window `p` of the row starting at `rowStart`, as its position. */
const WINDOW_ARGMAX = `
  fn windowArgmax(rowStart: i32, p: i32) -> i32 {
    let first = p * uniforms.stride - uniforms.padBefore;
    var best = -1;
    var largest = 0.0;
    for (var j = 0; j < uniforms.window; j++) {
      let t = first + j;
      if (t >= 0 && t < uniforms.inLength) {
        let v = xs[rowStart + t * uniforms.inner];
        if (best < 0 || v > largest) { best = t; largest = v; }
      }
    }
    return best;
  }`;

export function maxPoolKernel(shipped: KernelConfig): KernelConfig {
  return {
    ...shipped,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const geometry = pool1DGeometry(x.shape, args.attrs as unknown as PoolAttrs);
      if (geometry === undefined) return shipped.kernelFunc(args);
      const outShape = [...x.shape];
      outShape[geometry.axis] = geometry.outLength;
      const program = elementwise(
        'max_pool1d',
        ['xs'],
        outShape,
        `let i = index % uniforms.inner;
        let p = (index / uniforms.inner) % uniforms.outLength;
        let o = index / (uniforms.inner * uniforms.outLength);
        let rowStart = o * uniforms.inLength * uniforms.inner + i;
        result[index] = xs[rowStart + windowArgmax(rowStart, p) * uniforms.inner];`,
        GEOMETRY_UNIFORMS,
        WINDOW_ARGMAX,
      );
      return (args.backend as unknown as GpuBackend).runWebGPUProgram(
        program,
        [x],
        'float32',
        intUniforms(geometryValues(geometry)),
      );
    },
  };
}

export function maxPoolGradKernel(shipped: KernelConfig): KernelConfig {
  return {
    ...shipped,
    kernelFunc: (args) => {
      const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
      const geometry = pool1DGeometry(input.shape, args.attrs as unknown as PoolAttrs);
      if (geometry === undefined) return shipped.kernelFunc(args);
      const program = elementwise(
        'max_pool1d_gradient',
        ['xs', 'dys'],
        input.shape,
        `let i = index % uniforms.inner;
        let t = (index / uniforms.inner) % uniforms.inLength;
        let o = index / (uniforms.inner * uniforms.inLength);
        let rowStart = o * uniforms.inLength * uniforms.inner + i;
        // windows p with p·stride - padBefore <= t < p·stride - padBefore + window
        let shifted = t + uniforms.padBefore;
        let lastWindow = min(shifted / uniforms.stride, uniforms.outLength - 1);
        var gradient = 0.0;
        for (var p = max(0, (shifted - uniforms.window + uniforms.stride) / uniforms.stride); p <= lastWindow; p++) {
          if (windowArgmax(rowStart, p) == t) {
            gradient += dys[(o * uniforms.outLength + p) * uniforms.inner + i];
          }
        }
        result[index] = gradient;`,
        GEOMETRY_UNIFORMS,
        WINDOW_ARGMAX,
      );
      return (args.backend as unknown as GpuBackend).runWebGPUProgram(
        program,
        [input, dy],
        'float32',
        intUniforms(geometryValues(geometry)),
      );
    },
  };
}

/**
 * Conv1D on WebGPU, forward and both gradients, each as one implicit matrix product (implicit-gemm.ts).
 * tfjs runs a Conv1D as a Conv2D of height 1, and its WebGPU Conv2D and gradients copy im2col rows or
 * transpose the gradient before a generic matmul; here the product reads the tensors in place:
 *
 *   forward   y[s, p, o]  = Σ_{tap, c} x[s, p·stride + tap - left, c] · W[tap, c, o]    M = S·outW, R = k·Cin
 *   input     dx[s, t, c] = Σ_{tap, o} dy[s, (t + left - tap) / stride, o] · W[tap, c, o]
 *                           (terms whose position is not a whole in-range step are zero)  M = S·inW, R = k·Cout
 *   filter    dW[tap, c, o] = Σ_{s, p} x[s, p·stride + tap - left, c] · dy[s, p, o]   M = k·Cin, R = S·outW
 *
 * where a sequence s is one (batch, row) pair. The kernels take exactly the convs that are 1-D along the
 * width (filter height 1, row stride 1, no padding over rows, no dilation, channels last): every conv of
 * the ResNet1D. Anything else goes to tfjs's shipped kernel, unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { ConvGradientAttrs, Shape4 } from '../conv-geometry.js';
import type { GpuBackend } from './gpu-program.js';
import { gemmFits, runImplicitGemm } from './implicit-gemm.js';
import { CONV1D_BIAS_SILU_KERNEL } from '../../conv1d-bias.js';
import { siluKernel } from './silu.js';

interface Conv1DGeometry {
  /** batch · rows: the independent 1-D signals. */
  sequences: number;
  inWidth: number;
  outWidth: number;
  inChannels: number;
  outChannels: number;
  taps: number;
  stride: number;
  padLeft: number;
}

interface ForwardAttrs extends ConvGradientAttrs {
  dilations: [number, number] | number;
  activation?: string;
}

/** The conv as a 1-D conv per row, or undefined when it is not one or is too large to dispatch. */
function conv1DGeometry(
  inputShape: Shape4,
  filterShape: Shape4,
  attrs: ConvGradientAttrs & { dilations?: [number, number] | number },
): Conv1DGeometry | undefined {
  if (attrs.dataFormat !== 'NHWC') return undefined;
  const conv = tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const oneDimensional =
    conv.filterHeight === 1 &&
    conv.strideHeight === 1 &&
    conv.dilationHeight === 1 &&
    conv.dilationWidth === 1 &&
    conv.padInfo.top === 0 &&
    conv.padInfo.bottom === 0 &&
    conv.outHeight === conv.inHeight;
  if (!oneDimensional) return undefined;
  const geometry: Conv1DGeometry = {
    sequences: conv.batchSize * conv.inHeight,
    inWidth: conv.inWidth,
    outWidth: conv.outWidth,
    inChannels: conv.inChannels,
    outChannels: conv.outChannels,
    taps: conv.filterWidth,
    stride: conv.strideWidth,
    padLeft: conv.padInfo.left,
  };
  return fitsGemm(geometry) ? geometry : undefined;
}

function geometryUniforms(geometry: Conv1DGeometry): Record<string, number> {
  const { inWidth, outWidth, inChannels, outChannels, stride, padLeft } = geometry;
  return { inWidth, outWidth, inChannels, outChannels, stride, padLeft };
}

/** x read as im2col: row (sequence, output position), term (tap, input channel); 0 in the padding. */
const READ_X_WINDOW = `
  fn readWindow(sequence: i32, position: i32, tap: i32, channel: i32) -> f32 {
    let t = position * uniforms.stride + tap - uniforms.padLeft;
    if (t < 0 || t >= uniforms.inWidth) { return 0.0; }
    return xs[(sequence * uniforms.inWidth + t) * uniforms.inChannels + channel];
  }`;

const FORWARD_READERS = `${READ_X_WINDOW}
  fn readA(m: i32, r: i32) -> f32 {
    return readWindow(m / uniforms.outWidth, m % uniforms.outWidth, r / uniforms.inChannels, r % uniforms.inChannels);
  }
  fn readB(r: i32, n: i32) -> f32 {
    return ws[r * uniforms.outChannels + n];
  }`;

const INPUT_GRADIENT_READERS = `
  fn readA(m: i32, r: i32) -> f32 {
    let sequence = m / uniforms.inWidth;
    let t = m % uniforms.inWidth;
    let tap = r / uniforms.outChannels;
    let shifted = t + uniforms.padLeft - tap;
    if (shifted < 0 || shifted % uniforms.stride != 0) { return 0.0; }
    let position = shifted / uniforms.stride;
    if (position >= uniforms.outWidth) { return 0.0; }
    return dys[(sequence * uniforms.outWidth + position) * uniforms.outChannels + r % uniforms.outChannels];
  }
  fn readB(r: i32, n: i32) -> f32 {
    let tap = r / uniforms.outChannels;
    return ws[(tap * uniforms.inChannels + n) * uniforms.outChannels + r % uniforms.outChannels];
  }`;

const FILTER_GRADIENT_READERS = `${READ_X_WINDOW}
  fn readA(m: i32, r: i32) -> f32 {
    return readWindow(r / uniforms.outWidth, r % uniforms.outWidth, m / uniforms.inChannels, m % uniforms.inChannels);
  }
  fn readB(r: i32, n: i32) -> f32 {
    return dys[r * uniforms.outChannels + n];
  }`;

function conv1DForward(
  backend: GpuBackend,
  x: TensorInfo,
  filter: TensorInfo,
  geometry: Conv1DGeometry,
  bias?: TensorInfo,
  silu = false,
): TensorInfo {
  const [batch, height] = x.shape as Shape4;
  return runImplicitGemm(backend, {
    name: 'conv1d_forward',
    inputs: { xs: x, ws: filter },
    readers: FORWARD_READERS,
    uniforms: geometryUniforms(geometry),
    aAlongReduction: true,
    ...(bias === undefined ? {} : { bias }),
    silu,
    rows: geometry.sequences * geometry.outWidth,
    columns: geometry.outChannels,
    reduction: geometry.taps * geometry.inChannels,
    outputShape: [batch, height, geometry.outWidth, geometry.outChannels],
  });
}

function fitsGemm(geometry: Conv1DGeometry): boolean {
  const { sequences, inWidth, outWidth, inChannels, outChannels, taps } = geometry;
  return (
    gemmFits(sequences * Math.max(inWidth, outWidth), Math.max(inChannels, outChannels)) &&
    gemmFits(taps * inChannels, outChannels)
  );
}

/** Our kernel when `choose` returns one for these arguments, tfjs's shipped one otherwise. */
function withFallback(
  shipped: KernelConfig,
  choose: (...args: Parameters<KernelFunc>) => TensorInfo | undefined,
): KernelConfig {
  return {
    ...shipped,
    kernelFunc: (args) => choose(args) ?? shipped.kernelFunc(args),
  };
}

export function conv2DKernel(shipped: KernelConfig): KernelConfig {
  return withFallback(shipped, ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
    const geometry = conv1DGeometry(
      x.shape as Shape4,
      filter.shape as Shape4,
      attrs as unknown as ForwardAttrs,
    );
    if (geometry === undefined) return undefined;
    return conv1DForward(backend as unknown as GpuBackend, x, filter, geometry);
  });
}

/** FusedConv2D with a per-channel bias and no activation, the ResNet1D's FusedConv1D. */
export function fusedConv2DKernel(shipped: KernelConfig): KernelConfig {
  return withFallback(shipped, ({ inputs, backend, attrs }) => {
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const forwardAttrs = attrs as unknown as ForwardAttrs;
    if ((forwardAttrs.activation ?? 'linear') !== 'linear' || preluActivationWeights !== undefined)
      return undefined;
    const geometry = conv1DGeometry(x!.shape as Shape4, filter!.shape as Shape4, forwardAttrs);
    if (geometry === undefined) return undefined;
    if (bias !== undefined && tf.util.sizeFromShape(bias.shape) !== geometry.outChannels) return undefined;
    return conv1DForward(backend as unknown as GpuBackend, x!, filter!, geometry, bias);
  });
}

export function conv2DBackpropInputKernel(shipped: KernelConfig): KernelConfig {
  return withFallback(shipped, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { inputShape, ...convAttrs } = attrs as unknown as ConvGradientAttrs & { inputShape: Shape4 };
    const geometry = conv1DGeometry(inputShape, filter.shape as Shape4, convAttrs);
    if (geometry === undefined) return undefined;
    return runImplicitGemm(backend as unknown as GpuBackend, {
      name: 'conv1d_input_gradient',
      inputs: { dys: dy, ws: filter },
      readers: INPUT_GRADIENT_READERS,
      uniforms: geometryUniforms(geometry),
      aAlongReduction: true,
      rows: geometry.sequences * geometry.inWidth,
      columns: geometry.inChannels,
      reduction: geometry.taps * geometry.outChannels,
      outputShape: [...inputShape],
    });
  });
}

export function conv2DBackpropFilterKernel(shipped: KernelConfig): KernelConfig {
  return withFallback(shipped, ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { filterShape, ...convAttrs } = attrs as unknown as ConvGradientAttrs & { filterShape: Shape4 };
    const geometry = conv1DGeometry(x.shape as Shape4, filterShape, convAttrs);
    if (geometry === undefined) return undefined;
    return runImplicitGemm(backend as unknown as GpuBackend, {
      name: 'conv1d_filter_gradient',
      inputs: { xs: x, dys: dy },
      readers: FILTER_GRADIENT_READERS,
      uniforms: geometryUniforms(geometry),
      aAlongReduction: false,
      rows: geometry.taps * geometry.inChannels,
      columns: geometry.outChannels,
      reduction: geometry.sequences * geometry.outWidth,
      outputShape: [...filterShape],
    });
  });
}

/**
 * Conv1D, bias and SiLU in one pass (inference only, see ../../conv1d-bias.ts): SiLU is applied as the
 * output tile is written. A conv too large to dispatch runs tfjs's FusedConv2D, then our SiLU pass.
 */
export const conv1DBiasSiLUKernel: KernelConfig = {
  kernelName: CONV1D_BIAS_SILU_KERNEL,
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const { x, filter, bias } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias: TensorInfo };
    const attrs = { ...(args.attrs as unknown as ForwardAttrs), dataFormat: 'NHWC' as const, dilations: 1 };
    const backend = args.backend as unknown as GpuBackend;
    const geometry = conv1DGeometry(x.shape as Shape4, filter.shape as Shape4, attrs);
    if (geometry !== undefined) return conv1DForward(backend, x, filter, geometry, bias, true);
    const conv = tf.getKernel('FusedConv2D', 'webgpu')!.kernelFunc({ ...args, attrs }) as TensorInfo;
    try {
      return siluKernel.kernelFunc({ inputs: { x: conv }, backend: args.backend, attrs: {} }) as TensorInfo;
    } finally {
      backend.disposeData(conv.dataId);
    }
  },
};

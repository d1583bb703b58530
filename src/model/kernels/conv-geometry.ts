/**
 * Shared geometry of the conv gradient kernels: tfjs's attributes turned into per-axis sizes.
 */
import * as tf from '@tensorflow/tfjs';

/** NHWC shape of an image batch or a conv filter. */
export type Shape4 = [number, number, number, number];

export type ConvPad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

export interface ConvGradientAttrs {
  strides: [number, number] | number;
  pad: ConvPad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The forward conv the gradient belongs to. tfjs-core's Conv2D gradient refuses dilations > 1, so the
 * gradient kernels never see one.
 */
export function forwardConvInfo(
  kernelName: string,
  inputShape: Shape4,
  filterShape: Shape4,
  attrs: ConvGradientAttrs,
): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(
      `${kernelName} on wasm supports NHWC only (the wasm Conv2D is channels-last), got ${attrs.dataFormat}`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

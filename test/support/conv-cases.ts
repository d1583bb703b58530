/**
 * Inputs shared by the kernel tests of every backend: seeded normal draws and the conv1d cases.
 */
import { mulberry32, normalSource } from '../../src/random.js';

/** `count` draws of a standard normal, the same for the same seed. */
export function normals(count: number, seed: number): Float32Array {
  const draw = normalSource(mulberry32(seed));
  return Float32Array.from({ length: count }, draw);
}

export interface ConvCase {
  /** [batch, height, width, Cin]; height 1 is a conv1d, as the ResNet1D runs it. */
  inputShape: [number, number, number, number];
  filterSize: [number, number];
  outChannels: number;
  stride: [number, number];
  pad: 'same' | 'valid';
}

/**
 * Kernels 1, 3 and 7, strides 1 and 2, both paddings, lengths 19 and 20: with stride 2, 'same' pads one
 * side more than the other for one of them (tfjs puts the extra zero at the end), the case a gradient
 * most easily gets wrong. Batch 3, 5 channels in, 6 out.
 */
export const CONV1D_CASES: ConvCase[] = [1, 3, 7].flatMap((kernel) =>
  ([1, 2] as const).flatMap((stride) =>
    (['same', 'valid'] as const).flatMap((pad) =>
      [19, 20].map((length) => ({
        inputShape: [3, 1, length, 5] as [number, number, number, number],
        filterSize: [1, kernel] as [number, number],
        outChannels: 6,
        stride: [1, stride] as [number, number],
        pad,
      })),
    ),
  ),
);

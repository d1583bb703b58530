/**
 * Elementwise programs: one thread per output element, flat over the output's shape. The body reads the
 * inputs at `index` (they have the output's shape, or are scalars read at 0) and writes result[index].
 */
import * as tf from '@tensorflow/tfjs';
import type { GpuProgram } from './gpu-program.js';

const WORKGROUP_SIZE = 64;

export function elementwise(
  name: string,
  variableNames: string[],
  shape: number[],
  body: string,
  uniforms?: string,
  /** WGSL functions the body calls. */
  helpers = '',
): GpuProgram {
  return {
    outputShape: shape,
    shaderKey: `alpha15_${name}`,
    dispatchLayout: { x: shape.map((_, axis) => axis) },
    dispatch: [Math.ceil(tf.util.sizeFromShape(shape) / WORKGROUP_SIZE), 1, 1],
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    variableNames,
    ...(uniforms === undefined ? {} : { uniforms }),
    size: true,
    getUserCode: () => `
    ${helpers}
    fn main(index: i32) {
      if (index < uniforms.size) {
        ${body}
      }
    }`,
  };
}

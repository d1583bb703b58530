/**
 * Sum on WebGPU with a path for reductions over the leading axes: every bias gradient (the FusedConv2D
 * bias of each block conv, the stem's BiasAdd), dy [batch, 1, time, channels] summed to [channels]. The
 * shipped kernel reduces innermost axes only, so it first transposes the whole of dy (a full copy), then
 * runs one workgroup per channel. Here the tensor is read as [rows, columns] in place, in two passes:
 *
 *   partials[k, c] = Σ x[r, c] over chunk k's rows     (one thread per (chunk, column); neighbouring
 *                                                       threads read neighbouring addresses)
 *   y[c]           = Σ partials[k, c] over the chunks
 *
 * with about TARGET_THREADS threads in the first pass (at least MIN_ROWS_PER_CHUNK rows each); when one
 * chunk holds every row, the first pass writes y itself. Any other reduction goes to the shipped kernel unchanged.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { leadingAxesSum, type SumAttrs } from '../leading-axes.js';
import { elementwise } from './elementwise.js';
import { intUniforms, type GpuBackend } from './gpu-program.js';

/** Threads of the first pass to aim for: enough to fill a GPU, few enough that the second pass is short. */
const TARGET_THREADS = 16384;
/** Fewer rows per thread and the first pass is little more than a copy of x. */
const MIN_ROWS_PER_CHUNK = 32;

export function sumKernel(shipped: KernelConfig): KernelConfig {
  return {
    ...shipped,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const sum = leadingAxesSum(x, args.attrs as unknown as SumAttrs);
      if (sum === undefined) return shipped.kernelFunc(args);
      const { rows, columns, outShape } = sum;
      const backend = args.backend as unknown as GpuBackend;
      const rowsPerChunk = Math.max(
        MIN_ROWS_PER_CHUNK,
        Math.ceil(rows / Math.ceil(TARGET_THREADS / columns)),
      );
      const chunks = Math.ceil(rows / rowsPerChunk);
      const partials = backend.runWebGPUProgram(
        elementwise(
          'sum_leading_axes',
          ['x'],
          chunks === 1 ? outShape : [chunks, columns],
          `let c = index % uniforms.columns;
          let first = (index / uniforms.columns) * uniforms.rowsPerChunk;
          let last = min(first + uniforms.rowsPerChunk, uniforms.rows);
          var total = 0.0;
          for (var r = first; r < last; r++) { total += x[r * uniforms.columns + c]; }
          result[index] = total;`,
          'rows: i32, columns: i32, rowsPerChunk: i32,',
        ),
        [x],
        'float32',
        intUniforms([rows, columns, rowsPerChunk]),
      );
      if (chunks === 1) return partials;
      const total = backend.runWebGPUProgram(
        elementwise(
          'sum_leading_axes_partials',
          ['partials'],
          outShape,
          `var total = 0.0;
          for (var k = 0; k < uniforms.chunks; k++) { total += partials[k * uniforms.columns + index]; }
          result[index] = total;`,
          'chunks: i32, columns: i32,',
        ),
        [partials],
        'float32',
        intUniforms([chunks, columns]),
      );
      backend.disposeData(partials.dataId);
      return total;
    },
  };
}

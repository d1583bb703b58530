/**
 * One tiled matrix product C[M, N] = Σ_r A[m, r] · B[r, n] whose operands are never materialised: each
 * caller supplies WGSL that reads A and B straight out of its tensors (a conv's im2col rows, a strided
 * gradient), so a conv costs one pass instead of tfjs's im2col copy plus a matmul.
 *
 * A workgroup of 16 x 16 threads owns a 64 x 64 tile of C; each thread keeps 4 x 4 sums in registers,
 * at rows ty + 16i and columns tx + 16j, so that neighbouring threads read neighbouring words of the
 * shared tiles. The reduction runs in slices of 16, each staged through workgroup memory once and
 * read by the 256 threads 64 times. When C has few tiles and the reduction is long (a filter gradient:
 * C is [k·Cin, Cout], the reduction runs over every batch position), the reduction is split over
 * workgroups along z, each writing its partial C, and a second pass sums the partials.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';
import {
  intUniforms,
  MAX_WORKGROUPS_PER_DIMENSION,
  type GpuBackend,
  type GpuProgram,
} from './gpu-program.js';
import { SIGMOID } from './silu.js';

const TILE = 64;
const SLICE = 16;
const THREADS_PER_SIDE = 16;
const SUMS_PER_SIDE = TILE / THREADS_PER_SIDE;
/** Workgroups worth splitting the reduction for: a large GPU runs over a hundred at once. */
const WORKGROUPS_WANTED = 256;
/** A split's reduction never gets shorter than this many terms: the partial sums cost a pass of their own. */
const MIN_TERMS_PER_SPLIT = 256;

export interface GemmOperands {
  /** Names a distinct shader: the reads' WGSL differs per name. */
  name: string;
  /** Input tensors, bound as WGSL arrays under these names. */
  inputs: Record<string, TensorInfo>;
  /** WGSL `fn readA(m: i32, r: i32) -> f32`, `fn readB(r: i32, n: i32) -> f32`, called in bounds only. */
  readers: string;
  /** Extra i32 uniforms the readers use, by name. */
  uniforms: Record<string, number>;
  /**
   * Whether A's consecutive reduction terms lie next to each other in memory (an im2col row of a
   * channels-last input); otherwise its consecutive rows do, and the tile loads go that way instead.
   */
  aAlongReduction: boolean;
  /** Bound as `bias` and added to every row of C; only without a split. */
  bias?: TensorInfo;
  /** Applies SiLU (v · sigmoid(v)) to each element of C (bias included) as it is written; only without a split. */
  silu?: boolean;
  rows: number;
  columns: number;
  reduction: number;
  outputShape: number[];
}

/** Whether C of this size fits the dispatch limits (otherwise the caller keeps tfjs's kernel). */
export function gemmFits(rows: number, columns: number): boolean {
  return (
    Math.ceil(rows / TILE) <= MAX_WORKGROUPS_PER_DIMENSION &&
    Math.ceil(columns / TILE) <= MAX_WORKGROUPS_PER_DIMENSION
  );
}

export function runImplicitGemm(backend: GpuBackend, operands: GemmOperands): TensorInfo {
  const { rows, columns, reduction } = operands;
  const tiles = Math.ceil(rows / TILE) * Math.ceil(columns / TILE);
  // A split writes partial sums: neither the bias nor SiLU may be applied to those.
  const splits = operands.bias !== undefined || operands.silu === true ? 1 : splitCount(tiles, reduction);
  const termsPerSplit = Math.ceil(reduction / splits / SLICE) * SLICE;
  const names = Object.keys(operands.inputs);
  const uniformNames = ['rows', 'columns', 'reduction', 'termsPerSplit', ...Object.keys(operands.uniforms)];
  const program: GpuProgram = {
    outputShape: splits === 1 ? operands.outputShape : [splits, rows, columns],
    shaderKey: `alpha15_gemm_${operands.name}_${operands.aAlongReduction}_${operands.bias !== undefined}${operands.silu === true ? '_silu' : ''}`,
    dispatchLayout: { x: [0], y: [1], z: [2] },
    dispatch: [Math.ceil(columns / TILE), Math.ceil(rows / TILE), splits],
    workgroupSize: [THREADS_PER_SIDE, THREADS_PER_SIDE, 1],
    variableNames: operands.bias === undefined ? names : [...names, 'bias'],
    uniforms: uniformNames.map((name) => `${name}: i32,`).join(' '),
    getUserCode: () => gemmShader(operands),
  };
  const inputs = names.map((name) => operands.inputs[name]!);
  if (operands.bias !== undefined) inputs.push(operands.bias);
  const values = [rows, columns, reduction, termsPerSplit, ...Object.values(operands.uniforms)];
  const product = backend.runWebGPUProgram(program, inputs, 'float32', intUniforms(values));
  if (splits === 1) return product;
  try {
    return sumLeadingAxis(backend, product, operands.outputShape);
  } finally {
    backend.disposeData(product.dataId);
  }
}

function splitCount(tiles: number, reduction: number): number {
  const byWorkgroups = Math.ceil(WORKGROUPS_WANTED / tiles);
  const byLength = Math.floor(reduction / MIN_TERMS_PER_SPLIT);
  return Math.max(1, Math.min(byWorkgroups, byLength, MAX_WORKGROUPS_PER_DIMENSION));
}

function gemmShader(operands: GemmOperands): string {
  const loadsPerThread = (TILE * SLICE) / (THREADS_PER_SIDE * THREADS_PER_SIDE);
  // The order in which the workgroup's threads walk A's tile: along the axis contiguous in memory.
  const aCoordinates = operands.aAlongReduction
    ? `let tileRow = e / ${SLICE}; let term = e % ${SLICE};`
    : `let tileRow = e % ${TILE}; let term = e / ${TILE};`;
  const biasTerm = operands.bias === undefined ? '' : ' + bias[column]';
  const write = operands.silu
    ? `let v = sums[i * ${SUMS_PER_SIDE} + j]${biasTerm}; ${SIGMOID} result[at] = v * s;`
    : `result[at] = sums[i * ${SUMS_PER_SIDE} + j]${biasTerm};`;
  return `
  ${operands.readers}

  var<workgroup> tileA: array<f32, ${TILE * SLICE}>;
  var<workgroup> tileB: array<f32, ${TILE * SLICE}>;

  fn main() {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let firstRow = i32(workgroupId.y) * ${TILE};
    let firstColumn = i32(workgroupId.x) * ${TILE};
    let split = i32(workgroupId.z);
    let firstTerm = split * uniforms.termsPerSplit;
    let endTerm = min(uniforms.reduction, firstTerm + uniforms.termsPerSplit);
    var sums: array<f32, ${SUMS_PER_SIDE * SUMS_PER_SIDE}>;
    for (var i = 0; i < ${SUMS_PER_SIDE * SUMS_PER_SIDE}; i++) { sums[i] = 0.0; }
    // The trip count comes from uniforms only, so every thread reaches the barriers.
    let slices = uniforms.termsPerSplit / ${SLICE};
    for (var s = 0; s < slices; s++) {
      let sliceStart = firstTerm + s * ${SLICE};
      for (var l = 0; l < ${loadsPerThread}; l++) {
        let e = i32(localIndex) + l * ${THREADS_PER_SIDE * THREADS_PER_SIDE};
        ${aCoordinates}
        let m = firstRow + tileRow;
        let r = sliceStart + term;
        var a = 0.0;
        if (m < uniforms.rows && r < endTerm) { a = readA(m, r); }
        tileA[term * ${TILE} + tileRow] = a;
        let bTerm = e / ${TILE};
        let tileColumn = e % ${TILE};
        let n = firstColumn + tileColumn;
        let rb = sliceStart + bTerm;
        var b = 0.0;
        if (n < uniforms.columns && rb < endTerm) { b = readB(rb, n); }
        tileB[bTerm * ${TILE} + tileColumn] = b;
      }
      workgroupBarrier();
      for (var k = 0; k < ${SLICE}; k++) {
        var aValues: array<f32, ${SUMS_PER_SIDE}>;
        for (var i = 0; i < ${SUMS_PER_SIDE}; i++) { aValues[i] = tileA[k * ${TILE} + ty + i * ${THREADS_PER_SIDE}]; }
        for (var j = 0; j < ${SUMS_PER_SIDE}; j++) {
          let bValue = tileB[k * ${TILE} + tx + j * ${THREADS_PER_SIDE}];
          for (var i = 0; i < ${SUMS_PER_SIDE}; i++) {
            sums[i * ${SUMS_PER_SIDE} + j] = fma(aValues[i], bValue, sums[i * ${SUMS_PER_SIDE} + j]);
          }
        }
      }
      workgroupBarrier();
    }
    for (var i = 0; i < ${SUMS_PER_SIDE}; i++) {
      let row = firstRow + ty + i * ${THREADS_PER_SIDE};
      for (var j = 0; j < ${SUMS_PER_SIDE}; j++) {
        let column = firstColumn + tx + j * ${THREADS_PER_SIDE};
        if (row < uniforms.rows && column < uniforms.columns) {
          let at = (split * uniforms.rows + row) * uniforms.columns + column;
          ${write}
        }
      }
    }
  }`;
}

/** [splits, ...] → the sum over splits, shaped `outputShape`. */
function sumLeadingAxis(backend: GpuBackend, partials: TensorInfo, outputShape: number[]): TensorInfo {
  const size = outputShape.reduce((a, b) => a * b, 1);
  const program: GpuProgram = {
    outputShape,
    shaderKey: 'alpha15_sum_leading_axis',
    dispatchLayout: { x: outputShape.map((_, axis) => axis) },
    dispatch: [Math.ceil(size / 64), 1, 1],
    workgroupSize: [64, 1, 1],
    variableNames: ['partials'],
    uniforms: 'splits: i32,',
    size: true,
    getUserCode: () => `
    fn main(index: i32) {
      if (index < uniforms.size) {
        var total = 0.0;
        for (var split = 0; split < uniforms.splits; split++) {
          total += partials[split * uniforms.size + index];
        }
        result[index] = total;
      }
    }`,
  };
  const dtype: DataType = 'float32';
  return backend.runWebGPUProgram(program, [partials], dtype, intUniforms([partials.shape[0]!]));
}

/**
 * The slice of @tensorflow/tfjs-backend-webgpu these kernels use, typed structurally: the package is an
 * optional dependency, so nothing here imports it, and a kernel only ever runs once it has loaded.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs';

/** What the backend compiles and dispatches (its WebGPUProgram, the fields we set). */
export interface GpuProgram {
  /** Shapes the shader's entry point: `dispatch` workgroups of `workgroupSize` threads. */
  outputShape: number[];
  /** Cache key of the compiled pipeline; the backend appends ranks and dtypes, never shapes. */
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** Input bindings, in order: WGSL arrays of these names, plus `<name>Shape` uniforms. */
  variableNames: string[];
  /** Extra uniform fields, e.g. "rows: i32, cols: i32,", filled in order by the run's uniforms. */
  uniforms?: string;
  /** Adds a `size` uniform holding the output's element count. */
  size?: boolean;
  getUserCode: () => string;
}

export interface GpuUniform {
  type: 'int32' | 'float32';
  data: number[];
}

export interface GpuBackend {
  runWebGPUProgram(
    program: GpuProgram,
    inputs: TensorInfo[],
    outputDtype: DataType,
    uniforms?: GpuUniform[],
    output?: TensorInfo,
  ): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** One i32 uniform per value, in the order the program's `uniforms` declares them. */
export function intUniforms(values: number[]): GpuUniform[] {
  return values.map((value) => ({ type: 'int32', data: [value] }));
}

/** WebGPU's guaranteed minimum of maxComputeWorkgroupsPerDimension. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

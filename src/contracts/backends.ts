/**
 * The TensorFlow.js backends by name, as the CLI, the hyperparameters of a training job and
 * ALPHA15_BACKEND spell them. src/model/backend.ts selects among them; this module imports no
 * TensorFlow.js, so the trigger Lambda can validate a backend without bundling it.
 */
import { z } from 'zod';

/**
 * In the order `auto` tries them: a GPU first (native TensorFlow with CUDA, then WebGPU on a hardware
 * adapter), then the CPU (native TensorFlow, WebAssembly, plain JavaScript).
 */
export const BACKEND_NAMES = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const backendPreferenceSchema = z.enum(['auto', ...BACKEND_NAMES]);
export type BackendPreference = z.infer<typeof backendPreferenceSchema>;

/** The GPU adapter a WebGPU run computed on, as the run record and `train --json` name it. */
export const gpuAdapterSchema = z.object({
  vendor: z.string(),
  device: z.string(),
});
export type GpuAdapter = z.infer<typeof gpuAdapterSchema>;

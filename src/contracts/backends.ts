/**
 * The TensorFlow.js backends by name, as the CLI, the hyperparameters of a training job and
 * ALPHA15_BACKEND spell them. src/model/backend.ts selects among them; this module imports no
 * TensorFlow.js, so the trigger Lambda can validate a backend without bundling it.
 */
import { z } from 'zod';

/** In the order `auto` tries them. */
export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const backendPreferenceSchema = z.enum(['auto', ...BACKEND_NAMES]);
export type BackendPreference = z.infer<typeof backendPreferenceSchema>;

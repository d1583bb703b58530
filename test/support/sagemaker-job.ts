/** SageMaker training jobs for tests: a tiny model's knobs and the directory tree SageMaker mounts. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sagemakerPaths } from '../../src/contracts/sagemaker.js';

/** Hyperparameters that keep a job to seconds on the wasm backend: one epoch of a small network. */
export const TINY_JOB_KNOBS = {
  windowMinutes: 32,
  filters: 8,
  blocks: 2,
  epochs: 1,
  sampleStrideMinutes: 4,
  backend: 'wasm',
} as const;

/** `<root>/input/config/hyperparameters.json` as SageMaker writes it (every value a string). */
export async function writeSageMakerTree(
  root: string,
  hyperparameters: Record<string, string>,
): Promise<string> {
  await mkdir(path.dirname(sagemakerPaths(root).hyperparameters), { recursive: true });
  await writeFile(sagemakerPaths(root).hyperparameters, JSON.stringify(hyperparameters));
  return root;
}

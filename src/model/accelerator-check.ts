/**
 * The job's first act: make sure it computes where it was paid to. On a GPU instance the backend must
 * be native TensorFlow with a GPU device in use; anything else (tfjs-node-gpu missing from the image, a
 * CUDA library that did not load, a driver mismatch) would train on the CPU for hours at GPU prices with
 * nobody told. The `allowCpu` hyperparameter makes CPU training on a GPU instance a deliberate choice.
 */
import * as tf from '@tensorflow/tfjs';
import { Alpha15Error } from '../errors.js';
import type { BackendInfo } from './backend.js';

export class GpuNotInUseError extends Alpha15Error {
  readonly code = 'GPU_NOT_IN_USE';
}

export interface AcceleratorFacts {
  /** The instance type from resourceconfig.json; undefined on a local tree. */
  instanceType: string | undefined;
  instanceHasGpu: boolean;
  backend: BackendInfo['name'];
  /** What TensorFlow reports (tfjs-node's isUsingGpuDevice); false for every other backend. */
  gpuInUse: boolean;
  allowCpu: boolean;
}

/** Throws GpuNotInUseError when a GPU instance would train without its GPU (and that was not asked for). */
export function checkAccelerator(facts: AcceleratorFacts): void {
  if (!facts.instanceHasGpu || facts.allowCpu) return;
  const tensorflow = facts.backend === 'node-gpu' || facts.backend === 'node';
  if (tensorflow && facts.gpuInUse) return;
  throw new GpuNotInUseError(
    `${facts.instanceType} has a GPU but the job would train on the CPU: backend ${facts.backend}` +
      (tensorflow ? ', and TensorFlow sees no GPU device' : ', not tensorflow (tfjs-node-gpu did not load)'),
    'check the image (tfjs-node-gpu, CUDA 11.2, cuDNN 8) and the job log for the CUDA load error, ' +
      'or set the hyperparameter allowCpu=true to train on the CPU on purpose',
  );
}

/** tfjs-node's backend says whether TensorFlow placed ops on a GPU device. */
export function tensorflowUsesGpu(): boolean {
  return (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKEND_NAMES } from '../../src/contracts/backends.js';
import {
  backendUsesGpu,
  checkAccelerator,
  GPU_BACKENDS,
  isHardwareAdapter,
} from '../../src/model/accelerator-check.js';
import {
  configOverrides,
  encodeHyperparameters,
  failureReason,
  FAILURE_REASON_MAX_CHARS,
  instanceHasGpu,
  InvalidHyperparametersError,
  parseHyperparameters,
  sagemakerPaths,
} from '../../src/contracts/sagemaker.js';

test('hyperparameters survive the trip through SageMaker, where every value becomes a string', () => {
  const sent = {
    jobName: 'alpha15-20261124-1830',
    store: 's3://alpha15-lake',
    symbols: 'BTCUSDT,ETHUSDT',
    fromMs: 1_700_000_000_000,
    toMs: 1_700_086_400_000,
    epochs: 3,
    learningRate: 0.0005,
    backend: 'node-gpu' as const,
  };
  const wire = encodeHyperparameters(sent);
  assert.ok(Object.values(wire).every((value) => typeof value === 'string'));
  const received = parseHyperparameters(JSON.parse(JSON.stringify(wire)));
  assert.deepEqual(received, { ...sent, symbols: ['BTCUSDT', 'ETHUSDT'] });
  assert.deepEqual(
    Object.fromEntries(Object.entries(configOverrides(received)).filter(([, value]) => value !== undefined)),
    {
      store: 's3://alpha15-lake',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      'training.epochs': 3,
      'training.learningRate': 0.0005,
    },
  );
});

test('unknown, non-string or out-of-order hyperparameters are refused with the parameter named', () => {
  const valid = { jobName: 'alpha15-x', store: 'file:///tmp/x', symbols: 'BTCUSDT' };
  assert.throws(() => parseHyperparameters({ ...valid, epoch: '3' }), InvalidHyperparametersError);
  assert.throws(() => parseHyperparameters({ ...valid, epochs: 3 }), /object of strings/);
  assert.throws(() => parseHyperparameters({ ...valid, epochs: '0' }), /hyperparameter epochs/);
  assert.throws(
    () => parseHyperparameters({ ...valid, fromMs: '20', toMs: '10' }),
    /fromMs must lie before toMs/,
  );
  assert.throws(() => parseHyperparameters({ ...valid, store: 'ftp://x' }), /hyperparameter store/);
});

test('a training job accepts every backend the backend selector knows, and no other', () => {
  const valid = { jobName: 'alpha15-x', store: 'file:///tmp/x', symbols: 'BTCUSDT' };
  for (const backend of ['auto', ...BACKEND_NAMES])
    assert.equal(parseHyperparameters({ ...valid, backend }).backend, backend);
  assert.throws(() => parseHyperparameters({ ...valid, backend: 'webgl' }), /hyperparameter backend/);
});

test('the SageMaker paths sit where SageMaker mounts them', () => {
  assert.deepEqual(sagemakerPaths('/opt/ml'), {
    root: '/opt/ml',
    hyperparameters: '/opt/ml/input/config/hyperparameters.json',
    resourceConfig: '/opt/ml/input/config/resourceconfig.json',
    inputData: '/opt/ml/input/data',
    model: '/opt/ml/model',
    failure: '/opt/ml/output/failure',
    checkpoints: '/opt/ml/checkpoints',
  });
});

test('the failure reason names the error and its hint, cut to what SageMaker keeps', () => {
  const reason = failureReason(
    new InvalidHyperparametersError('invalid hyperparameter epochs', 'fix the request'),
  );
  assert.equal(reason, 'InvalidHyperparametersError: invalid hyperparameter epochs (hint: fix the request)');
  assert.equal(failureReason(new Error('x'.repeat(5000))).length, FAILURE_REASON_MAX_CHARS);
});

test('the accelerator check: a GPU instance needs a GPU backend on its GPU, unless allowCpu says otherwise', () => {
  const gpuInstance = {
    instanceType: 'ml.g4dn.xlarge',
    instanceHasGpu: instanceHasGpu('ml.g4dn.xlarge'),
    allowCpu: false,
  };
  // either GPU backend: TensorFlow with CUDA, or WebGPU on the driver's Vulkan
  assert.deepEqual([...GPU_BACKENDS].sort(), ['node-gpu', 'webgpu']);
  assert.doesNotThrow(() => checkAccelerator({ ...gpuInstance, backend: 'node-gpu', gpuInUse: true }));
  assert.doesNotThrow(() => checkAccelerator({ ...gpuInstance, backend: 'webgpu', gpuInUse: true }));
  // the binding loaded but CUDA did not: TensorFlow runs on the CPU
  assert.throws(() => checkAccelerator({ ...gpuInstance, backend: 'node-gpu', gpuInUse: false }), {
    name: 'GpuNotInUseError',
    message: /TensorFlow sees no GPU device/,
  });
  // WebGPU on a CPU implementation of Vulkan (no driver ICD mounted): a GPU backend, but not on the GPU
  assert.throws(() => checkAccelerator({ ...gpuInstance, backend: 'webgpu', gpuInUse: false }), {
    name: 'GpuNotInUseError',
    message: /backend webgpu, on a software adapter/,
  });
  // tfjs-node is TensorFlow on the CPU, whatever the instance has
  for (const backend of ['node', 'wasm', 'cpu'])
    assert.throws(() => checkAccelerator({ ...gpuInstance, backend, gpuInUse: false }), {
      name: 'GpuNotInUseError',
      message: new RegExp(`backend ${backend}, not a GPU backend \\(node-gpu or webgpu\\)`),
    });
  assert.doesNotThrow(() =>
    checkAccelerator({ ...gpuInstance, allowCpu: true, backend: 'wasm', gpuInUse: false }),
  );
  // CPU instances and local trees train wherever they can
  for (const instanceType of ['ml.m5.xlarge', 'ml.c5.2xlarge', undefined])
    assert.doesNotThrow(() =>
      checkAccelerator({
        instanceType,
        instanceHasGpu: instanceType !== undefined && instanceHasGpu(instanceType),
        allowCpu: false,
        backend: 'wasm',
        gpuInUse: false,
      }),
    );
  assert.deepEqual(
    ['ml.p3.2xlarge', 'ml.g5.xlarge', 'ml.g4dn.xlarge', 'ml.m5.large', 'ml.trn1.2xlarge'].map(instanceHasGpu),
    [true, true, true, false, false],
  );
  // a backend that is active but computes on no GPU says so
  assert.equal(backendUsesGpu('wasm'), false);
});

test("the adapter Dawn finds on Mesa's lavapipe (this machine's Vulkan) does not count as a GPU", async () => {
  const { create } = await import('webgpu');
  const adapter = await create([]).requestAdapter();
  assert.ok(adapter, 'Dawn found no adapter: install a Vulkan driver (mesa-vulkan-drivers 25.x, lavapipe)');
  assert.equal(adapter.info.vendor, 'mesa', adapter.info.description);
  assert.equal(isHardwareAdapter(adapter.info), false);
  // what a GPU's adapter reports (the H200 of issue 21: vendor nvidia, not a fallback)
  assert.equal(isHardwareAdapter({ isFallbackAdapter: false, architecture: 'hopper' }), true);
  assert.equal(isHardwareAdapter(undefined), false);
});

test('allowCpu is a string hyperparameter like every other, true or false only', () => {
  const base = { jobName: 'alpha15-x', store: 'file:///tmp/x', symbols: 'BTCUSDT' };
  assert.equal(parseHyperparameters({ ...base, allowCpu: 'true' }).allowCpu, true);
  assert.equal(parseHyperparameters({ ...base, allowCpu: 'false' }).allowCpu, false);
  assert.throws(() => parseHyperparameters({ ...base, allowCpu: 'yes' }), /allowCpu/);
});

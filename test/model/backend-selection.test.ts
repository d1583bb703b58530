/**
 * How `auto` chooses, with the start of each backend injected (no GPU needed), and the rule that tells
 * a GPU adapter from a software one, on the facts real adapters report.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKEND_NAMES, backendPreferenceSchema, type BackendName } from '../../src/contracts/backends.js';
import { firstThatStarts, formatBackend, NoBackendError, type BackendInfo } from '../../src/model/backend.js';
import { describeAdapter, softwareAdapterReason, type AdapterFacts } from '../../src/model/webgpu-adapter.js';

/** What Dawn reports on Mesa 25's lavapipe (this machine, CI). */
const LAVAPIPE: AdapterFacts = {
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe-llvm-15-0-6-256-bits-',
  description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
  isFallbackAdapter: true,
};
/** What Dawn reported on the H200 of issue 21. */
const H200: AdapterFacts = {
  vendor: 'nvidia',
  architecture: '',
  device: 'nvidia-h200',
  description: 'NVIDIA H200',
  isFallbackAdapter: false,
};

/** Starts only the backends in `working`, recording the attempts in order. */
function injected(working: readonly BackendName[]) {
  const attempts: BackendName[] = [];
  const start = async (name: BackendName): Promise<BackendInfo> => {
    attempts.push(name);
    if (!working.includes(name)) throw new Error(`${name} did not load`);
    return { name, threads: 1 };
  };
  return { attempts, start };
}

test('auto tries node-gpu, then webgpu, then node, wasm and cpu', () => {
  assert.deepEqual([...BACKEND_NAMES], ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu']);
  assert.deepEqual(backendPreferenceSchema.options, ['auto', ...BACKEND_NAMES]);
});

test('auto takes the first backend that starts and tries none after it', async () => {
  const gpu = injected(['webgpu', 'wasm', 'cpu']);
  assert.equal((await firstThatStarts(BACKEND_NAMES, gpu.start)).name, 'webgpu');
  assert.deepEqual(gpu.attempts, ['node-gpu', 'webgpu']);

  const cpuOnly = injected(['wasm', 'cpu']);
  assert.equal((await firstThatStarts(BACKEND_NAMES, cpuOnly.start)).name, 'wasm');
  assert.deepEqual(cpuOnly.attempts, ['node-gpu', 'webgpu', 'node', 'wasm']);
});

test('when no backend starts, the error lists why each one failed', async () => {
  const none = injected([]);
  await assert.rejects(firstThatStarts(BACKEND_NAMES, none.start), (error: unknown) => {
    assert.ok(error instanceof NoBackendError);
    for (const name of BACKEND_NAMES)
      assert.match(error.message, new RegExp(`${name}: ${name} did not load`));
    return true;
  });
});

test('lavapipe is a software adapter, and an NVIDIA GPU is not', () => {
  assert.equal(softwareAdapterReason(LAVAPIPE), 'it is a fallback adapter');
  assert.equal(softwareAdapterReason(H200), undefined);
});

test('a software adapter is recognised even when it does not flag itself as a fallback', () => {
  const unflagged = { ...LAVAPIPE, isFallbackAdapter: undefined };
  assert.equal(softwareAdapterReason(unflagged), 'its architecture is "software"');
  const swiftShader: AdapterFacts = {
    vendor: 'google',
    architecture: '',
    device: 'swiftshader-device',
    description: 'SwiftShader Device (Subzero)',
  };
  assert.match(softwareAdapterReason(swiftShader)!, /swiftshader/i);
  const warp: AdapterFacts = {
    vendor: 'microsoft',
    architecture: '',
    device: '',
    description: 'Microsoft Basic Render Driver',
  };
  assert.match(softwareAdapterReason(warp)!, /Basic Render Driver/);
  // "warp" as part of another word names no renderer
  assert.equal(softwareAdapterReason({ ...H200, description: 'NVIDIA H200 warpsize 32' }), undefined);
});

test('an adapter is described by vendor and device, and the log line names it', () => {
  assert.equal(describeAdapter(H200), 'nvidia nvidia-h200 (NVIDIA H200)');
  assert.equal(
    describeAdapter({ vendor: '', architecture: '', device: '', description: '' }),
    'unnamed adapter',
  );
  assert.equal(
    formatBackend({ name: 'webgpu', threads: 1, adapter: { vendor: 'nvidia', device: 'nvidia-h200' } }),
    'webgpu (adapter nvidia nvidia-h200)',
  );
  assert.equal(formatBackend({ name: 'wasm', threads: 2, simd: true }), 'wasm (SIMD, 2 threads)');
});

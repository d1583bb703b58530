/**
 * The WebGPU backend for real, on whatever adapter this machine has: Mesa's lavapipe (a software
 * Vulkan driver) in CI, which proves the WebGPU path correct without a GPU. Tiny shapes: lavapipe runs
 * every shader on the CPU. In CI (CI=true) a missing adapter fails this file; elsewhere it is skipped
 * with the reason, never silently.
 *
 * Runs in one process in this order, because the last test destroys the GPU device.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { trainModel } from '../../src/app/train.js';
import { WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE } from '../../src/contracts/environment.js';
import { windowAt } from '../../src/features/dataset.js';
import { selectBackend, type BackendInfo } from '../../src/model/backend.js';
import { readCheckpoint } from '../../src/model/checkpoint.js';
import { GpuBatchTooLargeError, GpuDeviceLostError } from '../../src/model/gpu-errors.js';
import { loadPredictor } from '../../src/model/predictor.js';
import { getRuns } from '../../src/runs/runs-index.js';
import { leadLagOptions, syntheticFrame, tempStore, tinyConfig } from '../support/model-fixtures.js';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
const BACKEND_MODULE = fileURLToPath(new URL('../../src/model/backend.ts', import.meta.url));

type Selection = { info?: BackendInfo; code?: string; message?: string };

/**
 * A fresh process that selects each preference in turn and prints, for each, the backend or the
 * error's code and message (one process for several: each start costs seconds here).
 */
function selectInChild(
  preferences: string[],
  environment: Record<string, string | undefined> = {},
): Selection[] {
  const script = `
    import { selectBackend } from ${JSON.stringify(BACKEND_MODULE)};
    const results = [];
    for (const preference of ${JSON.stringify(preferences)}) {
      try {
        results.push({ info: await selectBackend(preference) });
      } catch (error) {
        results.push({ code: (error.cause ?? error).code ?? error.code, message: error.message });
      }
    }
    process.stdout.write(JSON.stringify(results));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPOSITORY,
    encoding: 'utf8',
    env: { ...process.env, [WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE]: undefined, ...environment },
    timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as Selection[];
}

let webgpu: BackendInfo | undefined;
let skipReason: string | undefined;

before(async () => {
  process.env[WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE] = '1';
  try {
    webgpu = await selectBackend('webgpu');
  } catch (error) {
    // CI installs lavapipe (.ci/run): no adapter there is a broken CI, not a reason to skip
    if (process.env.CI === 'true') throw error;
    skipReason = `no WebGPU adapter on this machine: ${(error as Error).message}`;
  }
});
after(() => delete process.env[WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE]);

/** The test, or a skip that says why. */
function webgpuTest(name: string, body: () => Promise<void>): void {
  test(name, async (t) => {
    if (skipReason !== undefined) return t.skip(skipReason);
    await body();
  });
}

webgpuTest(
  'an explicit webgpu on a software adapter is refused naming the adapter, and auto passes over it',
  async () => {
    const [refused, chosen] = selectInChild(['webgpu', 'auto']);
    assert.equal(refused!.code, 'SOFTWARE_WEBGPU_ADAPTER');
    assert.match(refused!.message!, new RegExp(webgpu!.adapter!.device.slice(0, 8)));
    assert.match(refused!.message!, /software/);
    assert.ok(['node', 'wasm', 'cpu'].includes(chosen!.info!.name), JSON.stringify(chosen));
  },
);

webgpuTest(
  'with no Vulkan driver at all, webgpu fails with NO_WEBGPU_ADAPTER and auto still starts',
  async () => {
    const [missing, chosen] = selectInChild(['webgpu', 'auto'], {
      VK_DRIVER_FILES: '/nonexistent/icd.json',
      VK_ICD_FILENAMES: '/nonexistent/icd.json',
      [WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE]: '1',
    });
    assert.equal(missing!.code, 'NO_WEBGPU_ADAPTER');
    assert.ok(['node', 'wasm', 'cpu'].includes(chosen!.info!.name), JSON.stringify(chosen));
  },
);

const frame = syntheticFrame(leadLagOptions(2_500, 3));

webgpuTest(
  'a model trained on WebGPU is saved, and loaded on wasm it predicts the same returns',
  async () => {
    const { store, cleanup } = await tempStore();
    try {
      const config = tinyConfig({ training: { epochs: 1, sampleStrideMinutes: 8 } });
      const trained = await trainModel({
        frame,
        config,
        backend: 'webgpu',
        store,
        log: () => {},
        predictor: true,
      });
      assert.equal(trained.backend.name, 'webgpu');
      assert.deepEqual(trained.backend.adapter, webgpu!.adapter);
      const [run] = await getRuns(store, [trained.runId!]);
      assert.equal(run!.backend, 'webgpu');
      assert.deepEqual(run!.adapter, webgpu!.adapter);

      const features = trained.predictor.featuresOf(frame);
      const windowValues = config.windowMinutes * features.channels;
      const x = new Float32Array(40 * windowValues);
      for (let sample = 0; sample < 40; sample++)
        windowAt(features, 600 + sample * 7, config.windowMinutes, x.subarray(sample * windowValues));
      const onGpu = await trained.predictor.predictBatch(x, 40);
      trained.predictor.dispose();

      await selectBackend('wasm', { threads: 1 });
      const onWasm = await loadPredictor(store, trained.modelId);
      const reloaded = await onWasm.predictBatch(x, 40);
      onWasm.dispose();
      const scale = Math.max(...onGpu.map(Math.abs));
      assert.ok(scale > 0, 'the model predicts something');
      for (let at = 0; at < onGpu.length; at++)
        assert.ok(
          Math.abs(onGpu[at]! - reloaded[at]!) <= 1e-4 * scale,
          `value ${at}: ${onGpu[at]} vs ${reloaded[at]}`,
        );
    } finally {
      await cleanup();
    }
  },
);

webgpuTest(
  "a batch whose activations exceed the device's buffer limit fails up front, naming the batch size",
  async () => {
    // window 512 x 64 filters x 4 bytes = 128 KiB a sample: a batch of 2048 needs 256 MiB in one buffer
    const config = tinyConfig({
      windowMinutes: 512,
      model: { filters: 64, blocks: 1 },
      training: { epochs: 1, batchSize: 2048, sampleStrideMinutes: 1 },
    });
    const wide = syntheticFrame(leadLagOptions(5_000, 3));
    const limit = webgpu!.maxBufferBytes!;
    const rejection = trainModel({ frame: wide, config, backend: 'webgpu', save: false, log: () => {} });
    if (2048 * 512 * 64 * 4 <= limit) {
      // a GPU with larger bindings trains it: the limit check must not refuse what fits
      await rejection;
      return;
    }
    await assert.rejects(rejection, (error: unknown) => {
      assert.ok(error instanceof GpuBatchTooLargeError, String(error));
      assert.match(error.message, /batch size 2048/);
      assert.equal(error.data.maxBatchSize, Math.floor(limit / (512 * 64 * 4)));
      return true;
    });
  },
);

webgpuTest(
  'a device lost mid-epoch stops training with GPU_DEVICE_LOST and keeps the last epoch checkpoint',
  async () => {
    const checkpointDir = await mkdtemp(path.join(tmpdir(), 'alpha15-webgpu-lost-'));
    try {
      const config = tinyConfig({ training: { epochs: 3, sampleStrideMinutes: 8 } });
      let destroyed = false;
      const run = trainModel({
        frame,
        config,
        backend: 'webgpu',
        checkpointDir,
        log: () => {},
        progress: {
          startFold: () => {},
          epoch: () => {},
          stop: () => {},
          batch: (epoch) => {
            if (epoch === 2 && !destroyed) {
              destroyed = true;
              (tf.backend() as unknown as { device: GPUDevice }).device.destroy();
            }
          },
        },
      });
      await assert.rejects(run, (error: unknown) => {
        assert.ok(error instanceof GpuDeviceLostError, String(error));
        assert.match(error.message, /GPU device was lost/);
        return true;
      });
      const checkpoint = await readCheckpoint(checkpointDir);
      assert.equal(checkpoint?.current.progress.epoch, 1);
    } finally {
      await rm(checkpointDir, { recursive: true, force: true });
    }
  },
);

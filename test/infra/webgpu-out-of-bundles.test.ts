/**
 * The paper tick Lambda runs the wasm backend: Dawn's native bindings and tfjs-backend-webgpu
 * must never reach their bundles (they would not load on Lambda, and would swell the cold start).
 * backend.ts imports the WebGPU starter dynamically, and the bundling marks that module external.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from 'esbuild';
import { esbuildOptionsOf } from '../../infra/alpha15-function.js';

const handler = 'paper-tick';
test(`the ${handler} bundle holds no WebGPU code, and leaves the WebGPU starter to a run-time import`, async () => {
  const result = await build({
    ...esbuildOptionsOf(handler, `/tmp/alpha15-${handler}-webgpu-check.mjs`),
    write: false,
    metafile: true,
    sourcemap: false,
    minify: false,
    logLevel: 'error',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(
    inputs.some((input) => input.endsWith('src/model/backend.ts')),
    'the bundle selects a backend',
  );
  const webgpu = inputs.filter((input) =>
    /node_modules\/(webgpu|@tensorflow\/tfjs-backend-webgpu)\/|webgpu-backend\.ts$/.test(input),
  );
  assert.deepEqual(webgpu, []);
  const code = result.outputFiles.find((file) => file.path.endsWith('.mjs'))!.text;
  assert.match(code, /import\("\.\/webgpu-backend\.js"\)/);
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

const BACKEND_MODULE = fileURLToPath(new URL('../../src/model/backend.ts', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
// A script file, not \`node -e\`: pthread workers inherit the parent's flags, and --input-type=module
// would make them read their CommonJS source as ESM.
const scriptDir = mkdtempSync(path.join(tmpdir(), 'alpha15-threads-'));
after(() => rmSync(scriptDir, { recursive: true, force: true }));

/**
 * A fresh Node process that selects the wasm backend, trains one conv step and prints what it ran on.
 * It must end by itself: a pthread left referenced would keep it alive until the timeout kills it.
 */
function runWasmChild(environment: Record<string, string>) {
  const script = `
    import { createRequire } from 'node:module';
    // The repository's tfjs, the very instance backend.ts activates the backend on.
    const tf = createRequire(${JSON.stringify(path.join(REPOSITORY, 'package.json'))})('@tensorflow/tfjs');
    import { selectBackend } from ${JSON.stringify(BACKEND_MODULE)};
    const info = await selectBackend('wasm');
    const x = tf.randomNormal([2, 1, 32, 8]);
    const filter = tf.variable(tf.randomNormal([1, 3, 8, 4]));
    tf.train.adam(0.01).minimize(() => tf.sum(tf.conv2d(x, filter, 1, 'same')));
    process.stdout.write(JSON.stringify(info));
  `;
  const scriptPath = path.join(scriptDir, 'select-wasm.mts');
  writeFileSync(scriptPath, script);
  return spawnSync(process.execPath, ['--import', 'tsx', scriptPath], {
    cwd: REPOSITORY,
    encoding: 'utf8',
    env: { ...process.env, ...environment },
    timeout: 60_000,
  });
}

test('ALPHA15_WASM_THREADS sets the wasm thread pool, and a process that trained on 2 threads exits by itself', () => {
  for (const threads of [1, 2]) {
    const child = runWasmChild({ ALPHA15_WASM_THREADS: String(threads) });
    assert.equal(child.signal, null, `the ${threads}-thread process had to be killed: ${child.stderr}`);
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { name: 'wasm', threads, simd: true });
  }
});

test('an ALPHA15_WASM_THREADS that is no thread count stops the process with a hint', () => {
  const child = runWasmChild({ ALPHA15_WASM_THREADS: 'two' });
  assert.notEqual(child.status, 0);
  assert.match(child.stderr, /ALPHA15_WASM_THREADS=two is not a thread count/);
});

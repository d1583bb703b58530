/**
 * Builds the folder that bench/gpu/run.sh carries to a GPU machine with no internet and no Node:
 *
 *   npx tsx bench/gpu/build-carry.ts      # writes bench/out/gpu-carry (git-ignored), about 40 MB
 *
 * In it: bench/train.ts bundled by esbuild into one script; this machine's Node binary, xz-compressed;
 * the wasm binaries and Dawn's linux-x64 dawn.node where the bundle looks for them; the PyTorch
 * reference; and Debian's Vulkan loader and GL dispatch packages (`apt-get download`), which run.sh
 * unpacks when the machine lacks them (NVIDIA's Vulkan ICD needs libGLX/libEGL beside the loader).
 * docs/gpu.md says how to run it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ESM_BANNER } from '../../src/contracts/esm-bundle-banner.js';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
const CARRY = path.join(REPOSITORY, 'bench/out/gpu-carry');
/** The Vulkan loader and the GL dispatch libraries NVIDIA's ICD loads (Debian names). */
const VULKAN_PACKAGES = ['libvulkan1', 'libegl1', 'libglvnd0', 'libopengl0', 'libgl1', 'libglx0', 'libgles2'];
const CARRY_LIMIT_BYTES = 64 * 1024 * 1024;

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

rmSync(CARRY, { recursive: true, force: true });
mkdirSync(path.join(CARRY, 'debs'), { recursive: true });

await build({
  entryPoints: [path.join(REPOSITORY, 'bench/train.ts')],
  outfile: path.join(CARRY, 'bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  banner: { js: ESM_BANNER },
  minify: true,
  keepNames: true,
  // optional native TensorFlow: not on the GPU machine; the backend selector skips it
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  logLevel: 'warning',
});
copyFileSync(path.join(REPOSITORY, 'bench/torch_resnet1d.py'), path.join(CARRY, 'torch_resnet1d.py'));
copyFileSync(path.join(REPOSITORY, 'bench/gpu/run.sh'), path.join(CARRY, 'run.sh'));

// The wasm backend resolves its binaries from its package.json, relative to the bundle.
const wasmDir = packageDir('@tensorflow/tfjs-backend-wasm');
const wasmTarget = path.join(CARRY, 'node_modules/@tensorflow/tfjs-backend-wasm');
mkdirSync(path.join(wasmTarget, 'dist'), { recursive: true });
copyFileSync(path.join(wasmDir, 'package.json'), path.join(wasmTarget, 'package.json'));
for (const file of readdirSync(path.join(wasmDir, 'dist')).filter((name) => name.endsWith('.wasm')))
  copyFileSync(path.join(wasmDir, 'dist', file), path.join(wasmTarget, 'dist', file));

// The webgpu package loads dist/<platform>-<arch>/dawn.node beside the module, which is now the bundle.
const dawnTarget = path.join(CARRY, 'dist/linux-x64');
mkdirSync(dawnTarget, { recursive: true });
execFileSync('sh', [
  '-c',
  `xz -T2 -6 -c "${path.join(packageDir('webgpu'), 'dist/linux-x64/dawn.node')}" > "${dawnTarget}/dawn.node.xz"`,
]);
execFileSync('sh', ['-c', `xz -T2 -6 -c "${process.execPath}" > "${CARRY}/node.xz"`]);
writeFileSync(path.join(CARRY, 'node.version'), `${process.version}\n`);

execFileSync('apt-get', ['download', ...VULKAN_PACKAGES], {
  cwd: path.join(CARRY, 'debs'),
  stdio: 'inherit',
});

const bytes = totalBytes(CARRY);
console.log(`${CARRY}: ${(bytes / 2 ** 20).toFixed(1)} MiB`);
if (bytes > CARRY_LIMIT_BYTES)
  throw new Error(`the carry is ${bytes} bytes, over the 64 MiB a device run takes`);

function totalBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? totalBytes(full) : statSync(full).size);
  }, 0);
}

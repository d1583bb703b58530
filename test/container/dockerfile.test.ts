/**
 * The training image's invariants, read from training-container/Dockerfile itself: no Docker runs on
 * the machines these tests run on, so what the image must be is checked on the text the build reads.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { TRAINING_NODE_TARGET } from '../../training-container/build.js';
import { REPO_ROOT } from '../support/shared-data.js';

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions in order, continuation lines joined and comments dropped (also inside a continued RUN). */
function parseInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    pending += line.replace(/\\\s*$/, ' ');
    if (/\\\s*$/.test(line)) continue;
    const match = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(pending);
    if (match)
      instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.replace(/\s+/g, ' ').trim() });
    pending = '';
  }
  return instructions;
}

function parseDockerfile(text: string): { globalArgs: Map<string, string>; stages: Stage[] } {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.args.split(' ');
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') continue;
      const [name, value = ''] = instruction.args.split('=');
      globalArgs.set(name!, value);
    } else stages.at(-1)!.instructions.push(instruction);
  }
  return { globalArgs, stages };
}

const dockerfile = parseDockerfile(
  readFileSync(path.join(REPO_ROOT, 'training-container/Dockerfile'), 'utf8'),
);
const finalStage = dockerfile.stages.at(-1)!;
/** A stage's instructions with those of every stage it is built FROM. */
function lineage(stage: Stage): Instruction[] {
  const parent = dockerfile.stages.find((candidate) => candidate.name === stage.from);
  return [...(parent ? lineage(parent) : []), ...stage.instructions];
}
const runs = (stage: Stage) => lineage(stage).filter((instruction) => instruction.keyword === 'RUN');
const envs = (stage: Stage) => lineage(stage).filter((instruction) => instruction.keyword === 'ENV');

test('the base is a maintained CUDA 11 + cuDNN 8 runtime on Ubuntu 22.04, pinned by digest', () => {
  const base = dockerfile.globalArgs.get('BASE_IMAGE');
  assert.match(
    base ?? '',
    /^nvidia\/cuda:11\.8\.\d+-cudnn8-runtime-ubuntu22\.04@sha256:[a-f0-9]{64}$/,
    'CUDA 11.x keeps the sonames libtensorflow 2.9 links; 11.8 on 22.04 is the tag NVIDIA still lists',
  );
  // every stage starts from that base or from a stage above: nothing unpinned comes in
  const stageNames = new Set<string>();
  for (const stage of dockerfile.stages) {
    assert.ok(stage.from === '${BASE_IMAGE}' || stageNames.has(stage.from), `FROM ${stage.from}`);
    if (stage.name) stageNames.add(stage.name);
  }
});

test('the image installs one libtensorflow: tfjs-node-gpu, with tfjs-node dropped before its install script runs', () => {
  const install = runs(finalStage).find((run) => run.args.includes('npm ci'));
  assert.ok(install, 'the final stage installs the runtime dependencies');
  const steps = install.args.split('&&').map((step) => step.trim());
  const ci = steps.findIndex((step) => step.startsWith('npm ci'));
  const drop = steps.indexOf('rm -rf node_modules/@tensorflow/tfjs-node');
  const rebuild = steps.indexOf('npm rebuild @tensorflow/tfjs-node-gpu');
  assert.match(steps[ci]!, /--omit=dev/);
  assert.match(steps[ci]!, /--ignore-scripts/, 'no install script runs with the whole tree, tfjs-node in it');
  assert.ok(ci < drop && drop < rebuild, steps.join(' && '));
  // the one GPU binding loads, and Dawn's bindings stay for the WebGPU backend
  assert.ok(steps.some((step) => /require\('@tensorflow\/tfjs-node-gpu'\)/.test(step)));
  assert.ok(steps.some((step) => /import\('webgpu'\)/.test(step)));
  const packageJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    optionalDependencies: Record<string, string>;
  };
  for (const name of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu'])
    assert.ok(
      name in packageJson.optionalDependencies,
      `${name} is the optional dependency the image expects`,
    );
});

test('skipping install scripts skips none the image needs: every runtime package that has one is accounted for', () => {
  const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean; dev?: boolean }>;
  };
  const withScripts = Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript && !entry.dev)
    .map(([key]) => key.replace(/^node_modules\//, ''))
    .sort();
  assert.deepEqual(withScripts, [
    '@tensorflow/tfjs-node', // removed from the image
    '@tensorflow/tfjs-node-gpu', // its script alone runs (npm rebuild)
    'core-js', // postinstall prints a funding banner
    'esbuild', // tsx's (unused by the bundle); its binary comes as an optional package, the script only checks it
    'webgpu', // postinstall clears a macOS quarantine attribute; dawn.node ships prebuilt
  ]);
});

test("Dawn's prebuilt bindings load on the base's Ubuntu 22.04 (glibc 2.35, GCC 12's libstdc++)", () => {
  const require = createRequire(path.join(REPO_ROOT, 'package.json'));
  const dawn = readFileSync(
    path.join(path.dirname(require.resolve('webgpu/package.json')), 'dist/linux-x64/dawn.node'),
  );
  const needed = (prefix: string) =>
    [...dawn.toString('latin1').matchAll(new RegExp(`${prefix}_(\\d+)\\.(\\d+)(?:\\.(\\d+))?`, 'g'))]
      .map((match) => [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
      .at(-1);
  const glibc = needed('GLIBC');
  const glibcxx = needed('GLIBCXX');
  assert.ok(glibc && (glibc[0] < 2 || (glibc[0] === 2 && glibc[1] <= 35)), `dawn.node needs GLIBC_${glibc}`);
  assert.ok(glibcxx && glibcxx[2] <= 30, `dawn.node needs GLIBCXX_${glibcxx}`);
});

test('WebGPU reaches the GPU: the Vulkan loader is installed and the runtime is asked to mount the graphics driver', () => {
  const aptInstalls = runs(finalStage)
    .flatMap((run) => run.args.split('&&'))
    .filter((step) => /apt-get install/.test(step))
    .flatMap((step) => step.trim().split(' '));
  assert.ok(aptInstalls.includes('libvulkan1'), aptInstalls.join(' '));
  const capabilities = envs(finalStage)
    .map((env) => /NVIDIA_DRIVER_CAPABILITIES=(\S+)/.exec(env.args)?.[1])
    .filter((value) => value !== undefined)
    .at(-1);
  assert.deepEqual(capabilities?.split(',').sort(), ['compute', 'graphics', 'utility']);
  // `auto` must be free to take either GPU backend; a pinned ALPHA15_BACKEND would rule one out
  assert.ok(!envs(finalStage).some((env) => /ALPHA15_BACKEND=/.test(env.args)));
});

test('tini is PID 1 and runs the bundle with the Node release the bundle targets', () => {
  const entrypoint = finalStage.instructions
    .filter((instruction) => instruction.keyword === 'ENTRYPOINT')
    .at(-1);
  const argv = JSON.parse(entrypoint?.args ?? 'null') as string[];
  assert.deepEqual(argv.slice(0, 3), ['/usr/bin/tini', '-g', '--']);
  assert.deepEqual(argv.slice(3), ['node', '/opt/alpha15/dist/train.mjs']);
  assert.ok(runs(finalStage).some((run) => /apt-get install[^&]* tini\b/.test(run.args)));
  const nodeVersion = lineage(finalStage)
    .filter((instruction) => instruction.keyword === 'ARG')
    .map((instruction) => /^NODE_VERSION=(\d+)\./.exec(instruction.args)?.[1])
    .find((major) => major !== undefined);
  assert.equal(`node${nodeVersion}`, TRAINING_NODE_TARGET);
});

/**
 * Our WebGPU kernels against tfjs's shipped ones, in the same run: one child process trains and runs
 * a ResNet1D on the WebGPU backend as tfjs ships it, a second does the same with registerWebGpuKernels(),
 * and the table gives both and their ratio; two rows time one op alone (the widening block's residual sum
 * with its gradients, a conv's bias gradient), stock kernels against ours. On a machine without a GPU, Dawn runs on Mesa's lavapipe (a
 * CPU Vulkan driver): the ratio is then a sanity signal about dispatch counts and passes over memory,
 * NOT a GPU figure, and says nothing about the targets against PyTorch on CUDA.
 *
 *   npx tsx bench/webgpu-kernels.ts [--filters 16] [--blocks 6] [--window 128] [--channels 35]
 *                                   [--batch 16] [--steps 5] [--json]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { maskedL1 } from '../src/model/loss.js';
import { buildResNet1D, filtersAt } from '../src/model/resnet1d.js';
import { residualAdd } from '../src/model/residual-add.js';
import { registerWebGpuKernels } from '../src/model/kernels/webgpu/register.js';
import { ResumableAdam } from '../src/model/resumable-adam.js';

const { values: flags } = parseArgs({
  options: {
    filters: { type: 'string', default: '16' },
    blocks: { type: 'string', default: '6' },
    window: { type: 'string', default: '128' },
    channels: { type: 'string', default: '35' },
    batch: { type: 'string', default: '16' },
    steps: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    /** Set in the child processes: 'stock' or 'ours'. */
    child: { type: 'string' },
  },
});

interface Timings {
  /** tfjs's WebGPUBackend.adapterInfo: vendor and architecture ("mesa", "software" for lavapipe). */
  adapter: { vendor: string; architecture: string };
  firstStepMs: number;
  trainStepMs: number;
  inferBatchMs: number;
  /** The widening block's residual sum alone, forward and both gradients, REPEATS times. */
  residualSumMs: number;
  /** A block conv's bias gradient alone (Sum of dy over batch and time), REPEATS times. */
  biasGradientMs: number;
}

/** Runs of a single op per timing: one is too short to time against a dispatch's overhead. */
const REPEATS = 20;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Dawn's Node bindings as navigator.gpu and tfjs's WebGPU backend on top. Once backend selection knows
 * 'webgpu' (src/model/backend.ts, another branch), this becomes selectBackend('webgpu').
 */
async function startWebGpu(ourKernels: boolean): Promise<void> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('the WebGPU backend did not start');
  if (ourKernels) registerWebGpuKernels();
}

async function measure(ourKernels: boolean): Promise<Timings> {
  await startWebGpu(ourKernels);
  const [batch, window, channels, outputs] = [
    Number(flags.batch),
    Number(flags.window),
    Number(flags.channels),
    7,
  ];
  const model = buildResNet1D({
    timesteps: window,
    channels,
    outputs,
    filters: Number(flags.filters),
    blocks: Number(flags.blocks),
  });
  const optimizer = new ResumableAdam(1e-3, 0.9, 0.999, 1e-7);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const x = tf.randomNormal([batch, window, channels], 0, 1, 'float32', 1);
  const y = tf.randomNormal([batch, outputs], 0, 1, 'float32', 2);
  const mask = tf.onesLike(y);
  const step = async (): Promise<number> => {
    const startedMs = performance.now();
    const loss = optimizer.minimize(
      () => maskedL1(y, model.apply(x, { training: true }) as tf.Tensor, mask),
      true,
      variables,
    );
    await loss!.data();
    loss!.dispose();
    return performance.now() - startedMs;
  };
  const infer = async (): Promise<number> => {
    const startedMs = performance.now();
    const output = model.predict(x) as tf.Tensor;
    await output.data();
    output.dispose();
    return performance.now() - startedMs;
  };
  // The sum of the first block that widens (block 4, after two halvings): the stock child runs tfjs's
  // PadV2 + Add and their gradients (Slice for the shortcut), ours runs our two programs.
  const [narrow, wide] = [filtersAt(0, Number(flags.filters)), filtersAt(4, Number(flags.filters))];
  const sumShape = [batch, Math.ceil(window / 4)];
  const main = tf.randomNormal([...sumShape, wide], 0, 1, 'float32', 3);
  const shortcut = tf.randomNormal([...sumShape, narrow], 0, 1, 'float32', 4);
  const upstream = tf.randomNormal([...sumShape, wide], 0, 1, 'float32', 5);
  // The bias gradient of the first block's convs: dy [batch, 1, window, filters] summed to [filters].
  const convGradient = tf.randomNormal([batch, 1, window, narrow], 0, 1, 'float32', 6);
  /** Median time of REPEATS runs of `run`, the last run's outputs read, over `steps` timings. */
  const timeRepeated = async (run: () => tf.Tensor[]): Promise<number> => {
    const once = async (): Promise<number> => {
      const startedMs = performance.now();
      let outputs: tf.Tensor[] = [];
      for (let at = 0; at < REPEATS; at++) {
        tf.dispose(outputs);
        outputs = run();
      }
      await Promise.all(outputs.map((output) => output.data()));
      tf.dispose(outputs);
      return performance.now() - startedMs;
    };
    await once();
    const times: number[] = [];
    for (let at = 0; at < Number(flags.steps); at++) times.push(await once());
    return median(times);
  };
  const firstStepMs = await step();
  const steps = Number(flags.steps);
  const trainTimes: number[] = [];
  for (let at = 0; at < steps; at++) trainTimes.push(await step());
  await infer();
  const inferTimes: number[] = [];
  for (let at = 0; at < steps; at++) inferTimes.push(await infer());
  const residualSumMs = await timeRepeated(() =>
    tf.grads((m: tf.Tensor, s: tf.Tensor) => residualAdd(m, s))([main, shortcut], upstream),
  );
  const biasGradientMs = await timeRepeated(() => [tf.sum(convGradient, [0, 1, 2])]);
  const { vendor, architecture } = (tf.backend() as unknown as { adapterInfo: Timings['adapter'] })
    .adapterInfo;
  return {
    adapter: { vendor, architecture },
    firstStepMs,
    trainStepMs: median(trainTimes),
    inferBatchMs: median(inferTimes),
    residualSumMs,
    biasGradientMs,
  };
}

if (flags.child !== undefined) {
  process.stdout.write(JSON.stringify(await measure(flags.child === 'ours')));
} else {
  const script = fileURLToPath(import.meta.url);
  const forwarded = process.argv.slice(2).filter((arg) => arg !== '--json');
  const run = (child: string): Timings =>
    JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', script, ...forwarded, '--child', child], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Timings;
  const stock = run('stock');
  const ours = run('ours');
  const { vendor, architecture } = ours.adapter;
  const software = architecture === 'software' || vendor === 'mesa';
  const adapter = `adapter ${vendor} ${architecture}${software ? ' (a CPU driver: NOT a GPU figure)' : ''}`;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ flags, adapter, stock, ours })}\n`);
  } else {
    console.log(
      `ResNet1D ${flags.filters} filters, ${flags.blocks} blocks, window ${flags.window} x ${flags.channels}, batch ${flags.batch}; ${adapter}`,
    );
    console.log('                     tfjs stock    ours     stock/ours');
    for (const [label, key] of [
      ['train step (ms)', 'trainStepMs'],
      ['infer batch (ms)', 'inferBatchMs'],
      ['first step (ms)', 'firstStepMs'],
      [`residual sum x${REPEATS} (ms)`, 'residualSumMs'],
      [`bias gradient x${REPEATS} (ms)`, 'biasGradientMs'],
    ] as const)
      console.log(
        `${label.padEnd(20)} ${stock[key].toFixed(1).padStart(10)} ${ours[key].toFixed(1).padStart(8)} ${(stock[key] / ours[key]).toFixed(2).padStart(10)}x`,
      );
  }
}

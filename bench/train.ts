/**
 * Training and inference speed of the default ResNet1D (64 filters, 6 blocks, kernel 3) on the active
 * TensorFlow.js backend, on random input [batch 64, 512 minutes, 20 coins x 8 features], beside the same
 * architecture in PyTorch (bench/torch_resnet1d.py, run by Debian's /usr/bin/python3 when it has torch),
 * plus the two budgets around training: how fast the data pipeline assembles batches (it must never be
 * what training waits for) and the peak memory of a training run on a synthetic month of 20 symbols.
 *
 *   npm run bench:train [-- --json] [--steps 10] [--batch 64] [--threads 2] [--backend auto]
 *                       [--profile] [--no-torch] [--no-pipeline] [--no-memory] [--memory-stride 60]
 *                       [--timesteps 512] [--filters 64] [--blocks 6]
 *                       [--torch-device cpu|cuda] [--torch-python /usr/bin/python3]
 *
 * On WebGPU (`--backend webgpu`) it also prints the adapter and the first training step's time, most of
 * which is compiling the shaders. Every timed step ends with a read back of its result, so GPU work is
 * inside the timing. --torch-device cuda runs the PyTorch reference on the same GPU (synchronised);
 * docs/gpu.md has the whole GPU measurement (bench/gpu/run.sh).
 * --profile prints where a training step spends its time, per kernel (tf.profile).
 * Both sides share the machine's cores: numbers taken while anything else runs are not comparable, so
 * the 1-minute load average at the start is printed with them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { configSchema } from '../src/config/schema.js';
import { DEFAULT_SYMBOLS } from '../src/config/defaults.js';
import { batches } from '../src/features/dataset.js';
import { forwardReturns } from '../src/features/targets.js';
import { alignToGrid } from '../src/lake/grid.js';
import type { MarketFrame } from '../src/lake/frame.js';
import { generateSyntheticMarket } from '../src/market/synthetic.js';
import { formatBackend, selectBackend } from '../src/model/backend.js';
import { backendPreferenceSchema, type BackendPreference } from '../src/contracts/backends.js';
import { maskedL1 } from '../src/model/loss.js';
import { buildResNet1D, describeParameters } from '../src/model/resnet1d.js';
import { trainModel } from '../src/app/train.js';
import { prepareFold } from '../src/model/training-data.js';
import { planFolds } from '../src/model/walk-forward.js';
import { MINUTE_MS, parseTimeMs } from '../src/time.js';

const { values: flags } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    batch: { type: 'string', default: '64' },
    threads: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'auto' },
    profile: { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    'no-pipeline': { type: 'boolean', default: false },
    'no-memory': { type: 'boolean', default: false },
    timesteps: { type: 'string', default: '512' },
    filters: { type: 'string', default: '64' },
    blocks: { type: 'string', default: '6' },
    'torch-device': { type: 'string', default: 'cpu' },
    'torch-python': { type: 'string', default: '/usr/bin/python3' },
    'pipeline-days': { type: 'string', default: '7' },
    'pipeline-seconds': { type: 'string', default: '5' },
    'memory-days': { type: 'string', default: '30' },
    'memory-stride': { type: 'string', default: '60' },
    /** Internal: this process is the memory run's child; print its peak RSS as JSON and exit. */
    'memory-child': { type: 'boolean', default: false },
  },
});

/** Progress to stderr, so that stdout holds only the result (JSON with --json). */
const log = (line: string) => console.error(line);

const TIMESTEPS = Number(flags.timesteps);
const FILTERS = Number(flags.filters);
const BLOCKS = Number(flags.blocks);
const COINS = 20;
const FEATURES = 8;
const HORIZON_MINUTES = 15;
const SYNTHETIC_START_MS = parseTimeMs('2026-01-01');
const TORCH_PYTHON = flags['torch-python'];
const TORCH_DEVICE = z.enum(['cpu', 'cuda']).parse(flags['torch-device']);
const TORCH_SCRIPT = fileURLToPath(new URL('./torch_resnet1d.py', import.meta.url));
const THIS_SCRIPT = fileURLToPath(import.meta.url);
const LATENCY_RUNS = 20;

const batchSize = Number(flags.batch);
const steps = Number(flags.steps);
const warmupSteps = Number(flags.warmup);
const threads = Number(flags.threads);
const backendPreference: BackendPreference = backendPreferenceSchema.parse(flags.backend);
const symbols = DEFAULT_SYMBOLS.slice(0, COINS);

const torchResultSchema = z.object({
  torch: z.string(),
  device: z.string(),
  threads: z.number(),
  blas: z.array(z.string()),
  train: z.object({ samplesPerSecond: z.number() }),
  infer: z.object({ samplesPerSecond: z.number(), batchLatencyMs: z.number() }),
  singleSampleLatencyMs: z.number(),
});
type TorchResult = z.infer<typeof torchResultSchema>;

const memoryResultSchema = z.object({
  peakRssBytes: z.number(),
  symbols: z.number(),
  minutes: z.number(),
  trainingSamples: z.number(),
  sampleStrideMinutes: z.number(),
  samplesPerSecond: z.number(),
});
type MemoryResult = z.infer<typeof memoryResultSchema>;

function syntheticFrame(days: number): MarketFrame {
  const minutes = days * 1440;
  const market = generateSyntheticMarket({
    symbols,
    startTimeMs: SYNTHETIC_START_MS,
    minutes,
    seed: 1,
    gapRate: 0.001,
  });
  return alignToGrid(market, SYNTHETIC_START_MS, SYNTHETIC_START_MS + minutes * MINUTE_MS);
}

/** The default config over the benchmark's symbols: window 512, 64 filters, 6 blocks, kernel 3. */
function benchConfig(sampleStrideMinutes: number) {
  return configSchema.parse({
    symbols,
    training: { epochs: 1, batchSize, sampleStrideMinutes, testFraction: 0 },
  });
}

if (flags['memory-child']) {
  await memoryChild();
} else {
  await main();
}

/**
 * One epoch of a real training run (trainModel, the core of `alpha15 train`) on a synthetic month of 20
 * symbols with the default model; the stride only thins the samples trained on, so the run stays short
 * while every array of the month (frame, features, targets) is built and held as in a full run.
 */
async function memoryChild(): Promise<void> {
  const days = Number(flags['memory-days']);
  const sampleStrideMinutes = Number(flags['memory-stride']);
  const frame = syntheticFrame(days);
  // trainModel takes no thread count: select first, so it reuses this backend with --threads
  await selectBackend(backendPreference, { threads });
  const result = await trainModel({
    frame,
    config: benchConfig(sampleStrideMinutes),
    backend: backendPreference,
  });
  const memory: MemoryResult = {
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    symbols: symbols.length,
    minutes: frame.length,
    trainingSamples: result.meta.trainingSamples,
    sampleStrideMinutes,
    samplesPerSecond: result.samplesPerSecond,
  };
  process.stdout.write(`${JSON.stringify(memory)}\n`);
}

async function main(): Promise<void> {
  const loadAverage = loadavg()[0]!;
  const backend = await selectBackend(backendPreference, { threads });
  const model = buildResNet1D({
    timesteps: TIMESTEPS,
    channels: COINS * FEATURES,
    outputs: COINS,
    filters: FILTERS,
    blocks: BLOCKS,
  });
  log(describeParameters(model));
  const optimizer = tf.train.adam(1e-3);
  const inputs = tf.randomNormal([batchSize, TIMESTEPS, COINS * FEATURES], 0, 1, 'float32', 1);
  const targets = tf.randomNormal([batchSize, COINS], 0, 0.01, 'float32', 2);
  const mask = tf.ones([batchSize, COINS]);
  const oneSample = tf.slice(inputs, [0, 0, 0], [1, TIMESTEPS, COINS * FEATURES]);

  // Async reads: WebGPU in Node cannot read back synchronously; the read keeps the GPU's work timed.
  const trainStep = async (): Promise<void> => {
    const loss = optimizer.minimize(() => maskedL1(targets, model.apply(inputs) as tf.Tensor, mask), true);
    await loss!.data();
    loss!.dispose();
  };
  const inferStep = (input: tf.Tensor) => async (): Promise<void> => {
    const output = model.predict(input) as tf.Tensor;
    await output.data();
    output.dispose();
  };

  // The first step compiles every shader (WebGPU) or kernel set-up (wasm): timed apart.
  const firstStepStartMs = performance.now();
  await trainStep();
  const firstTrainStepMs = performance.now() - firstStepStartMs;
  // Warm-up steps create Adam's moments and pack weights; tensors alive after them must stay flat.
  for (let i = 0; i < warmupSteps; i++) await trainStep();
  const tensorsBefore = tf.memory().numTensors;
  const trainSamplesPerSecond = await samplesPerSecond('train', trainStep);
  const leakedTensorsPerStep = (tf.memory().numTensors - tensorsBefore) / steps;
  const inferSamplesPerSecond = await samplesPerSecond('infer', inferStep(inputs));
  const singleSampleLatencyMs = await medianLatencyMs(inferStep(oneSample));
  const profile = flags.profile ? await kernelProfile(trainStep) : undefined;
  const parameters = model.countParams();
  tf.dispose([inputs, targets, mask, oneSample]);
  optimizer.dispose();
  model.dispose();

  const pipeline = flags['no-pipeline'] ? undefined : measurePipeline();
  const torch = runTorch();
  const memory = flags['no-memory'] ? undefined : runMemoryChild();

  const ratio = (ours: number, theirs: number | undefined) => (theirs === undefined ? null : ours / theirs);
  const result = {
    backend: backend.name,
    adapter: backend.adapter ?? null,
    threads: backend.threads,
    simd: backend.simd ?? null,
    shape: { timesteps: TIMESTEPS, channels: COINS * FEATURES, filters: FILTERS, blocks: BLOCKS },
    firstTrainStepMs,
    batch: batchSize,
    steps,
    parameters,
    loadAverage1m: loadAverage,
    train: {
      samplesPerSecond: trainSamplesPerSecond,
      torchSamplesPerSecond: torch?.train.samplesPerSecond ?? null,
      ratio: ratio(trainSamplesPerSecond, torch?.train.samplesPerSecond),
    },
    infer: {
      samplesPerSecond: inferSamplesPerSecond,
      torchSamplesPerSecond: torch?.infer.samplesPerSecond ?? null,
      ratio: ratio(inferSamplesPerSecond, torch?.infer.samplesPerSecond),
      batchLatencyMs: (1000 * batchSize) / inferSamplesPerSecond,
      torchBatchLatencyMs: torch?.infer.batchLatencyMs ?? null,
      singleSampleLatencyMs,
      torchSingleSampleLatencyMs: torch?.singleSampleLatencyMs ?? null,
    },
    leakedTensorsPerStep,
    torch:
      torch === undefined
        ? null
        : { version: torch.torch, device: torch.device, threads: torch.threads, blas: torch.blas },
    dataPipeline:
      pipeline === undefined
        ? null
        : { ...pipeline, timesTrainingThroughput: pipeline.samplesPerSecond / trainSamplesPerSecond },
    peakMemory:
      memory === undefined
        ? null
        : {
            ...memory,
            source: 'synthetic (src/market/synthetic.ts)',
            peakRssGiB: memory.peakRssBytes / 2 ** 30,
          },
    ...(profile === undefined ? {} : { profile }),
  };

  const describe = (r: typeof result): string => {
    const fmt = (value: number | null, digits = 1) => (value === null ? '—' : value.toFixed(digits));
    const torchLabel = r.torch
      ? `PyTorch ${r.torch.version} (${r.torch.device === 'cpu' ? `${r.torch.threads} threads` : r.torch.device})`
      : 'PyTorch (not run)';
    const lines = [
      `backend ${formatBackend(backend)}, batch ${r.batch}, ${r.parameters.toLocaleString('en-US')} parameters, ${r.steps} timed steps, load average ${r.loadAverage1m.toFixed(2)} at start`,
      `first training step (shader compile / kernel set-up) ${fmt(r.firstTrainStepMs, 0)} ms`,
      `                      tfjs  ${torchLabel.padStart(30)}   ratio`,
      `train samples/s   ${fmt(r.train.samplesPerSecond).padStart(8)}  ${fmt(r.train.torchSamplesPerSecond).padStart(30)}   ${fmt(r.train.ratio, 2)}x`,
      `infer samples/s   ${fmt(r.infer.samplesPerSecond).padStart(8)}  ${fmt(r.infer.torchSamplesPerSecond).padStart(30)}   ${fmt(r.infer.ratio, 2)}x`,
      `batch latency ms  ${fmt(r.infer.batchLatencyMs).padStart(8)}  ${fmt(r.infer.torchBatchLatencyMs).padStart(30)}`,
      `1-sample lat. ms  ${fmt(r.infer.singleSampleLatencyMs, 2).padStart(8)}  ${fmt(r.infer.torchSingleSampleLatencyMs, 2).padStart(30)}`,
      `tensors leaked per training step: ${r.leakedTensorsPerStep}`,
    ];
    if (r.dataPipeline !== null) {
      lines.push(
        `data pipeline: ${fmt(r.dataPipeline.samplesPerSecond, 0)} samples/s to tensors (${r.dataPipeline.days} synthetic days), ${fmt(r.dataPipeline.timesTrainingThroughput)}x training throughput`,
      );
    }
    if (r.peakMemory !== null) {
      lines.push(
        `peak RSS of a training run on a ${r.peakMemory.source} month of ${r.peakMemory.symbols} symbols (${r.peakMemory.minutes} minutes, ${r.peakMemory.trainingSamples} samples at stride ${r.peakMemory.sampleStrideMinutes}): ${fmt(r.peakMemory.peakRssGiB, 2)} GiB`,
      );
    }
    if (profile !== undefined) {
      const totalMs = profile.reduce((sum, k) => sum + k.ms, 0);
      lines.push('training step, time per kernel:');
      for (const { kernel, ms, calls } of profile.slice(0, 15)) {
        lines.push(
          `  ${kernel.padEnd(24)} ${ms.toFixed(1).padStart(8)} ms  ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${calls} calls`,
        );
      }
    }
    return lines.join('\n');
  };
  process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : describe(result)}\n`);
}

/** Samples/s over `steps` timed calls after `warmupSteps` untimed ones (kernel setup, weight packing). */
async function samplesPerSecond(label: string, step: () => Promise<void>): Promise<number> {
  for (let i = 0; i < warmupSteps; i++) await step();
  const startMs = performance.now();
  for (let i = 0; i < steps; i++) {
    await step();
    log(`${label}: step ${i + 1}/${steps}`);
  }
  return (batchSize * steps * 1000) / (performance.now() - startMs);
}

async function medianLatencyMs(step: () => Promise<void>): Promise<number> {
  for (let i = 0; i < warmupSteps; i++) await step();
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const startMs = performance.now();
    await step();
    latencies.push(performance.now() - startMs);
  }
  latencies.sort((a, b) => a - b);
  return latencies[Math.floor(latencies.length / 2)]!;
}

async function kernelProfile(
  step: () => Promise<void>,
): Promise<Array<{ kernel: string; ms: number; calls: number }>> {
  const profile = await tf.profile(step);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const kernel of profile.kernels) {
    const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(kernel.kernelTimeMs);
    entry.calls++;
    byKernel.set(kernel.name, entry);
  }
  return [...byKernel].map(([kernel, entry]) => ({ kernel, ...entry })).sort((a, b) => b.ms - a.ms);
}

/**
 * The training loop's data path, timed alone: a synthetic week of 20 symbols through prepareFold
 * (features, train-split stats, gap-masked targets, sample end rows), then batches of windows copied
 * from the feature matrix and turned into the x, y and mask tensors a training step takes.
 */
function measurePipeline(): { samplesPerSecond: number; days: number; samples: number } {
  const days = Number(flags['pipeline-days']);
  const frame = syntheticFrame(days);
  const config = benchConfig(1);
  const plan = planFolds(frame.length, config);
  const prepared = prepareFold(frame, forwardReturns(frame, HORIZON_MINUTES), plan.folds[0]!, config);
  const channels = prepared.features.channels;
  const budgetMs = Number(flags['pipeline-seconds']) * 1000;
  let samples = 0;
  const startMs = performance.now();
  for (let epoch = 0; performance.now() - startMs < budgetMs; epoch++) {
    for (const batch of batches(prepared.features, prepared.targets, prepared.trainEndRows, {
      batchSize,
      windowMinutes: TIMESTEPS,
      shuffleSeed: epoch,
    })) {
      const tensors = [
        tf.tensor3d(batch.x, [batch.size, TIMESTEPS, channels]),
        tf.tensor2d(batch.y, [batch.size, symbols.length]),
        tf.tensor2d(batch.mask, [batch.size, symbols.length]),
      ];
      tf.dispose(tensors);
      samples += batch.size;
      if (performance.now() - startMs >= budgetMs) break;
    }
  }
  return { samplesPerSecond: (samples * 1000) / (performance.now() - startMs), days, samples };
}

function runTorch(): TorchResult | undefined {
  if (flags['no-torch'] || !existsSync(TORCH_PYTHON)) return undefined;
  const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    log(`PyTorch reference skipped: ${TORCH_PYTHON} cannot import torch (apt-get install python3-torch)`);
    return undefined;
  }
  log('PyTorch reference: running bench/torch_resnet1d.py');
  const run = spawnSync(
    TORCH_PYTHON,
    [
      TORCH_SCRIPT,
      '--json',
      '--batch',
      String(batchSize),
      '--threads',
      String(threads),
      '--steps',
      String(steps),
      '--warmup',
      String(warmupSteps),
      '--timesteps',
      String(TIMESTEPS),
      '--filters',
      String(FILTERS),
      '--blocks',
      String(BLOCKS),
      '--device',
      TORCH_DEVICE,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (run.status !== 0) {
    log(`PyTorch reference failed with exit code ${run.status}`);
    return undefined;
  }
  return torchResultSchema.parse(JSON.parse(run.stdout));
}

/** The memory run in a child process of its own, so its peak RSS is the training run's alone. */
function runMemoryChild(): MemoryResult | undefined {
  log(
    `peak memory: training one epoch on a synthetic ${flags['memory-days']}-day month of ${symbols.length} symbols`,
  );
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      THIS_SCRIPT,
      '--memory-child',
      '--backend',
      flags.backend,
      '--threads',
      String(threads),
      '--batch',
      String(batchSize),
      '--memory-days',
      flags['memory-days'],
      '--memory-stride',
      flags['memory-stride'],
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (run.status !== 0) {
    log(`peak memory run failed with exit code ${run.status}`);
    return undefined;
  }
  return memoryResultSchema.parse(JSON.parse(run.stdout));
}

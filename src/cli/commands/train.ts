/**
 * `alpha15 train`: trains a model on the lake and saves it in the store's registry. The action is a
 * thin shell over `trainModel`; the model flags (`addModelOptions`, `modelOverrides`) are exported so
 * `simulate` and `start` size their models with the same flags. `--sagemaker-root` runs the SageMaker
 * container's entry point (src/app/training-job.ts) on a local directory tree, to try a job before it
 * runs in AWS.
 */
import { untilInterrupted } from '../interrupt.js';
import { Command, Option } from 'commander';
import { parseConfig } from '../../config/load.js';
import { backendPreferenceSchema, type BackendPreference } from '../../contracts/backends.js';
import { trainModel } from '../../app/train.js';
import { toReport, type TrainReport } from '../../app/train-report.js';
import {
  positiveInteger,
  resolveLakeConfig,
  withCommonOptions,
  type CommonOptions,
  flagRange,
} from '../common.js';
import { emit, log } from '../output.js';
import { trainingProgress } from '../../ui/training-progress.js';
import { runSageMakerTraining } from '../../app/training-job.js';

export interface TrainFlags extends CommonOptions {
  from?: string;
  to?: string;
  epochs?: number;
  walkForward?: number;
  init?: string;
  sampleStride?: number;
  batchSize?: number;
  filters?: number;
  blocks?: number;
  window?: number;
  target?: 'raw' | 'residual';
  backend?: BackendPreference;
  promote?: boolean;
  checkpointDir?: string;
}

export function register(program: Command): void {
  const command = program
    .command('train')
    .description(
      'Train the ResNet1D on the lake: chronological train/validation/test split with an embargo (or walk-forward folds), ' +
        'normalisation from the training split only, Adam + masked L1, early stopping. Saves models/<id>/ in the store ' +
        'and makes it champion when none exists (or with --promote). Ctrl-C stops and saves the best epoch so far.',
    );
  addTrainOptions(withCommonOptions(command))
    .option(
      '--sagemaker-root <dir>',
      'run the SageMaker container entry point on a local tree instead: <dir>/input/config/hyperparameters.json in, ' +
        '<dir>/model, <dir>/checkpoints and <dir>/output/failure out (the other training flags are ignored)',
    )
    .action(async (flags: TrainFlags & { sagemakerRoot?: string }) => {
      if (flags.sagemakerRoot !== undefined) {
        // metric lines go to stdout as in the container, unless stdout carries the JSON result
        const result = await runSageMakerTraining(flags.sagemakerRoot, {
          writeLine: flags.json ? log : undefined,
        });
        emit(flags, result, (job) =>
          job.ok ? `job ${job.jobName}: model ${job.modelId}` : `job failed: ${job.failure}`,
        );
        if (!result.ok) process.exitCode = 1;
        return;
      }
      const report = await runTrain(flags);
      emit(flags, report, humanReport);
    });
}

function addTrainOptions(command: Command): Command {
  return addModelOptions(
    command
      .option('--from <time>', 'first minute of data (UTC ISO date or epoch ms; default: start of the lake)')
      .option('--to <time>', 'end of data, exclusive (default: end of the lake)'),
  )
    .option(
      '--walk-forward <k>',
      'train k expanding-window folds and keep the last',
      positiveInteger('--walk-forward'),
    )
    .option(
      '--init <modelId>',
      'fine-tune: start from this model (weights and stats) and train on newer data only',
    )
    .option('--promote', 'make the new model champion even if one exists')
    .option(
      '--checkpoint-dir <dir>',
      'checkpoint every epoch into <dir> and resume from it when it holds a checkpoint of the same config and data',
    );
}

const CONFIG_DEFAULTS = parseConfig({});

/**
 * "(default: <config path> = <value>)": the value comes from the config (file, ALPHA15_* variables)
 * when the flag is not given, so help names the field and its built-in default instead of setting one.
 */
function configDefault(configPath: string): string {
  const value = configPath
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], CONFIG_DEFAULTS);
  return `(default: config ${configPath}, built in ${String(value)})`;
}

/** The model size and training flags every command that trains shares (train, simulate). */
export type ModelFlags = Pick<
  TrainFlags,
  'epochs' | 'sampleStride' | 'batchSize' | 'filters' | 'blocks' | 'window' | 'target' | 'backend'
>;

export function addModelOptions(command: Command): Command {
  return command
    .option(
      '--epochs <n>',
      `most epochs per fold ${configDefault('training.epochs')}`,
      positiveInteger('--epochs'),
    )
    .option(
      '--sample-stride <minutes>',
      `minutes between training samples (larger = faster, fewer samples) ${configDefault('training.sampleStrideMinutes')}`,
      positiveInteger('--sample-stride'),
    )
    .option(
      '--batch-size <n>',
      `samples per batch ${configDefault('training.batchSize')}`,
      positiveInteger('--batch-size'),
    )
    .option(
      '--filters <n>',
      `filters of the first convolution ${configDefault('model.filters')}`,
      positiveInteger('--filters'),
    )
    .option('--blocks <n>', `residual blocks ${configDefault('model.blocks')}`, positiveInteger('--blocks'))
    .option(
      '--window <minutes>',
      `input window length in minutes ${configDefault('windowMinutes')}`,
      positiveInteger('--window'),
    )
    .addOption(
      new Option(
        '--target <kind>',
        "what the model learns: 'raw' 15-minute returns, or 'residual' returns minus the coinWeights-weighted universe average (G-Research) " +
          configDefault('target'),
      ).choices(['raw', 'residual']),
    )
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend')
        .choices(backendPreferenceSchema.options)
        .default('auto'),
    );
}

/** The model flags as dotted config overrides. */
export function modelOverrides(flags: ModelFlags): Record<string, unknown> {
  return {
    'training.epochs': flags.epochs,
    'training.sampleStrideMinutes': flags.sampleStride,
    'training.batchSize': flags.batchSize,
    'model.filters': flags.filters,
    'model.blocks': flags.blocks,
    windowMinutes: flags.window,
    target: flags.target,
  };
}

/** What Ctrl-C keeps of a training run; shared with `start`. */
export const TRAIN_INTERRUPTED = 'interrupted, finishing the current batch and saving the best epoch so far';

/** Resolves config and store from the flags, trains with a progress bar and Ctrl-C handling, and reports. */
export async function runTrain(
  flags: TrainFlags,
  configOverrides: Record<string, unknown> = {},
): Promise<TrainReport> {
  const { config, store } = await resolveLakeConfig(flags, {
    ...modelOverrides(flags),
    'training.walkForwardFolds': flags.walkForward,
    ...configOverrides,
  });
  return untilInterrupted(TRAIN_INTERRUPTED, async (signal) => {
    const result = await trainModel({
      config,
      store,
      ...flagRange(flags),
      initModelId: flags.init,
      backend: flags.backend,
      promote: flags.promote,
      checkpointDir: flags.checkpointDir,
      progress: trainingProgress(log),
      log,
      signal,
    });
    result.predictor.dispose();
    return toReport(result, config);
  });
}

function humanReport(report: TrainReport): string {
  const number = (value: number, digits = 4) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
  const lines = [
    `model ${report.modelId}${report.champion ? ' (champion)' : ''}${report.aborted ? ' — interrupted, best epoch saved' : ''}`,
    `backend ${report.backend}${report.adapter === null ? '' : ` (adapter ${report.adapter.vendor} ${report.adapter.device})`}, ${report.trainingSamples} training samples, ${number(report.samplesPerSecond, 0)} samples/s`,
    `validation ${report.split.validation.from} .. ${report.split.validation.to}: loss ${number(report.val.loss)}, IC ${number(report.val.ic)}, rank IC ${number(report.val.rankIc)}, weighted corr ${number(report.val.weightedCorrelation)}, hit rate ${number(report.val.hitRate, 3)} (target ${report.target})`,
    `IC by horizon: ${report.icDecay.map((point) => `${point.horizonMinutes}m ${number(point.ic)}`).join(', ')}`,
    ...Object.entries(report.valPerCoin).map(
      ([symbol, coin]) =>
        `  ${symbol.padEnd(10)} IC ${number(coin.ic)}  rank IC ${number(coin.rankIc)}  hit ${number(coin.hitRate, 3)}  (${coin.samples})`,
    ),
  ];
  if (report.walkForward) {
    lines.push(
      `walk-forward mean over ${report.walkForward.folds.length} folds: IC ${number(report.walkForward.mean.ic)}, rank IC ${number(report.walkForward.mean.rankIc)}`,
    );
  }
  if (report.resumedFrom !== null)
    lines.push(
      `resumed from the checkpoint of fold ${report.resumedFrom.fold}, epoch ${report.resumedFrom.epoch}`,
    );
  if (!report.thresholds) lines.push('no thresholds.json (too little validation data to fit the strategy)');
  return lines.join('\n');
}

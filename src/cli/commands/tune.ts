/**
 * `alpha15 tune`: hyperparameter search over walk-forward validation IC, as a thin shell over
 * src/app/tune.ts (locally) or a SageMaker tuning job (--sagemaker).
 */
import { untilInterrupted } from '../interrupt.js';
import { Option, type Command } from 'commander';
import { tune, type TuneReport } from '../../app/tune.js';
import { backendPreferenceSchema, type BackendPreference } from '../../contracts/backends.js';
import { composeAdapters } from '../../app/compose.js';
import { DEFAULT_ASHA } from '../../tune/asha.js';
import { SAMPLER_NAMES, type SamplerName } from '../../tune/samplers.js';
import { loadSearchSpace } from '../../tune/search-space.js';
import { putTuningRequest, type TuningRequest } from '../../tune/tuning-request.js';
import {
  positiveInteger,
  resolveConfig,
  resolveLakeConfig,
  withCommonOptions,
  type CommonOptions,
  flagRange,
} from '../common.js';
import type { TrialRecord } from '../../tune/study.js';
import { emit, log } from '../output.js';
import { UsageError } from '../usage-error.js';

interface TuneFlags extends CommonOptions {
  trials: number;
  space?: string;
  sampler: SamplerName;
  seed?: number;
  objective: 'ic' | 'rank-ic';
  folds?: number;
  prune: boolean;
  study?: string;
  from?: string;
  to?: string;
  epochs?: number;
  backend?: BackendPreference;
  bestConfig?: string;
  promoteBest?: boolean;
  sagemaker?: boolean;
  maxParallel?: number;
}

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('tune')
      .description(
        'Search model and data hyperparameters (window, filters, blocks, kernel size, learning rate, batch size, ' +
          'sample stride, time channels) for the best mean walk-forward validation IC. Trial 0 is the config as it is ' +
          '(the baseline); weak trials are pruned by successive halving (ASHA) after each epoch. The last ' +
          'training.testFraction of the data is held out and never seen by the search: the best trial is scored on it ' +
          'once. The study lives in the store (studies/<study>/): Ctrl-C and the same command again continues it. ' +
          'Every trial is recorded in the runs index.',
      )
      .option(
        '--trials <n>',
        'trials in the study in total (earlier ones included)',
        positiveInteger('--trials'),
        20,
      )
      .option(
        '--space <file>',
        'JSON search space: {"<config path>": {"type": "int"|"float"|"log-float"|"choice", ...}} ' +
          "(default: half to twice the config's sizes, kernel 3/5/7, learning rate ×/÷ 10, batch size, stride, time channels)",
      )
      .addOption(
        new Option('--sampler <name>', 'how trials are chosen').choices(SAMPLER_NAMES).default('tpe'),
      )
      .option('--seed <n>', 'sampler seed (default: model.seed)', positiveInteger('--seed'))
      .addOption(
        new Option('--objective <metric>', 'mean validation IC over the folds, or rank IC')
          .choices(['ic', 'rank-ic'])
          .default('ic'),
      )
      .option(
        '--folds <k>',
        'walk-forward folds per trial (default: training.walkForwardFolds or 3)',
        positiveInteger('--folds'),
      )
      .option(
        '--no-prune',
        `run every trial to the end (default: ASHA, reduction factor ${DEFAULT_ASHA.reductionFactor})`,
      )
      .option('--study <name>', 'study name (default: derived from the options, so a re-run continues it)')
      .option('--from <time>', 'first minute of data (UTC ISO date or epoch ms; default: start of the lake)')
      .option('--to <time>', 'end of data, exclusive (default: end of the lake)')
      .option('--epochs <n>', 'most epochs per fold of every trial', positiveInteger('--epochs'))
      .addOption(
        new Option('--backend <name>', 'TensorFlow.js backend')
          .choices(backendPreferenceSchema.options)
          .default('auto'),
      )
      .option(
        '--best-config <path>',
        'where to write the best config (default: studies/<study>/best-config.json beside a local store, else ./alpha15-tune/<study>/)',
      )
      .option(
        '--promote-best',
        'train the best config on all the data and promote it if it beats the champion',
      )
      .option(
        '--sagemaker',
        "don't tune here: write a tuning request into the stack's bucket (--store s3://<BucketName>); the " +
          'deployed tuning trigger starts a SageMaker tuning job of --trials training jobs (docs/aws.md)',
      )
      .option(
        '--max-parallel <n>',
        "with --sagemaker: training jobs at once (default: the stack's tuningMaxParallelJobs setting)",
        positiveInteger('--max-parallel'),
      ),
  )
    .addHelpText(
      'after',
      '\n--json prints {"study", "trials": [{"id", "params", "valIc", "epochs", "pruned", ...}], "baseline": {"valIc"},\n' +
        ' "best": {"params", "valIc", "testIc", "config"}, "tuning", "test", ...}. Train the best config with\n' +
        '  alpha15 train --config <best.config>\n' +
        'Example:\n  alpha15 tune --store file://./.alpha15 --trials 8 --epochs 3 --json',
    )
    .action(async (flags: TuneFlags) => {
      if (flags.maxParallel !== undefined && !flags.sagemaker)
        throw new UsageError('--max-parallel applies to a SageMaker tuning job only', 'add --sagemaker', {
          data: {
            reason: 'max-parallel-without-sagemaker',
            command: 'alpha15 tune',
            option: '--max-parallel',
          },
        });
      if (flags.sagemaker) {
        const requested = await requestSageMakerTuning(flags);
        emit(
          flags,
          requested,
          (result) =>
            `tuning request ${result.key} written to ${result.store}; the stack starts the tuning job`,
        );
        return;
      }
      const report = await runTune(flags);
      emit(flags, report, humanReport);
      if (report.interrupted) process.exitCode = 130;
    });
}

/** `--sagemaker`: the same search as a request the deployed tuning trigger turns into a SageMaker tuning job. */
async function requestSageMakerTuning(
  flags: TuneFlags,
): Promise<{ store: string; key: string; request: TuningRequest }> {
  const config = resolveConfig(flags);
  const request: TuningRequest = {
    maxJobs: flags.trials,
    maxParallelJobs: flags.maxParallel,
    epochs: flags.epochs,
    space:
      flags.space === undefined
        ? undefined
        : ((await loadSearchSpace(flags.space, config)) as Record<string, unknown>),
  };
  const { store } = composeAdapters(config);
  return { store: store.url, key: await putTuningRequest(store, request, Date.now()), request };
}

export async function runTune(flags: TuneFlags): Promise<TuneReport> {
  const { config, store } = await resolveLakeConfig(flags, { 'training.epochs': flags.epochs });
  const space = flags.space === undefined ? undefined : await loadSearchSpace(flags.space, config);
  const interrupted =
    'interrupted; the trial in flight is dropped, the study keeps its finished trials (run again to continue)';
  return untilInterrupted(interrupted, (signal) =>
    tune({
      config,
      store,
      ...flagRange(flags),
      space,
      trials: flags.trials,
      sampler: flags.sampler,
      seed: flags.seed,
      objective: flags.objective === 'rank-ic' ? 'rankIc' : 'ic',
      folds: flags.folds,
      pruner: flags.prune ? DEFAULT_ASHA : null,
      study: flags.study,
      backend: flags.backend,
      bestConfigPath: flags.bestConfig,
      promoteBest: flags.promoteBest,
      signal,
      log,
      onTrial: (trial, total) => log(describeTrial(trial, total)),
    }),
  );
}

const number = (value: number) => (Number.isFinite(value) ? value.toFixed(4) : 'n/a');

/** Trials are counted from 1 for people; `id` (0-based, the baseline is 0) is what --json and the study keep. */
const trialName = (id: number) => `trial ${id + 1} (id ${id})`;

/**
 * A pruned trial's value is the IC at the rung where it stopped (fewer folds and epochs), so it is
 * labelled as such: it can exceed a finished trial's full mean without being better.
 */
export function describeTrial(trial: TrialRecord, total: number): string {
  const value =
    trial.status === 'pruned'
      ? `val ${number(trial.value)} at the rung it was pruned (fold ${(trial.intermediate.at(-1)?.fold ?? 0) + 1}, not comparable with finished trials)`
      : `val ${number(trial.value)} (mean over the folds)`;
  return (
    `${trialName(trial.number)} of ${total}${trial.baseline ? ' (baseline)' : ''}: ${trial.status}, ` +
    `${value} after ${trial.epochs} epochs ${JSON.stringify(trial.params)}`
  );
}

function humanReport(report: TuneReport): string {
  const lines = [
    `study ${report.study}: ${report.trials.length} trials (${report.trials.filter((trial) => trial.pruned).length} pruned), ` +
      `objective mean validation ${report.objective}, sampler ${report.sampler}, seed ${report.seed}`,
  ];
  if (report.interrupted) {
    lines.push('interrupted: run the same command again to continue the study');
    return lines.join('\n');
  }
  if (report.baseline)
    lines.push(`baseline (the config as it is): validation ${number(report.baseline.valIc)}`);
  if (report.best) {
    lines.push(
      `best ${trialName(report.best.id)}: validation ${number(report.best.valIc)}, test ${number(report.best.testIc)} ` +
        `(best of ${report.trials.length} trials: expect the test value below the validation one)`,
      `  params ${JSON.stringify(report.best.params)}`,
      `  config ${report.best.config} (train it with: alpha15 train --config ${report.best.config})`,
    );
  }
  if (report.promotion) {
    lines.push(
      `model ${report.promotion.modelId}: ${report.promotion.promoted ? 'promoted' : 'not promoted'} (${report.promotion.reason}: ${report.promotion.detail})`,
    );
  }
  return lines.join('\n');
}

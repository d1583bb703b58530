/**
 * `alpha15 simulate`: the deployed retrain, promote and trade loop replayed over the lake's history
 * (src/app/simulate.ts). This shell parses flags, renders progress and handles Ctrl-C.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { untilInterrupted } from '../interrupt.js';
import { simulate, type SimulationProgress, type SimulationSummary } from '../../app/simulate.js';
import { RETRAIN_INTERVAL_HOURS, TRAINING_LOOKBACK_DAYS } from '../../contracts/retraining.js';
import { DEFAULT_RANDOM_SIMULATIONS } from '../../strategy/baselines/random.js';
import { renderSimulationHtml } from '../../ui/report/simulation-html.js';
import { renderSimulationText } from '../../ui/report/text.js';
import { DAY_MS, isoMinute } from '../../time.js';
import {
  positiveNumber,
  resolveLakeConfig,
  withCommonOptions,
  type CommonOptions,
  flagRange,
} from '../common.js';
import { emit, log } from '../output.js';
import { simulationCount } from './backtest.js';
import { addModelOptions, modelOverrides, type ModelFlags } from './train.js';

/** What Ctrl-C keeps of a simulation; shared with `start`. */
export const SIMULATE_INTERRUPTED = 'stopping; finished periods are kept, run the same command to continue';

export interface SimulateFlags extends CommonOptions, ModelFlags {
  from?: string;
  to?: string;
  initialTraining: number;
  retrainEvery: number;
  lookbackDays: number;
  fineTune?: boolean;
  id?: string;
  report?: string;
  simulations: number;
}

const HOUR_MS = 3_600_000;
const DEFAULT_INITIAL_TRAINING_DAYS = 7;

export function register(program: Command): void {
  const command = program
    .command('simulate')
    .description(
      'Replay the deployed pipeline over history: from an initial training window, at every retrain interval train on the ' +
        "data available at that moment only (the SageMaker job's lookback), promote by the promotion Lambda's rule (validation " +
        'IC against the champion on the same window), and trade the following period with the champion through the same ' +
        'decide(). The periods are stitched into one out-of-sample result against no trading, a ridge refitted at the same ' +
        'moments and random entries (p-value), with an HTML report. Stopped (Ctrl-C) midway, the same command continues from ' +
        'the last finished period.',
    );
  addModelOptions(withCommonOptions(command))
    .option(
      '--from <time>',
      'start of the history used (UTC ISO date or epoch ms; default: start of the lake)',
    )
    .option('--to <time>', 'end of the last traded period, exclusive (default: end of the lake)')
    .option(
      '--initial-training <days>',
      'days of history before the first retrain; the first period starts after them',
      positiveNumber('--initial-training'),
      DEFAULT_INITIAL_TRAINING_DAYS,
    )
    .option(
      '--retrain-every <hours>',
      "hours between retrains; the default is the stack's retrain interval",
      positiveNumber('--retrain-every'),
      RETRAIN_INTERVAL_HOURS,
    )
    .option(
      '--lookback-days <days>',
      "days of history each retrain reads; the default is the SageMaker job's lookback",
      positiveNumber('--lookback-days'),
      TRAINING_LOOKBACK_DAYS,
    )
    .option(
      '--fine-tune',
      'fine-tune the champion on the data since its end instead of training from scratch',
    )
    .option('--id <name>', 'simulation id (default: derived from the settings, so re-running resumes)')
    .option(
      '--report <path>',
      'local file for the HTML report (default: the store copy for a file:// store, else ./alpha15-reports/simulations/<id>/simulation.html)',
    )
    .option('--simulations <n>', 'random-entry Monte Carlo runs', simulationCount, DEFAULT_RANDOM_SIMULATIONS)
    .addHelpText(
      'after',
      '\nState, models and the report live under simulations/<id>/ in the store; the real champion is never touched.\n' +
        'Examples:\n' +
        '  alpha15 simulate --retrain-every 168 --epochs 3 --window 16 --filters 16 --blocks 2 --sample-stride 2\n' +
        '  alpha15 simulate --from 2026-02-01 --to 2026-03-01 --initial-training 7 --retrain-every 168 --json',
    )
    .action(async (flags: SimulateFlags) => {
      const { summary, text } = await runSimulate(flags);
      emit<SimulationSummary>(flags, summary, () => `${text}\n\nreport: ${summary.report}`);
    });
}

/** Runs the simulation for the flags with progress on stderr and Ctrl-C handling. */
async function runSimulate(flags: SimulateFlags): Promise<{ summary: SimulationSummary; text: string }> {
  const { config, store } = await resolveLakeConfig(flags, modelOverrides(flags));
  const progress = simulationProgressRenderer();
  try {
    const result = await untilInterrupted(SIMULATE_INTERRUPTED, (signal) =>
      simulate({
        store,
        config,
        ...flagRange(flags),
        initialTrainingMs: Math.round(flags.initialTraining * DAY_MS),
        retrainEveryMs: Math.round(flags.retrainEvery * HOUR_MS),
        lookbackMs: Math.round(flags.lookbackDays * DAY_MS),
        fineTune: flags.fineTune,
        simulationId: flags.id,
        backend: flags.backend,
        randomSimulations: flags.simulations,
        reportPath: flags.report,
        renderReport: renderSimulationHtml,
        signal,
        onProgress: progress.render,
      }),
    );
    return { summary: result.summary, text: renderSimulationText(result.evaluation) };
  } finally {
    progress.stop();
  }
}

/** A bar over the periods, its status the current epoch; one log line per finished period. */
export function simulationProgressRenderer(): {
  render: (event: SimulationProgress) => void;
  stop: () => void;
} {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'simulate |{bar}| {value}/{total} periods  {status}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const render = (event: SimulationProgress): void => {
    switch (event.kind) {
      case 'plan':
        log(
          `alpha15: simulation ${event.simulationId}: ${event.periods} periods` +
            (event.finished > 0 ? `, ${event.finished} already finished (resuming)` : ''),
        );
        bar.start(event.periods, event.finished, { status: '' });
        started = true;
        break;
      case 'period-started':
        bar.update({ status: `training for ${isoMinute(event.fromMs)}` });
        break;
      case 'epoch':
        bar.update({
          status: `epoch ${event.record.epoch}: validation IC ${format(event.record.meanIc)}`,
        });
        break;
      case 'period-finished': {
        const { record } = event;
        bar.update(event.index + 1, { status: '' });
        bar.stop();
        log(
          `period ${event.index + 1}/${event.periods} ${isoMinute(record.fromMs)}: champion ${record.championId} ` +
            `(${record.promoted ? 'new' : 'kept'}, ${record.promotion.reason}), validation IC ${format(record.valIc)}` +
            (record.gate
              ? ` (candidate ${format(record.gate.candidateIc)} vs champion before ${format(record.gate.previousChampionIc)})`
              : '') +
            ', ' +
            `${record.seconds.toFixed(1)} s`,
        );
        bar.start(event.periods, event.index + 1, { status: '' });
        break;
      }
      case 'evaluating':
        bar.update({ status: 'replaying the periods against the baselines' });
        break;
    }
  };
  return {
    render,
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function format(value: number | null): string {
  return value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(4);
}

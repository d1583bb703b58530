/** `alpha15 backtest`: replays a model's test period through the live decision step and reports the truth. */
import { InvalidArgumentError, type Command } from 'commander';
import { composeAdapters } from '../../app/compose.js';
import { DEFAULT_RANDOM_SIMULATIONS } from '../../strategy/baselines/random.js';
import { runBacktest, type BacktestSummary } from '../../app/backtest.js';
import { renderReportHtml } from '../../ui/report/html.js';
import { renderSummaryText } from '../../ui/report/text.js';
import { resolveConfig, withCommonOptions, type CommonOptions, flagRange } from '../common.js';
import { emit, log } from '../output.js';
import { countBar } from '../progress-bar.js';

export interface BacktestFlags extends CommonOptions {
  model: string;
  from?: string;
  to?: string;
  report?: string;
  simulations: number;
}

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('backtest')
      .description(
        "Replay a model's test period minute by minute through the same decide() the paper trader uses: entries on " +
          'threshold crossings, exits exactly horizon minutes later, fees on both sides. Compares with no trading, a ridge ' +
          'regression on hand-crafted features and random entries (p-value), and writes a self-contained HTML report.',
      )
      .option('--model <id>', "model id or 'champion'", 'champion')
      .option(
        '--from <time>',
        "start of the test period (UTC ISO date or epoch ms; default: the model's test split)",
      )
      .option('--to <time>', 'end of the test period, exclusive')
      .option(
        '--report <path>',
        'local file for the HTML report (default: the store copy for a file:// store, else ./alpha15-reports/<id>/backtest.html)',
      )
      .option(
        '--simulations <n>',
        'random-entry Monte Carlo runs',
        simulationCount,
        DEFAULT_RANDOM_SIMULATIONS,
      ),
    { symbols: 'model' },
  )
    .addHelpText(
      'after',
      '\nThe report goes to reports/<modelId>/backtest.html in the store and to a local file whose path is printed.\n' +
        'Examples:\n  alpha15 backtest --store file://./.alpha15 --model champion\n' +
        '  alpha15 backtest --model 20260224T120000Z-1a2b3c --from 2026-02-25 --to 2026-03-01 --json',
    )
    .action(async (flags: BacktestFlags) => {
      const { summary, text } = await runBacktestCommand(flags);
      emit<BacktestSummary>(flags, summary, () => `${text}\n\nreport: ${summary.report}`);
    });
}

/** Runs the backtest for the flags with a progress bar; returns the summary and the terminal table. */
async function runBacktestCommand(flags: BacktestFlags): Promise<{ summary: BacktestSummary; text: string }> {
  const config = resolveConfig(flags);
  const progress = countBar('backtest: predicting', 'minutes');
  try {
    const { summary, result } = await runBacktest({
      store: composeAdapters(config).store,
      model: flags.model,
      config,
      ...flagRange(flags),
      reportPath: flags.report,
      renderReport: renderReportHtml,
      randomSimulations: flags.simulations,
      onWarning: backtestWarning,
      onProgress: (done, total) => progress.update(done, total, ''),
    });
    return { summary, text: renderSummaryText(result) };
  } finally {
    progress.stop();
  }
}

/** A warning of the backtest (a thin test period, say) on stderr; shared with `start`. */
export function backtestWarning(message: string): void {
  log(`alpha15: warning: ${message}`);
}

/** At least 19 runs, or no result could reach p < 0.05. */
export function simulationCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 19)
    throw new InvalidArgumentError(`--simulations needs a whole number of at least 19, got "${value}"`);
  return count;
}

/** `alpha15 paper`: the every-minute paper-trading tick against Binance or the replay server. */
import type { Command } from 'commander';
import { untilInterrupted } from '../interrupt.js';
import { composeAdapters } from '../../app/compose.js';
import { composeSink } from '../../app/compose-telemetry.js';
import { paperTick, paperTickDeps } from '../../app/paper-tick.js';
import { runPaperLoop, type PaperLoopSummary } from '../../paper/loop.js';
import type { TickResult } from '../../paper/tick.js';
import { isoMinute, parseTimeMs } from '../../time.js';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit, log } from '../output.js';

interface PaperFlags extends CommonOptions {
  model: string;
  binance?: string;
  once?: boolean;
  until?: string;
  opensearch?: string;
}

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('paper')
      .description(
        'Paper-trade with the champion model: on every minute boundary of the exchange clock (/api/v3/time) fetch the latest ' +
          'closed candles, close positions whose 15 minutes are up (at the open of the minute after, by default: execution.entry), predict, apply the thresholds ' +
          'and open fake positions. Everything goes to the ledger in the store (paper/...) and to telemetry (JSONL or OpenSearch). ' +
          'Against the replay server at speed X it runs X times faster. Ctrl-C stops cleanly between ticks.',
      ),
    { symbols: 'model' },
  )
    .option(
      '--model <id>',
      'model id, or champion (re-read every tick, so a promotion takes effect at the next minute)',
      'champion',
    )
    .option('--binance <url>', 'Binance REST base URL, e.g. a replay server (default: config binanceBaseUrl)')
    .option('--once', 'run one tick and exit')
    .option(
      '--until <time>',
      'stop before the first tick at or after this exchange time (UTC ISO or epoch ms)',
    )
    .option(
      '--opensearch <url>',
      'send telemetry to this OpenSearch cluster instead of JSONL files (an Amazon OpenSearch Service URL is signed with your AWS credentials)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  alpha15 replay-server --data ../shared/data/binance-api-2021-12/snapshot-c --speed 60 --port 8765 &\n' +
        '  alpha15 paper --store file://./.alpha15 --binance http://127.0.0.1:8765\n' +
        '  alpha15 paper --once --json',
    )
    .action(async (flags: PaperFlags) => {
      const config = resolveConfig(flags, {
        binanceBaseUrl: flags.binance,
        'telemetry.sink': flags.opensearch ? 'opensearch' : undefined,
        'telemetry.opensearchUrl': flags.opensearch,
      });
      const adapters = composeAdapters(config);
      const { store, binance } = adapters;
      const summary = await untilInterrupted('stopping after the current tick', (signal) =>
        runPaperLoop({
          deps: paperTickDeps({ ...adapters, sink: composeSink(adapters), model: flags.model, log }),
          runTick: paperTick,
          serverTimeMs: () => binance.serverTimeMs(),
          untilMs: flags.until === undefined ? undefined : parseTimeMs(flags.until, '--until'),
          once: flags.once,
          signal,
          onTick: (result) => log(describeTick(result)),
          onError: (error, nowMs) =>
            log(`${isoMinute(nowMs)}  tick failed, retrying next minute: ${messageOf(error)}`),
          onClockError: (error, retryInMs) =>
            log(
              `exchange clock unreachable (${messageOf(error)}); retrying in ${(retryInMs / 1000).toFixed(1)} s`,
            ),
          onMissedMinute: (minuteMs, reason) => log(`${isoMinute(minuteMs)}  missed: ${reason}`),
        }),
      );
      emit(flags, { ...summary, store: store.url }, humanSummary);
    });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeTick(result: TickResult): string {
  if (result.status === 'duplicate') return `${isoMinute(result.minuteMs)}  already ticked, nothing to do`;
  if (result.status === 'no-champion')
    return `${isoMinute(result.minuteMs)}  no champion model yet: tick skipped (train one: alpha15 train)`;
  const outcome = result.outcome!;
  const pnl = result.closed.reduce((sum, trade) => sum + trade.netPnl, 0);
  const stale = outcome.staleSymbols.length > 0 ? `  stale ${outcome.staleSymbols.join(',')}` : '';
  const late = outcome.lateSymbols.length > 0 ? `  late ${outcome.lateSymbols.join(',')}` : '';
  const quarantined =
    outcome.quarantined.length > 0 ? `  QUARANTINED ${outcome.quarantined.length} corrupt object(s)` : '';
  return (
    `${isoMinute(result.minuteMs)}  predicted ${outcome.predicted}  opened ${outcome.opened}  closed ${outcome.closed}` +
    (outcome.closed > 0 ? ` (net ${pnl.toFixed(2)})` : '') +
    stale +
    late +
    quarantined +
    `  ${outcome.durationMs.toFixed(0)} ms` +
    (outcome.untradableReason ? `\n  ${outcome.untradableReason}` : '')
  );
}

function humanSummary(summary: PaperLoopSummary & { store: string }): string {
  const span =
    summary.firstMinuteMs === null
      ? 'no minutes'
      : `${isoMinute(summary.firstMinuteMs)} to ${isoMinute(summary.lastMinuteMs!)}`;
  return (
    `${summary.ticks} ticks (${span}), ${summary.opened} positions opened, ${summary.closed} trades closed, ` +
    `net PnL ${summary.netPnl.toFixed(2)}; ledger in ${summary.store} (see: alpha15 dashboard)`
  );
}

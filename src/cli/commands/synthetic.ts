/**
 * `alpha15 synthetic`: writes the seeded synthetic market as Binance-format monthly archives, so the
 * archive ingest path and the replay server can run on it offline, with a lead-lag of known strength.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { SYNTHETIC_LAG_MINUTES, SYNTHETIC_STRENGTH, syntheticMarketOptions } from '../../market/source.js';
import { expectedLeadLagIc, type SyntheticMarketOptions } from '../../market/synthetic.js';
import { writeSyntheticArchives } from '../../market/synthetic-archives.js';
import { LocalStore } from '../../store/local-store.js';
import { MINUTE_MS, isoMinute, parseTimeMs } from '../../time.js';
import { resolveConfig, withCommonOptions, type CommonOptions } from '../common.js';
import { emit } from '../output.js';

interface SyntheticCommandOptions extends CommonOptions {
  out: string;
  from?: string;
  days?: number;
  seed?: number;
  leader?: string;
  lagMinutes: number;
  strength: number;
  gapRate?: number;
  header: boolean;
}

export interface SyntheticCommandResult {
  dir: string;
  fromMs: number;
  toMs: number;
  seed: number;
  files: number;
  rows: Record<string, number>;
  plantedAlpha: SyntheticMarketOptions['plantedAlpha'] | null;
  /** The IC ceiling per laggard for the configured horizon (see expectedLeadLagIc). */
  expectedIc: Record<string, number>;
}

function number(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InvalidArgumentError('expected a number');
  return value;
}

export function register(program: Command): void {
  withCommonOptions(
    program
      .command('synthetic')
      .description(
        'Write the seeded synthetic market (fat tails, volatility clustering, intraday seasonality, a common ' +
          'factor) as <SYM>-1m-<YYYY-MM>.zip archives with .CHECKSUM files. Laggards carry --strength times the ' +
          "leader's return of --lag-minutes earlier; the result lists each laggard's theoretical IC. Defaults " +
          'match `ingest --source synthetic`.',
      )
      .requiredOption('--out <dir>', 'folder to write the archives to (created if missing)')
      .option('--from <time>', 'first minute: ISO date/time (UTC) or epoch ms')
      .option('--days <n>', 'days of 1-minute candles', number)
      .option('--seed <n>', 'random seed (same seed, same market)', number)
      .option('--leader <symbol>', 'the leading symbol (default: the first symbol)')
      .option('--lag-minutes <n>', 'minutes the laggards trail the leader', number, SYNTHETIC_LAG_MINUTES)
      .option(
        '--strength <k>',
        "share of the leader's lagged return in each laggard's return (0 = no alpha)",
        number,
        SYNTHETIC_STRENGTH,
      )
      .option('--gap-rate <x>', 'share of minutes missing per symbol, in short runs', number)
      .option('--no-header', 'write CSVs without the header row (like older archives)')
      .addHelpText(
        'after',
        '\nExample:\n  alpha15 synthetic --out ./synthetic --symbols BTCUSDT,ETHUSDT,SOLUSDT --days 28 --json\n',
      ),
  ).action(async (options: SyntheticCommandOptions) => {
    const config = resolveConfig(options);
    const defaults = syntheticMarketOptions();
    const days = options.days ?? defaults.minutes / 1440;
    const marketOptions: SyntheticMarketOptions = {
      symbols: config.symbols,
      startTimeMs: options.from ? parseTimeMs(options.from, '--from') : defaults.startTimeMs,
      minutes: Math.round(days * 1440),
      seed: options.seed ?? defaults.seed,
      gapRate: options.gapRate ?? defaults.gapRate,
      plantedAlpha:
        options.strength !== 0 && config.symbols.length > 1
          ? {
              leader: options.leader ?? config.symbols[0]!,
              lagMinutes: options.lagMinutes,
              strength: options.strength,
            }
          : undefined,
    };
    const written = await writeSyntheticArchives(new LocalStore(options.out), marketOptions, {
      header: options.header,
    });
    const rows: Record<string, number> = {};
    for (const file of written) rows[file.symbol] = (rows[file.symbol] ?? 0) + file.rows;
    const laggards = config.symbols.filter((symbol) => symbol !== marketOptions.plantedAlpha?.leader);
    const result: SyntheticCommandResult = {
      dir: options.out,
      fromMs: marketOptions.startTimeMs,
      toMs: marketOptions.startTimeMs + marketOptions.minutes * MINUTE_MS,
      seed: marketOptions.seed,
      files: written.length,
      rows,
      plantedAlpha: marketOptions.plantedAlpha ?? null,
      expectedIc: Object.fromEntries(
        marketOptions.plantedAlpha
          ? laggards.map((symbol) => [
              symbol,
              expectedLeadLagIc(marketOptions, symbol, config.horizonMinutes),
            ])
          : [],
      ),
    };
    emit(options, result, formatResult);
  });
}

function formatResult(result: SyntheticCommandResult): string {
  const alpha = result.plantedAlpha;
  const lines = [
    `wrote ${result.files} archives (+ .CHECKSUM) to ${result.dir}: ${isoMinute(result.fromMs)} to ${isoMinute(result.toMs)}, seed ${result.seed}`,
    alpha
      ? `planted: laggards follow ${alpha.leader} ${alpha.lagMinutes} min later with strength ${alpha.strength}; theoretical IC ` +
        Object.entries(result.expectedIc)
          .map(([symbol, ic]) => `${symbol} ${ic.toFixed(3)}`)
          .join(', ')
      : 'no planted alpha',
  ];
  return lines.join('\n');
}

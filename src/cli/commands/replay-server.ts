/** `alpha15 replay-server`: a Binance-compatible API over stored data, on a simulated clock. */
import { InvalidArgumentError, type Command } from 'commander';
import { detectReplaySource } from '../../market/replay-data.js';
import { DEFAULT_HALF_SPREAD_BPS, startReplayServer } from '../../market/replay-server.js';
import { isoMinute, parseTimeMs } from '../../time.js';
import { portNumber } from '../common.js';
import { emit, log } from '../output.js';

interface ReplayServerOptions {
  data: string;
  from?: string;
  speed: number;
  port: number;
  host: string;
  manualClock?: boolean;
  symbols?: string;
  halfSpreadBps: number;
  json?: boolean;
}

function basisPoints(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value >= 10_000)
    throw new InvalidArgumentError('expected basis points: a number from 0 to below 10000');
  return value;
}

function positiveNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('expected a positive number');
  return value;
}

export function register(program: Command): void {
  program
    .command('replay-server')
    .description(
      'Serve /api/v3/klines, /api/v3/time, /api/v3/exchangeInfo and /api/v3/ticker/bookTicker like Binance from ' +
        'stored data (a folder of <SYM>-1m-*.zip archives, or of captured <SYM>.json REST bodies) with a simulated ' +
        'clock; only candles closed by the simulated time are served. The book is quoted around the open of the ' +
        'current minute (else the last close) with --half-spread-bps either side. Runs until Ctrl-C.',
    )
    .requiredOption('--data <dir>', 'folder of kline archives or of captured REST bodies (detected)')
    .option(
      '--from <time>',
      'simulated start: ISO date/time (UTC) or epoch ms (default: data start + 512 minutes)',
    )
    .option('--speed <x>', 'simulated minutes per real minute', positiveNumber, 1)
    .option('--port <port>', 'TCP port (0 = any free port)', portNumber, 0)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--manual-clock', 'freeze the clock; move it with POST /_replay/time?timeMs=<ms>')
    .option('--symbols <list>', 'comma-separated symbols to serve (default: all in the data)')
    .option(
      '--half-spread-bps <bps>',
      'bookTicker quotes bid and ask this many basis points either side of the mid',
      basisPoints,
      DEFAULT_HALF_SPREAD_BPS,
    )
    .option(
      '--json',
      'print {"url","fromMs","dataEndMs","speed","symbols","halfSpreadBps"} as JSON on stdout',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  alpha15 replay-server --data ../shared/data/binance-archive/2026-02 --from 2026-02-10 --speed 60\n' +
        '  alpha15 replay-server --data ../shared/data/binance-api-2021-12/snapshot-c --port 8765 --json\n' +
        'Then point the live path at it: BINANCE_BASE_URL=<url> alpha15 paper ...',
    )
    .action(async (options: ReplayServerOptions) => {
      const server = await startReplayServer({
        source: await detectReplaySource(options.data),
        fromMs: options.from === undefined ? undefined : parseTimeMs(options.from, '--from'),
        speed: options.speed,
        port: options.port,
        host: options.host,
        manualClock: options.manualClock,
        symbols: options.symbols?.split(',').map((symbol) => symbol.trim().toUpperCase()),
        halfSpreadBps: options.halfSpreadBps,
      });
      if (server.fromMs >= server.dataEndMs)
        log(
          `alpha15: warning: --from ${isoMinute(server.fromMs)} is at or after the end of the data (${isoMinute(server.dataEndMs)}): ` +
            'the clock runs but no candle will ever close',
        );
      const summary = {
        url: server.url,
        fromMs: server.fromMs,
        dataEndMs: server.dataEndMs,
        speed: server.speed,
        symbols: server.symbols,
        halfSpreadBps: options.halfSpreadBps,
      };
      emit(
        options,
        summary,
        (result) =>
          `replay server on ${result.url}: ${result.symbols.length} symbols from ${isoMinute(result.fromMs)} at ${result.speed}x` +
          (options.manualClock ? ' (manual clock)' : ''),
      );
      log('press Ctrl-C to stop');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

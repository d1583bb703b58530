/**
 * Paper trading over stored data: starts the replay server on a folder of kline archives or captured
 * REST bodies, or on candles read from the lake, with its clock at `fromMs` running `speed` times faster than real time, and runs the
 * same minute loop as `alpha15 paper` until the replayed clock reaches `toMs`. `npm start` ends with
 * this, so the dashboard has a ledger to show without a live market.
 *
 * With `speed: 'max'` the replayed clock does not run on its own: each tick moves it to the next
 * minute, so every minute is ticked exactly once and the replay is as fast as the tick itself (at a
 * fixed speed, a tick slower than a replayed minute skips minutes, as a late Lambda would).
 */
import type { Config } from '../config/schema.js';
import { BinanceClient } from '../market/binance-client.js';
import type { KlineColumns } from '../market/kline.js';
import { detectReplaySource } from '../market/replay-data.js';
import { startReplayServer } from '../market/replay-server.js';
import type { ObjectStore } from '../store/object-store.js';
import type { TelemetrySink } from '../telemetry/sink.js';
import { paperTick, paperTickDeps } from './paper-tick.js';
import { runPaperLoop, type PaperLoopSummary } from '../paper/loop.js';
import type { ModelLoader } from '../paper/model.js';
import type { TickResult } from '../paper/tick.js';
import { floorToMinute, MINUTE_MS, type Clock } from '../time.js';

/** Replayed time after each minute boundary at which the tick runs. */
const TICK_DELAY_MS = 2_000;

/**
 * What the replay server serves: a folder of `<SYM>-1m-<period>.zip` archives or of captured
 * `<SYM>.json` REST bodies, or candles already in memory (e.g. read from the lake).
 */
type ReplayCandles = { dataDir: string } | { candles: readonly KlineColumns[] };

export type PaperReplayOptions = ReplayCandles & {
  store: ObjectStore;
  config: Config;
  /** Replayed clock at start (default: the data's start plus 512 minutes of warm-up). */
  fromMs?: number;
  /** Stop when the replayed clock reaches this. */
  toMs: number;
  /** Replayed milliseconds per real millisecond (600 = ten replayed minutes a second), or 'max'. */
  speed: number | 'max';
  model?: string;
  loadModel?: ModelLoader;
  sink?: TelemetrySink;
  signal?: AbortSignal;
  onTick?: (result: TickResult) => void;
  log?: (message: string) => void;
  /** Real time, which the replayed clock runs on and the loop waits on (default: the system clock). */
  clock?: Clock;
};

export interface PaperReplaySummary extends PaperLoopSummary {
  replayFromMs: number;
  replayToMs: number;
  speed: number | 'max';
  /** Closed trades and open positions in the ledger for the replayed period (earlier runs included). */
  ledger: { trades: number; netPnl: number; openPositions: number };
}

export async function runPaperReplay(options: PaperReplayOptions): Promise<PaperReplaySummary> {
  const fixedSpeed = options.speed === 'max' ? undefined : options.speed;
  const stepped = fixedSpeed === undefined;
  const clock = options.clock;
  const replay = await startReplayServer({
    source:
      'dataDir' in options
        ? await detectReplaySource(options.dataDir)
        : { kind: 'columns', columns: options.candles },
    fromMs: options.fromMs,
    speed: fixedSpeed ?? 1,
    manualClock: stepped,
    realNowMs: clock && (() => clock.nowMs()),
  });
  // in stepped mode, after each minute (ticked or failed) the clock jumps to the next tick time
  const step = (nowMs: number) => {
    if (stepped) replay.setTimeMs(floorToMinute(nowMs) + MINUTE_MS + TICK_DELAY_MS);
  };
  try {
    const binance = new BinanceClient({
      baseUrl: replay.url,
      timeoutMs: options.config.requestTimeoutMs,
      nowMs: replay.nowMs,
    });
    const deps = paperTickDeps({ ...options, binance });
    const loop = await runPaperLoop({
      deps,
      runTick: paperTick,
      serverTimeMs: () => binance.serverTimeMs(),
      untilMs: options.toMs,
      signal: options.signal,
      clock,
      tickDelayMs: TICK_DELAY_MS,
      onTick: (result) => {
        options.onTick?.(result);
        step(result.minuteMs + MINUTE_MS);
      },
      onError: (error, nowMs) => {
        options.log?.(
          `tick at ${new Date(nowMs).toISOString()} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        step(nowMs);
      },
      // a replayed minute can last milliseconds: poll the replayed clock often enough not to miss one
      maxPollMs: fixedSpeed === undefined ? 1 : Math.max(1, Math.min(1_000, 20_000 / fixedSpeed)),
    });
    const trades = await deps.ledger.listTrades(replay.fromMs, options.toMs);
    const open = await deps.ledger.openPositions();
    return {
      ...loop,
      replayFromMs: replay.fromMs,
      replayToMs: options.toMs,
      speed: options.speed,
      ledger: {
        trades: trades.length,
        netPnl: trades.reduce((sum, trade) => sum + trade.netPnl, 0),
        openPositions: open.length,
      },
    };
  } finally {
    await replay.close();
  }
}

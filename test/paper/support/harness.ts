/**
 * The paper-trading test bench: the real snapshot-c REST bodies behind the replay server (a local
 * stand-in for Binance, clock moved by hand), a temp local store with the tiny champion, and the raw
 * closes read straight from the JSON files for hand checks.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configSchema, type Config } from '../../../src/config/schema.js';
import { BinanceClient } from '../../../src/market/binance-client.js';
import { startReplayServer, type ReplayServer } from '../../../src/market/replay-server.js';
import { cachedModelLoader } from '../../../src/paper/champion.js';
import { paperTickDeps } from '../../../src/app/paper-tick.js';
import type { TickDeps } from '../../../src/paper/tick.js';
import { LocalStore } from '../../../src/store/local-store.js';
import type { Body, ObjectStore } from '../../../src/store/object-store.js';
import type { TelemetrySink } from '../../../src/telemetry/sink.js';
import { MINUTE_MS } from '../../../src/time.js';
import { REST_SNAPSHOTS_DIR, requireSharedData } from '../../support/shared-data.js';
import { saveTinyChampion } from '../../../fixtures/tiny-model.js';

export const SNAPSHOT_C_DIR = path.join(REST_SNAPSHOTS_DIR, 'snapshot-c');
export const SYMBOLS = ['ADAUSDT', 'AVAXUSDT', 'DOGEUSDT', 'SOLUSDT', 'XLMUSDT'];
/** snapshot-c's first candle opens at 2021-12-22 18:39 UTC. */
export const SNAPSHOT_C_START_MS = Date.parse('2021-12-22T18:39:00Z');
export const WINDOW_MINUTES = 32;
export const FEE_RATE_PER_SIDE = 0.001;
export const THRESHOLD_RETURN = 0.0015;
export const NOTIONAL = 1000;
export const HORIZON_MINUTES = 15;
/** Ticks run a few seconds after the minute boundary, as the schedule does. */
export const TICK_OFFSET_MS = 3_000;

export const testConfig: Config = configSchema.parse({
  symbols: SYMBOLS,
  windowMinutes: WINDOW_MINUTES,
  strategy: { feeRatePerSide: FEE_RATE_PER_SIDE },
  paper: { notionalPerTrade: NOTIONAL },
  // the hand checks of tick.test.ts price fills at closes without slippage; tick-fills.test.ts covers the rest
  execution: { entry: 'close', slippageBpsPerSide: { major: 0, other: 0 } },
});

/** Raw open or close per open time, straight from the captured JSON (not through any of our parsers). */
export function rawPrices(symbol: string, field: 'open' | 'high' | 'low' | 'close'): Map<number, number> {
  const rows = JSON.parse(readFileSync(path.join(SNAPSHOT_C_DIR, `${symbol}.json`), 'utf8')) as [
    number,
    string,
    string,
    string,
    string,
  ][];
  const column = { open: 1, high: 2, low: 3, close: 4 }[field];
  return new Map(rows.map((row) => [row[0], Number(row[column])]));
}

export function rawCloses(symbol: string): Map<number, number> {
  return rawPrices(symbol, 'close');
}

/** Wraps a store; once armed, the Nth write (put, putIfAbsent or delete) throws before it happens. */
export class CrashingStore implements ObjectStore {
  private writesLeft = Number.POSITIVE_INFINITY;
  constructor(private readonly inner: ObjectStore) {}
  get url() {
    return this.inner.url;
  }
  armCrashOnWrite(n: number) {
    this.writesLeft = n;
  }
  disarm() {
    this.writesLeft = Number.POSITIVE_INFINITY;
  }
  private write() {
    if (--this.writesLeft === 0) throw new Error('injected crash: the process died before this write');
  }
  get(key: string) {
    return this.inner.get(key);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  async put(key: string, body: Body) {
    this.write();
    return this.inner.put(key, body);
  }
  async putIfAbsent(key: string, body: Body) {
    this.write();
    return this.inner.putIfAbsent(key, body);
  }
  async delete(key: string) {
    this.write();
    return this.inner.delete(key);
  }
}

export interface Bench {
  dir: string;
  store: LocalStore;
  replay: ReplayServer;
  modelId: string;
  deps(options?: { store?: ObjectStore; sink?: TelemetrySink }): TickDeps;
  /** Moves the replay clock to a few seconds into `minuteMs + 1 min` and returns that now. */
  nowAfter(minuteMs: number): number;
  close(): Promise<void>;
}

export async function openBench(
  options: { symbols?: string[]; servedSymbols?: string[]; config?: Config; halfSpreadBps?: number } = {},
): Promise<Bench> {
  requireSharedData();
  const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-paper-'));
  const store = new LocalStore(dir);
  const symbols = options.symbols ?? SYMBOLS;
  const modelId = await saveTinyChampion(store, {
    symbols,
    windowMinutes: WINDOW_MINUTES,
    thresholdReturn: THRESHOLD_RETURN,
    feeRatePerSide: FEE_RATE_PER_SIDE,
  });
  const replay = await startReplayServer({
    source: { kind: 'rest-snapshot', dir: SNAPSHOT_C_DIR },
    symbols: options.servedSymbols ?? symbols,
    fromMs: SNAPSHOT_C_START_MS + 60 * MINUTE_MS,
    manualClock: true,
    halfSpreadBps: options.halfSpreadBps,
  });
  const binance = new BinanceClient({ baseUrl: replay.url, maxRetries: 1, backoffBaseMs: 1 });
  const sharedLoader = cachedModelLoader(store);
  return {
    dir,
    store,
    replay,
    modelId,
    deps: (overrides = {}) =>
      paperTickDeps({
        store: overrides.store ?? store,
        config: options.config ?? testConfig,
        binance,
        // another store is another runner: it gets its own model cache
        loadModel: overrides.store ? undefined : sharedLoader,
        sink: overrides.sink,
      }),
    nowAfter: (minuteMs) => {
      const nowMs = minuteMs + MINUTE_MS + TICK_OFFSET_MS;
      replay.setTimeMs(nowMs);
      return nowMs;
    },
    close: async () => {
      await replay.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The hand computation of one trade's net PnL from its entry and exit closes and the fee. */
export function handNetPnl(side: 'long' | 'short', entryClose: number, exitClose: number): number {
  const f = FEE_RATE_PER_SIDE;
  const netReturn =
    side === 'long'
      ? (exitClose * (1 - f)) / (entryClose * (1 + f)) - 1
      : (entryClose * (1 - f) - exitClose * (1 + f)) / entryClose;
  return NOTIONAL * netReturn;
}

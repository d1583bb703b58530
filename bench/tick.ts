/**
 * One warm paper-trading tick against the local replay server: 20 symbols x 512 candles (a synthetic
 * day written as archives), the default ResNet1D as champion, the JSONL sink and a local ledger.
 * Every measured tick is a new minute (a repeated minute would return early), after warm-up ticks
 * that load the model and fill the position book.
 *
 *   npm run bench:tick -- [--ticks 30] [--json]      prints {"p50Ms": .., "p95Ms": ..} with --json
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { configSchema } from '../src/config/schema.js';
import { DEFAULT_SYMBOLS } from '../src/config/defaults.js';
import { buildFeatures, channelCount } from '../src/features/features.js';
import { fitStats } from '../src/features/normalise.js';
import { alignToGrid } from '../src/lake/grid.js';
import { BinanceClient } from '../src/market/binance-client.js';
import { startReplayServer } from '../src/market/replay-server.js';
import { generateSyntheticMarket } from '../src/market/synthetic.js';
import { writeSyntheticArchives } from '../src/market/synthetic-archives.js';
import { newModelId } from '../src/model/artifacts.js';
import { formatBackend, selectBackend } from '../src/model/backend.js';
import { putModelFile, saveModel, setChampion } from '../src/model/registry.js';
import { buildResNet1D } from '../src/model/resnet1d.js';
import { cachedModelLoader } from '../src/paper/champion.js';
import { Ledger } from '../src/paper/ledger.js';
import { tick } from '../src/paper/tick.js';
import { LocalStore } from '../src/store/local-store.js';
import { THRESHOLDS_FILE } from '../src/strategy/params.js';
import { tinyStrategy, untrainedMeta } from '../fixtures/tiny-model.js';
import { JsonlSink } from '../src/telemetry/jsonl-sink.js';
import { MINUTE_MS, parseTimeMs } from '../src/time.js';
import { inputCandleCount, warmUpMinutes } from '../src/model/warm-up.js';

const { values: flags } = parseArgs({
  options: { ticks: { type: 'string', default: '30' }, json: { type: 'boolean', default: false } },
});
const log = (line: string) => flags.json || console.error(line);
const measuredTicks = Number(flags.ticks);
const warmupTicks = 5;
const symbols = [...DEFAULT_SYMBOLS];
const config = configSchema.parse({ symbols });
const windowMinutes = config.windowMinutes;
const startTimeMs = parseTimeMs('2026-01-05');
const minutes = warmUpMinutes(windowMinutes) + 2 * (warmupTicks + measuredTicks) + 60;

const dir = await mkdtemp(path.join(tmpdir(), 'alpha15-bench-tick-'));
try {
  const market = { symbols, startTimeMs, minutes, seed: 7 };
  await writeSyntheticArchives(new LocalStore(path.join(dir, 'archives')), market);
  const store = new LocalStore(path.join(dir, 'store'));
  const backend = await selectBackend();
  log(`backend: ${formatBackend(backend)}`);

  const frame = alignToGrid(generateSyntheticMarket(market), startTimeMs, startTimeMs + minutes * MINUTE_MS);
  const features = buildFeatures(frame);
  const channels = channelCount(symbols.length, false);
  const model = buildResNet1D({
    timesteps: windowMinutes,
    channels,
    outputs: symbols.length,
    ...config.model,
  });
  const id = newModelId();
  await saveModel(store, {
    meta: untrainedMeta({
      id,
      symbols,
      windowMinutes,
      horizonMinutes: config.horizonMinutes,
      channels,
      targetScale: symbols.map(() => 0.002),
      architecture: {
        filters: config.model.filters,
        blocks: config.model.blocks,
        kernelSize: config.model.kernelSize,
        seed: config.model.seed,
      },
      data: { fromMs: startTimeMs, toMs: startTimeMs + minutes * MINUTE_MS },
      createdAtMs: Date.now(),
    }),
    model,
    stats: fitStats(features, { fromRow: 0, toRow: frame.length }),
    config,
    epochs: [],
  });
  // thresholds at zero: roughly half the pairs enter every minute they are flat, so ticks open and close positions
  const strategy = tinyStrategy({
    symbols,
    windowMinutes,
    thresholdReturn: 1e-9,
    feeRatePerSide: config.strategy.feeRatePerSide,
    horizonMinutes: config.horizonMinutes,
  });
  await putModelFile(store, id, THRESHOLDS_FILE, JSON.stringify(strategy));
  await setChampion(store, id);

  const firstMinuteMs = startTimeMs + (warmUpMinutes(windowMinutes) + 30) * MINUTE_MS;
  const replay = await startReplayServer({
    source: { kind: 'archives', dir: path.join(dir, 'archives') },
    fromMs: firstMinuteMs,
    manualClock: true,
  });
  const deps = {
    ledger: new Ledger(store),
    binance: new BinanceClient({ baseUrl: replay.url }),
    loadModel: cachedModelLoader(store),
    sink: new JsonlSink({ dir: path.join(dir, 'telemetry') }),
    config,
  };
  const durationsMs: number[] = [];
  let opened = 0;
  let closed = 0;
  for (let i = 0; i < warmupTicks + measuredTicks; i++) {
    const nowMs = firstMinuteMs + i * MINUTE_MS + 2_000;
    replay.setTimeMs(nowMs);
    const started = performance.now();
    const result = await tick(nowMs, deps);
    const elapsedMs = performance.now() - started;
    if (result.status !== 'ok') throw new Error(`tick ${i} was ${result.status}`);
    if (i >= warmupTicks) {
      durationsMs.push(elapsedMs);
      opened += result.opened.length;
      closed += result.closed.length;
    }
  }
  await replay.close();
  durationsMs.sort((a, b) => a - b);
  const quantile = (q: number) =>
    durationsMs[Math.min(durationsMs.length - 1, Math.floor(q * durationsMs.length))]!;
  const result = {
    p50Ms: Number(quantile(0.5).toFixed(1)),
    p95Ms: Number(quantile(0.95).toFixed(1)),
    ticks: durationsMs.length,
    symbols: symbols.length,
    candlesPerSymbol: inputCandleCount(windowMinutes),
    backend: backend.name,
    threads: backend.threads,
    opened,
    closed,
  };
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else
    log(
      `tick over ${result.symbols} symbols x ${result.candlesPerSymbol} candles: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms (${result.ticks} ticks, ${opened} opened, ${closed} closed)`,
    );
} finally {
  await rm(dir, { recursive: true, force: true });
}
// the threaded wasm backend's workers would keep the process alive
process.exit(0);

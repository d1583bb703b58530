/**
 * The one typed configuration of alpha15. Every tunable number (fees, horizon, window, model sizes,
 * schedules) lives here with its default, so no stage buries a literal in code.
 */
import { z } from 'zod';
import { MIN_WINDOW_MINUTES, STORE_URL_PATTERN } from '../contracts/run-invariants.js';
import { symbolSchema } from '../contracts/symbols.js';
import { DEFAULT_BINANCE_BASE_URL, DEFAULT_SYMBOLS, G_RESEARCH_COIN_WEIGHTS } from './defaults.js';

export const modelConfigSchema = z.object({
  filters: z.number().int().positive().default(64),
  blocks: z.number().int().positive().default(6),
  kernelSize: z.number().int().positive().default(3),
  /** Adds sin/cos time-of-day and day-of-week channels to every window. */
  timeChannels: z.boolean().default(false),
  seed: z.number().int().default(42),
});

export const trainingConfigSchema = z.object({
  epochs: z.number().int().positive().default(20),
  batchSize: z.number().int().positive().default(64),
  learningRate: z.number().positive().default(1e-3),
  /** Epochs without validation improvement before the learning rate is reduced. */
  plateauPatience: z.number().int().positive().default(2),
  plateauFactor: z.number().positive().lt(1).default(0.5),
  /** Epochs without validation improvement before training stops. */
  earlyStoppingPatience: z.number().int().positive().default(5),
  validationFraction: z.number().positive().lt(1).default(0.15),
  testFraction: z.number().min(0).lt(1).default(0.15),
  /** Minutes between consecutive training samples; 1 uses every minute. */
  sampleStrideMinutes: z.number().int().positive().default(1),
  /** A window with a run of missing minutes longer than this is skipped. */
  maxGapMinutes: z.number().int().nonnegative().default(5),
  walkForwardFolds: z.number().int().nonnegative().default(0),
});

export const strategyConfigSchema = z.object({
  /** Taker fee charged on each side of a trade, as a fraction of notional (0.001 = 0.1%). */
  feeRatePerSide: z.number().min(0).lt(0.1).default(0.001),
  /** Fewest validation trades a threshold needs before it may be chosen. */
  minTrades: z.number().int().positive().default(20),
  /** Candidate thresholds are quantiles of the validation predictions; this many per side. */
  thresholdCandidates: z.number().int().positive().default(50),
  /** How a new signal on a pair with an open position is handled. */
  overlap: z.enum(['skip', 'stack']).default('skip'),
  calibration: z.boolean().default(true),
});

/**
 * How trades fill, in every backtest, simulation and the paper trader (src/strategy/execution.ts).
 *
 * A decision at minute m is made when candle m has closed. `entry` says which price the position gets:
 * - 'close': the close of candle m (the price the model saw last; no tick can trade at it, so this is
 *   the optimistic fill every backtest used before this option existed);
 * - 'nextOpen': the open of candle m+1, the first trade of the minute a tick running a few seconds after
 *   the close actually trades in. The exit at exitTimeMs = m + horizon fills the same way: the close of
 *   candle m+h, or the open of candle m+h+1; both hold the position exactly `horizonMinutes`.
 *
 * `slippageBpsPerSide` (spread and impact, in basis points of the price, charged on both sides by moving
 * the fill against the trade) defaults by class: 1 bp for the majors (BTC and ETH: quoted spread about
 * 0.01 bp of price, so 1 bp covers it and the impact of a 1,000 USDT order), 3 bps for every other pair
 * (typical top-20 USDT pairs quote 1 to 5 bps wide at the touch). `bySymbol` overrides a pair.
 */
export const executionConfigSchema = z.object({
  entry: z.enum(['close', 'nextOpen']).default('nextOpen'),
  slippageBpsPerSide: z
    .object({
      major: z.number().min(0).max(1000).default(1),
      other: z.number().min(0).max(1000).default(3),
      bySymbol: z.record(symbolSchema, z.number().min(0).max(1000)).default({}),
    })
    .prefault({}),
  /** The pairs charged the `major` slippage. */
  majorSymbols: z.array(symbolSchema).default(['BTCUSDT', 'ETHUSDT']),
});

export const paperConfigSchema = z.object({
  /** A symbol whose newest closed candle is older than this is stale and not traded. */
  staleAfterMinutes: z.number().int().positive().default(3),
  notionalPerTrade: z.number().positive().default(1000),
  /** Kline requests in flight per tick; 20 symbols at weight 2 each stay far below Binance's 6000/minute. */
  fetchConcurrency: z.number().int().positive().default(8),
});

export const telemetryConfigSchema = z.object({
  sink: z.enum(['jsonl', 'opensearch']).default('jsonl'),
  opensearchUrl: z.string().url().optional(),
  indexPrefix: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('alpha15'),
});

export const configSchema = z.object({
  symbols: z
    .array(symbolSchema)
    .min(1)
    .default([...DEFAULT_SYMBOLS]),
  intervalMinutes: z.literal(1).default(1),
  windowMinutes: z.number().int().min(MIN_WINDOW_MINUTES).default(512),
  horizonMinutes: z.number().int().positive().default(15),
  /**
   * What the model learns: 'raw', each coin's return close[t+h]/close[t] − 1; or 'residual', that return
   * minus the universe's `coinWeights`-weighted average return over the same minutes (the G-Research
   * benchmark's idea: what is left after the market's common move). Trades are always priced on prices.
   */
  target: z.enum(['raw', 'residual']).default('raw'),
  /** Weights of the residual target's universe average and of the weighted correlation metric. */
  coinWeights: z
    .object({
      bySymbol: z.record(symbolSchema, z.number().positive()).default({ ...G_RESEARCH_COIN_WEIGHTS }),
      other: z.number().positive().default(1),
    })
    .prefault({}),
  /** `file://dir` or `s3://bucket/prefix`. */
  store: z
    .string()
    .regex(STORE_URL_PATTERN, 'a store URL: file://<dir> or s3://<bucket>/<prefix>')
    .default('file://./.alpha15'),
  binanceBaseUrl: z.string().url().default(DEFAULT_BINANCE_BASE_URL),
  binanceArchiveBaseUrl: z.string().url().default('https://data.binance.vision'),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  model: modelConfigSchema.prefault({}),
  training: trainingConfigSchema.prefault({}),
  strategy: strategyConfigSchema.prefault({}),
  paper: paperConfigSchema.prefault({}),
  execution: executionConfigSchema.prefault({}),
  telemetry: telemetryConfigSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ModelConfig = Config['model'];
export type TrainingConfig = Config['training'];
export type StrategyConfig = Config['strategy'];
export type ExecutionConfig = Config['execution'];
export type TargetKind = Config['target'];

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

/** A fee per side as a fraction of notional: never negative (a rebate would be a separate setting). */
const feeRate = z.number().min(0, 'a fee rate of at least 0').lt(0.1);

export const strategyConfigSchema = z.object({
  /**
   * Spot taker fee charged on each side of a trade, as a fraction of notional (0.001 = 0.1%, Binance VIP0);
   * the 'spot' and 'spot-margin' venues charge it, 'usdm-futures' its tier's taker fee instead.
   */
  feeRatePerSide: feeRate.default(0.001),
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
/**
 * Binance USDⓈ-M futures fees per VIP tier (maker, taker per side), from Binance's futures fee schedule
 * (docs/research.md has the sources): Regular (VIP0) 0.02% / 0.05% down to VIP9 0% / 0.017%.
 */
// prettier-ignore
export const USDM_FUTURES_FEE_TIERS: Readonly<Record<string, { maker: number; taker: number }>> = {
  VIP0: { maker: 0.0002, taker: 0.0005 },
  VIP1: { maker: 0.00016, taker: 0.0004 },
  VIP2: { maker: 0.00014, taker: 0.00035 },
  VIP3: { maker: 0.00012, taker: 0.00032 },
  VIP4: { maker: 0.0001, taker: 0.0003 },
  VIP5: { maker: 0.00008, taker: 0.00027 },
  VIP6: { maker: 0.00006, taker: 0.00025 },
  VIP7: { maker: 0.00004, taker: 0.00022 },
  VIP8: { maker: 0.00002, taker: 0.0002 },
  VIP9: { maker: 0, taker: 0.00017 },
};

/**
 * Spot margin: a short borrows the base asset and pays its hourly interest rate on the borrowed amount
 * (`byAsset`, keyed by the base asset such as LINK, else `default`). Binance accrues one hour's interest
 * when the loan is taken and another at the start of every hour while it is open ('hourly'), so a
 * 15-minute short pays one or two hours; 'perMinute' charges exactly the minutes held. The default rate,
 * 0.001% an hour (0.024% a day), is Binance's own worked example and within the range its VIP0 rates for
 * the default universe's coins move in (docs/research.md).
 */
export const spotMarginConfigSchema = z.object({
  borrowRatePerHour: z
    .object({
      default: z.number().min(0, 'a borrow rate of at least 0').default(0.00001),
      byAsset: z.record(z.string(), z.number().min(0, 'a borrow rate of at least 0')).default({}),
    })
    .prefault({}),
  interestAccrual: z.enum(['hourly', 'perMinute']).default('hourly'),
});

/**
 * USDⓈ-M perpetual futures: maker and taker fees from `feeTiers[tier]`, and funding exchanged every
 * `fundingIntervalHours` (at 00:00, 08:00 and 16:00 UTC by default): a position open across a funding time
 * pays `rate` × notional when long and receives it when short (a negative rate the other way round). The
 * lake holds no funding rates, so the rate comes from here: 0.01% per interval, Binance's baseline
 * (its interest-rate component with a zero premium), per symbol overridable.
 */
export const usdmFuturesConfigSchema = z.object({
  tier: z.string().default('VIP0'),
  feeTiers: z
    .record(z.string(), z.object({ maker: feeRate, taker: feeRate }))
    .default({ ...USDM_FUTURES_FEE_TIERS }),
  fundingIntervalHours: z.number().positive('a funding interval above 0 hours').default(8),
  fundingRatePerInterval: z
    .object({
      default: z.number().gt(-0.1).lt(0.1).default(0.0001),
      bySymbol: z.record(symbolSchema, z.number().gt(-0.1).lt(0.1)).default({}),
    })
    .prefault({}),
});

export const executionConfigSchema = z
  .object({
    /**
     * The account the trades are placed in (src/strategy/venue.ts): 'spot' is long only (every short
     * signal is dropped and counted); 'spot-margin' shorts by borrowing the coin (`spotMargin`); 'usdm-futures'
     * trades the perpetual with the fees of `usdmFutures.tier` and pays or receives funding. Default:
     * 'spot-margin', the account the spot candles and the spot fee describe that can take both sides.
     */
    venue: z.enum(['spot', 'spot-margin', 'usdm-futures']).default('spot-margin'),
    /**
     * 'maker': a limit order at the touch when the decision is made (the decision close less the pair's
     * slippage for a buy, plus it for a sell), filled only if the next minute trades through it (its low
     * below a buy's limit, its high above a sell's), at the maker fee; otherwise no trade. Exits are taker
     * at the next open, as under 'nextOpen'.
     */
    entry: z.enum(['close', 'nextOpen', 'maker']).default('nextOpen'),
    /** The spot maker fee per side (Binance VIP0: 0.1%, the same as its taker fee `strategy.feeRatePerSide`). */
    spotMakerFeeRatePerSide: feeRate.default(0.001),
    spotMargin: spotMarginConfigSchema.prefault({}),
    usdmFutures: usdmFuturesConfigSchema.prefault({}),
    slippageBpsPerSide: z
      .object({
        major: z.number().min(0).max(1000).default(1),
        other: z.number().min(0).max(1000).default(3),
        bySymbol: z.record(symbolSchema, z.number().min(0).max(1000)).default({}),
      })
      .prefault({}),
    /** The pairs charged the `major` slippage. */
    majorSymbols: z.array(symbolSchema).default(['BTCUSDT', 'ETHUSDT']),
  })
  .superRefine((execution, context) => {
    const { tier, feeTiers } = execution.usdmFutures;
    if (execution.venue === 'usdm-futures' && feeTiers[tier] === undefined)
      context.addIssue({
        code: 'custom',
        path: ['usdmFutures', 'tier'],
        message: `the fee table usdmFutures.feeTiers has no tier "${tier}" (it has ${Object.keys(feeTiers).join(', ') || 'none'})`,
      });
  });

export const paperConfigSchema = z.object({
  /** A symbol whose newest closed candle is older than this is stale and not traded. */
  staleAfterMinutes: z.number().int().positive().default(3),
  notionalPerTrade: z.number().positive().default(1000),
  /** Kline requests in flight per tick; 20 symbols at weight 2 each stay far below Binance's 6000/minute. */
  fetchConcurrency: z.number().int().positive().default(8),
});

export const telemetryConfigSchema = z.object({
  // 'none': records stay in the ledger and the store only (a stack deployed without an OpenSearch domain)
  sink: z.enum(['jsonl', 'opensearch', 'none']).default('jsonl'),
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

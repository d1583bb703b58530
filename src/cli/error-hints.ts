/**
 * The terminal's hints: a core error says what to do in words that also hold in a Lambda log or a
 * SageMaker failure reason; here, keyed by the error's stable code and rendered from its data, the
 * same advice names the flags and commands a CLI user types. Codes without an entry keep the core's
 * hint.
 */
import { Alpha15Error, type ErrorData } from '../errors.js';

type HintRenderer = (data: ErrorData) => string | undefined;

const list = (value: unknown): string => (Array.isArray(value) ? value.join(',') : String(value));

const RANGE_FLAGS = 'widen --from/--to';

export const CLI_HINTS: Readonly<Record<string, HintRenderer>> = {
  BACKFILL_STATE_MACHINE_NOT_FOUND: () =>
    'deploy the stack (npx cdk deploy), set AWS_REGION to its region, or pass --state-machine <arn> (stack output BackfillStateMachineArn)',
  INVALID_BACKFILL_RANGE: (data) =>
    data.reason === 'unpublished'
      ? `pass --to ${String(data.lastPublishedMonth)} or earlier; \`alpha15 ingest --source binance\` fills the current month`
      : data.reason === 'reversed'
        ? 'swap --from and --to'
        : `use YYYY-MM, e.g. --${data.which === 'first' ? 'from' : 'to'} 2023-01`,
  NO_TEST_PERIOD: (data) =>
    data.reason === 'empty-range'
      ? "give a --from before --to (without --to the range ends where the model's test split ends)"
      : "pass --from and --to after the model's training data, e.g. --from 2026-02-25 --to 2026-03-01",
  INGEST_RANGE_EMPTY: () => '--from is inclusive and --to exclusive: give a --from earlier than --to',
  INGEST_NOTHING_MATCHED: () =>
    'check --from/--to against the period the source covers, and --symbols against what it holds',
  MIXED_DATA_SOURCES: (data) =>
    data.incomingSource === 'synthetic'
      ? 'ingest synthetic candles into their own store (--store file://./.alpha15-synthetic); `alpha15 ingest --allow-mixed-sources` mixes them on purpose'
      : 'ingest real candles into their own store (--store file://./.alpha15-real); `alpha15 ingest --allow-mixed-sources` mixes them on purpose',
  SIMULATION_ID: () => 'pass --id with letters, digits, - and _ (at most 64), e.g. --id feb-weekly',
  SIMULATION_RANGE: (data) =>
    data.reason === 'no-periods'
      ? 'pass an earlier --from, a later --to or a shorter --initial-training'
      : 'pass --from before --to, on whole minutes (UTC), e.g. --from 2026-02-01 --to 2026-03-01',
  SIMULATION_SPEC_MISMATCH: () =>
    'run it with the same flags and config to continue it, or pass another --id',
  TRAINING_OPTIONS: (data) =>
    data.reason === 'walk-forward-with-init'
      ? '--walk-forward and --init cannot be combined: fine-tune with --init on new data, or drop --init'
      : data.reason === 'no-store'
        ? 'pass --store <url>'
        : undefined,
  NO_TRAINING_DATA: () => 'run `alpha15 ingest` for these symbols first, or pass --symbols',
  TUNE_OPTIONS: (data) =>
    data.reason === 'trials'
      ? 'pass --trials N with N of 1 or more'
      : data.reason === 'study-id'
        ? 'pass --study <name> with lower-case letters, digits and dashes'
        : 'widen the search space (--space) or --from/--to, or turn pruning off with --no-prune',
  SYMBOLS_NOT_IN_LAKE: (data) =>
    Array.isArray(data.workingSymbols) && data.workingSymbols.length > 0
      ? `use the symbols it holds: --symbols ${list(data.workingSymbols)} (or ingest the others first)`
      : 'run `alpha15 ingest` for these symbols first',
  CONFIG: (data) =>
    data.reason === 'invalid-field'
      ? `fix "${String(data.field)}"; run with --help to see the options`
      : data.reason === 'unreadable'
        ? 'check the path given to --config'
        : undefined,
  DATASET_TOO_SHORT: (data) =>
    data.reason === 'fold-samples'
      ? `${RANGE_FLAGS}, lower --window or --sample-stride, or pass fewer --walk-forward folds`
      : data.reason === 'folds'
        ? `pass fewer --walk-forward folds, or ${RANGE_FLAGS}`
        : `${RANGE_FLAGS} or lower --window`,
  EMPTY_TRAINING_SPLIT: () => `${RANGE_FLAGS} or drop the symbol from --symbols`,
  INVALID_GRID_RANGE: (data) => (data.reason === 'range' ? 'give --from before --to, both UTC' : undefined),
  KLINE_CONFLICT: () =>
    'check the source (right symbol and period?); if it is right, re-run ingest with --overwrite (the result lists every replaced candle)',
  PARTITION_CORRUPT: () =>
    '`alpha15 data verify` lists every damaged partition; `alpha15 data repair` rebuilds them from raw/ (or the source)',
  CORRUPT_WATERMARK: (data) =>
    `run \`alpha15 data repair --symbols ${String(data.symbol)}\`: it rebuilds the watermark from the stored partitions`,
  ARCHIVE_NOT_FOUND: (data) =>
    data.reason === 'missing-file'
      ? `put ${String(data.fileName)} (from data.binance.vision) below ${String(data.folder)}, or ingest with --source binance`
      : data.reason === 'unreadable-folder'
        ? 'check the folder given to --source archive:<dir>'
        : undefined,
  ARCHIVE_DOWNLOAD: (data) =>
    data.reason === 'no-range' ? 'pass --from and --to: the data site is read period by period' : undefined,
  REPLAY_DATA: (data) =>
    data.reason === 'no-candles'
      ? 'check --data and --symbols'
      : 'point --data at e.g. ../shared/data/binance-archive/2026-02 or ../shared/data/binance-api-2021-12/snapshot-c',
  UNKNOWN_SOURCE: () => 'use --source binance, --source archive:<dir> or --source synthetic',
  BACKEND_UNAVAILABLE: (data) =>
    data.backend === 'node' || data.backend === 'node-gpu'
      ? `install @tensorflow/tfjs-${String(data.backend)} (it needs network access and, for the GPU, CUDA), or pass --backend wasm`
      : 'pass another --backend (auto picks the best one that loads)',
  CORRUPT_CHECKPOINT: () =>
    'delete the directory (or point --checkpoint-dir elsewhere) to train from scratch',
  MODEL_NOT_FOUND: (data) =>
    data.modelId === 'champion'
      ? 'train one with `alpha15 train --store <url>` (the first model becomes champion), or promote one with --promote'
      : 'check the id and the --store URL (`alpha15 runs list` names the trained models)',
  MODEL_SYMBOLS_MISMATCH: (data) =>
    `pass --symbols ${list(data.modelSymbols)} (the model's universe, in its order), or train a model on these symbols`,
  RUN_NOT_FOUND: (data) =>
    data.reason === 'unknown-id' ? 'list the recorded runs with `alpha15 runs list`' : undefined,
  TELEMETRY_CONFIG: () =>
    'pass --opensearch <url>, or set telemetry.opensearchUrl (or ALPHA15_TELEMETRY__OPENSEARCH_URL)',
  STUDY_MISMATCH: (data) =>
    data.reason === 'other-spec'
      ? 'continue it with the same flags, or start another with --study <new-name>'
      : undefined,
  INVALID_TUNING_REQUEST: (data) =>
    data.reason === 'not-s3'
      ? "pass --store s3://<bucket>, the stack's bucket (the stack output TuningRequestPrefix names it)"
      : undefined,
};

/** The hint a terminal user gets for `error`: the CLI's rendering when its code has one, else the core's. */
export function cliHint(error: Alpha15Error): string | undefined {
  return CLI_HINTS[error.code]?.(error.data) ?? error.hint;
}

/**
 * Where a partition's candles came from. A lake must never blend a seeded synthetic market with real
 * market data without a word: a model trained on both learns an edge that exists only in the planted
 * half. The kinds name the transport (`archive`: Binance data-site zips, `rest`: the Binance API,
 * `synthetic`: the seeded generator), but the line ingest refuses to cross is the *origin*: archive and
 * REST candles are the same real market (the backfill merges a month's zip into REST minutes, and
 * both must keep merging), so only synthetic against real is a mix. Partitions written before sources
 * were recorded have none: their origin is unknown, and nothing is refused on their account.
 */
import { Alpha15Error } from '../errors.js';

export const SOURCE_KINDS = ['archive', 'rest', 'synthetic'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
/** A symbol's or partition's source as shown: a kind, or `unknown` for partitions from before sources were recorded. */
export type ShownSource = SourceKind | 'unknown';
export type SourceOrigin = 'real' | 'synthetic';

export function originOf(kind: SourceKind): SourceOrigin {
  return kind === 'synthetic' ? 'synthetic' : 'real';
}

/** The kinds of both lists, once each, in SOURCE_KINDS order (the form partitions record). */
export function unionOfKinds(...lists: readonly (readonly SourceKind[])[]): SourceKind[] {
  const all = new Set(lists.flat());
  return SOURCE_KINDS.filter((kind) => all.has(kind));
}

/** The origins among `kinds`, in a stable order. */
export function originsOf(kinds: readonly SourceKind[]): SourceOrigin[] {
  const origins = new Set(kinds.map(originOf));
  return (['real', 'synthetic'] as const).filter((origin) => origins.has(origin));
}

/** True when `kinds` hold both synthetic and real candles. */
export function mixesOrigins(kinds: readonly SourceKind[]): boolean {
  return originsOf(kinds).length > 1;
}

/** An ingest would add candles of one origin to a symbol that holds the other. */
export class MixedDataSourcesError extends Alpha15Error {
  readonly code = 'MIXED_DATA_SOURCES';
  override readonly data: {
    symbol: string;
    storedSources: SourceKind[];
    incomingSource: SourceKind;
    /** Every symbol of the run that would be mixed, with what it holds. */
    symbols: Record<string, SourceKind[]>;
  };
  constructor(incomingSource: SourceKind, symbols: Record<string, SourceKind[]>) {
    const [symbol, storedSources] = Object.entries(symbols)[0]!;
    const incoming = originOf(incomingSource);
    super(
      `refusing to add ${incoming} candles (${incomingSource}) to ${Object.keys(symbols).join(', ')}: ` +
        `the lake holds ${incoming === 'real' ? 'synthetic' : 'real'} candles of ${symbol} (${storedSources.join(', ')}); nothing was written`,
      'keep synthetic and real data in separate stores, or allow mixed sources explicitly',
      { data: { symbol, storedSources, incomingSource, symbols } },
    );
    this.data = { symbol, storedSources, incomingSource, symbols };
  }
}

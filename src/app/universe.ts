/**
 * Which symbols a use case (train, tune, simulate) works on: the one rule, so every command resolves
 * it the same way. A universe the user set (`--symbols`, the config file, ALPHA15_SYMBOLS) is taken as
 * given, and a lake that lacks some of it is an error naming the `--symbols` value that would work. A
 * universe nobody set (the 20 defaults) gives way to the symbols the lake holds, with a note saying so,
 * so a lake of 7 symbols trains without typing all 7.
 */
import { Alpha15Error } from '../errors.js';
import { WATERMARKS_PREFIX } from '../contracts/keys.js';
import { symbolOfWatermarkKey } from '../lake/layout.js';
import type { ObjectStore } from '../store/object-store.js';

export class SymbolsNotInLakeError extends Alpha15Error {
  readonly code = 'SYMBOLS_NOT_IN_LAKE';
  constructor(
    readonly missing: readonly string[],
    readonly workingSymbols: readonly string[],
    storeUrl: string,
  ) {
    super(
      `the lake in ${storeUrl} holds no candles for ${missing.join(', ')}`,
      workingSymbols.length > 0
        ? `use the symbols it holds: ${workingSymbols.join(',')} (or ingest the others first)`
        : 'ingest these symbols first',
      { data: { missing, workingSymbols, storeUrl } },
    );
  }
}

export interface Universe {
  symbols: string[];
  /** True when the lake's symbols stood in for a universe nobody set (the caller says so). */
  fromLake: boolean;
}

/** The symbols with a watermark in the lake, sorted. */
export async function lakeSymbols(store: ObjectStore): Promise<string[]> {
  const keys = await store.list(WATERMARKS_PREFIX);
  return keys.flatMap((key) => symbolOfWatermarkKey(key) ?? []).sort();
}

export async function resolveUniverse(
  store: ObjectStore,
  configured: readonly string[],
  explicit: boolean,
): Promise<Universe> {
  const held = await lakeSymbols(store);
  const heldSet = new Set(held);
  const missing = configured.filter((symbol) => !heldSet.has(symbol));
  if (missing.length === 0) return { symbols: [...configured], fromLake: false };
  if (explicit) {
    const present = configured.filter((symbol) => heldSet.has(symbol));
    throw new SymbolsNotInLakeError(missing, present.length > 0 ? present : held, store.url);
  }
  // an empty lake: keep the defaults, so the error that follows names what to ingest
  if (held.length === 0) return { symbols: [...configured], fromLake: false };
  return { symbols: held, fromLake: true };
}

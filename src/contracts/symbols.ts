/**
 * The symbol schema every process validates with: the config, the Lambdas' environment, the training
 * job's hyperparameters and the CDK context. Lists travel between processes as comma-separated text.
 */
import { z } from 'zod';

/** A Binance spot symbol as the exchange spells it: upper case letters and digits. */
export const SYMBOL_PATTERN = /^[A-Z0-9]{5,20}$/;

export const symbolSchema = z
  .string()
  .regex(SYMBOL_PATTERN, 'a Binance spot symbol in upper case, e.g. BTCUSDT');

/** `BTCUSDT, ETHUSDT,` → ['BTCUSDT', 'ETHUSDT']: trimmed, empty entries dropped. */
export function splitSymbolList(list: string): string[] {
  return list
    .split(',')
    .map((symbol) => symbol.trim())
    .filter((symbol) => symbol !== '');
}

/** At least one symbol, given as a comma-separated string. */
export const symbolListTextSchema = z.string().transform(splitSymbolList).pipe(z.array(symbolSchema).min(1));

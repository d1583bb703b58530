/**
 * Is the Binance REST API reachable? One `GET /api/v3/time` with a short timeout and no retries, so an
 * offline machine learns it in seconds instead of after a full retry schedule.
 */
import { BinanceClient } from './binance-client.js';

export type BinanceProbe = { reachable: true; serverTimeMs: number } | { reachable: false; reason: string };

export async function probeBinance(baseUrl: string, timeoutMs: number): Promise<BinanceProbe> {
  const client = new BinanceClient({ baseUrl, timeoutMs, maxRetries: 0 });
  try {
    return { reachable: true, serverTimeMs: await client.serverTimeMs() };
  } catch (error) {
    return { reachable: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The dashboard's stored totals of one compacted trades day: written beside the day file by the ledger
 * compaction (and by the dashboard when one is missing, stale or damaged), so a restarted dashboard
 * merges a year's totals from 365 small summaries instead of decoding 100,000 Parquet rows.
 *
 *   paper/curated/dashboard/day=<YYYY-MM-DD>/trades-summary.txt
 *   line 1: `alpha15-trades-summary v1 <sha256 of the rest>`, then the JSON body: the sha256 of the day
 *   file it summarises, the ids of its trades, its latest exit and its TradeTotals (exact sums).
 *
 * The day file stays what is summarised: a summary is used only when its own digest holds, its body is
 * the expected shape, its trades entered on its day, and the day file's bytes hash to the digest it names. Anything else (a day file
 * compacted again, a summary cut short or edited) is `stale` or `damaged`, and the day file is decoded.
 */
import { z } from 'zod';
import { sha256Hex } from '../../checksum.js';
import { PAPER_CURATED_PREFIX } from '../../contracts/keys.js';
import { dayId } from '../ledger.js';
import { tradesFromParquet } from '../ledger-parquet.js';
import { tradeSchema, type Trade } from '../records.js';
import { TradeTotals, tradeTotalsStateSchema } from './trade-totals.js';

const HEADER = 'alpha15-trades-summary v1';

const bodySchema = z.object({
  dayFileSha256: z.string().regex(/^[0-9a-f]{64}$/),
  tradeIds: z.array(z.string()),
  maxExitTimeMs: z.number().int().nullable(),
  totals: tradeTotalsStateSchema,
});

export interface DaySummary {
  tradeIds: string[];
  /** The latest exit of the day file's trades; null for a file of no trades. */
  maxExitTimeMs: number | null;
  totals: TradeTotals;
}

export function daySummaryKey(dayMs: number): string {
  return `${PAPER_CURATED_PREFIX}dashboard/day=${dayId(dayMs)}/trades-summary.txt`;
}

/** The stored summary of a day file's trades (the trades decoded from that file). */
export function daySummaryBytes(dayFile: Uint8Array, trades: readonly Trade[]): Uint8Array {
  const totals = new TradeTotals();
  for (const trade of trades) totals.add(trade);
  const body = new TextEncoder().encode(
    JSON.stringify({
      dayFileSha256: sha256Hex(dayFile),
      tradeIds: trades.map((trade) => trade.tradeId),
      maxExitTimeMs: trades.length > 0 ? Math.max(...trades.map((trade) => trade.exitTimeMs)) : null,
      totals: totals.toState(),
    }),
  );
  const header = new TextEncoder().encode(`${HEADER} ${sha256Hex(body)}\n`);
  const bytes = new Uint8Array(header.byteLength + body.byteLength);
  bytes.set(header);
  bytes.set(body, header.byteLength);
  return bytes;
}

/**
 * The summary of `dayFile` stored in `stored`, or why it cannot be used: missing, stale (it summarises
 * other bytes than the day file's) or damaged (its digest, JSON or shape does not hold).
 */
export function readDaySummary(
  stored: Uint8Array | undefined,
  dayFile: Uint8Array,
  dayMs: number,
): { summary: DaySummary } | { problem: string } {
  if (stored === undefined) return { problem: 'missing' };
  const newline = stored.indexOf(0x0a);
  const header = new TextDecoder().decode(stored.subarray(0, Math.max(newline, 0)));
  const body = stored.subarray(newline + 1);
  if (newline < 0 || header !== `${HEADER} ${sha256Hex(body)}`)
    return { problem: 'damaged: its digest does not match its contents' };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return { problem: 'damaged: not JSON' };
  }
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) return { problem: `damaged: ${parsed.error.issues[0]!.message}` };
  const { dayFileSha256, tradeIds, maxExitTimeMs, totals } = parsed.data;
  if (dayFileSha256 !== sha256Hex(dayFile)) return { problem: 'stale: the day file has changed since' };
  if (totals.count !== tradeIds.length)
    return { problem: `damaged: ${tradeIds.length} trade ids for ${totals.count} trades` };
  // a trade id starts with its entry minute, and a day file holds the trades entered that day: so no
  // two days' summaries can count one trade twice
  const day = dayId(dayMs);
  const foreign = tradeIds.find((id) => !id.startsWith(day));
  if (foreign !== undefined) return { problem: `damaged: trade ${foreign} did not enter on ${day}` };
  return { summary: { tradeIds, maxExitTimeMs, totals: TradeTotals.fromState(totals) } };
}

/** The trades of a compacted day file, each checked as a trade, or why the file does not give them. */
export async function decodeDayTrades(
  dayFile: Uint8Array,
): Promise<{ trades: Trade[] } | { problem: string }> {
  let rows: Record<string, unknown>[];
  try {
    rows = await tradesFromParquet(dayFile);
  } catch (error) {
    return { problem: `does not decode: ${String(error)}` };
  }
  const trades: Trade[] = [];
  for (const row of rows) {
    const parsed = tradeSchema.safeParse(row);
    if (!parsed.success)
      return { problem: `holds a row that is no trade: ${parsed.error.issues[0]!.message}` };
    trades.push(parsed.data);
  }
  return { trades };
}

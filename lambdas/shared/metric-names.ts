/** Custom metric names shared by the handlers that emit them and the constructs that alarm on them. */

/** Emitted once per completed paper tick; its absence over a window is a missed minute. */
export const TICK_COMPLETED_METRIC = 'TickCompleted';

/** Corrupt ledger objects a tick moved under paper/quarantine/; any is worth a look (and an alarm). */
export const LEDGER_QUARANTINE_METRIC = 'LedgerObjectsQuarantined';

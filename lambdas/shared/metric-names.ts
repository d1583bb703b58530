/** Custom metric names shared by the handlers that emit them and the constructs that alarm on them. */

/** Emitted once per completed paper tick; its absence over a window is a missed minute. */
export const TICK_COMPLETED_METRIC = 'TickCompleted';

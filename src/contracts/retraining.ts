/**
 * The deployed retraining schedule, read by the stack (infra/settings.ts defaults, the trigger Lambda's
 * environment) and by `alpha15 simulate`, which replays that schedule over history: one value each, so
 * the simulation answers for the system that is deployed and not for a copy of its numbers.
 */

/** New curated data starts a retrain at most this often. */
export const RETRAIN_INTERVAL_HOURS = 24;

/** Days of history a retraining job reads from the lake, ending at the moment it starts. */
export const TRAINING_LOOKBACK_DAYS = 90;

/** A retrain is refused while the lake holds fewer days than this within the training lookback. */
export const TRAINING_MIN_DAYS = 30;

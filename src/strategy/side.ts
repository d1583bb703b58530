/** The side of a trade: a long profits when the price rises, a short when it falls. */
export type Side = 'long' | 'short';

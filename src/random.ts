/**
 * A small seeded random source. Math.random cannot be seeded, and every place alpha15 draws random
 * numbers (the synthetic market, batch shuffling) must replay exactly for a given seed.
 */

/** Uniform numbers in [0, 1) from a 32-bit seed (mulberry32: tiny, fast, good enough for simulation). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by Box-Muller, caching the second value of each pair. */
export function normalSource(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    // 1 - u keeps the argument of log in (0, 1], so log never sees 0.
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/**
 * Student-t draws scaled to unit variance (degrees of freedom > 2), built as a normal divided by the
 * root of a scaled chi-square, which needs only normal draws when the degrees of freedom are whole.
 */
export function unitStudentTSource(normal: () => number, degreesOfFreedom: number): () => number {
  if (!Number.isInteger(degreesOfFreedom) || degreesOfFreedom <= 2) {
    throw new RangeError(`degreesOfFreedom must be a whole number above 2, got ${degreesOfFreedom}`);
  }
  const varianceScale = Math.sqrt((degreesOfFreedom - 2) / degreesOfFreedom);
  return () => {
    let chiSquare = 0;
    for (let i = 0; i < degreesOfFreedom; i++) {
      const z = normal();
      chiSquare += z * z;
    }
    return (normal() / Math.sqrt(chiSquare / degreesOfFreedom)) * varianceScale;
  };
}

/** Fisher-Yates shuffle in place, driven by the given uniform source. */
export function shuffleInPlace(items: Int32Array | number[], uniform: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const swap = items[i]!;
    items[i] = items[j]!;
    items[j] = swap;
  }
}

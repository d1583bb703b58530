/**
 * A sum of doubles kept exactly (Shewchuk's non-overlapping partials, as Python's math.fsum) and read as
 * the correctly rounded value. The result does not depend on the order the terms were added in or on how
 * partial sums were grouped, so the dashboard's totals built from per-day summaries are the same to the
 * last bit as the totals of the same trades added one by one in any order.
 */
export class ExactSum {
  private readonly partials: number[];

  constructor(partials: readonly number[] = []) {
    this.partials = [...partials];
  }

  add(term: number): this {
    const partials = this.partials;
    let x = term;
    let kept = 0;
    for (const partial of partials) {
      let y = partial;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[kept++] = lo;
      x = hi;
    }
    partials.length = kept;
    partials.push(x);
    return this;
  }

  addSum(other: ExactSum): this {
    for (const partial of other.partials) this.add(partial);
    return this;
  }

  /** The partials, for storing; `new ExactSum(partials)` is the same sum. */
  toJSON(): number[] {
    return [...this.partials];
  }

  /** The exact sum rounded once to the nearest double (ties to even), as fsum's last step. */
  get value(): number {
    const partials = this.partials;
    let n = partials.length;
    if (n === 0) return 0;
    let hi = partials[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = partials[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // the rounding of hi + lo is a tie only half way: the next partial decides its direction
    if (n > 0 && ((lo < 0 && partials[n - 1]! < 0) || (lo > 0 && partials[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}

// Half-open time intervals [start, end) and the set operations the calendars need: union, difference, lookup
// and "the first place something of this length fits". Instants only (no calendar), so plain milliseconds.

export interface Interval {
  start: Date;
  end: Date;
}

const ms = (d: Date) => d.getTime();

/** The union as sorted, disjoint intervals; overlapping and touching ones become one. Empty ones are dropped. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => ms(i.end) > ms(i.start)).sort((a, b) => ms(a.start) - ms(b.start));
  const merged: Interval[] = [];
  for (const next of sorted) {
    const last = merged[merged.length - 1];
    if (last && ms(next.start) <= ms(last.end)) {
      if (ms(next.end) > ms(last.end)) merged[merged.length - 1] = { start: last.start, end: next.end };
    } else merged.push({ start: next.start, end: next.end });
  }
  return merged;
}

/** Index of the first interval of a sorted, disjoint list that ends after `t` (list length when none does). */
function firstEndingAfter(list: readonly Interval[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms(list[mid].end) > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The interval of a sorted, disjoint list that contains `t`, or null. */
export function intervalAt(list: readonly Interval[], t: Date): Interval | null {
  const candidate = list[firstEndingAfter(list, ms(t))];
  return candidate && ms(candidate.start) <= ms(t) ? candidate : null;
}

/** `from` less `remove`; both sorted and disjoint, and so is the answer. */
export function subtractIntervals(from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  const result: Interval[] = [];
  let j = 0;
  for (const interval of from) {
    let start = ms(interval.start);
    const end = ms(interval.end);
    while (j < remove.length && ms(remove[j].end) <= start) j++;
    for (let k = j; k < remove.length && ms(remove[k].start) < end; k++) {
      if (ms(remove[k].start) > start) result.push({ start: new Date(start), end: remove[k].start });
      start = Math.max(start, ms(remove[k].end));
    }
    if (start < end) result.push({ start: new Date(start), end: interval.end });
  }
  return result;
}

/**
 * The earliest s with `t` ≤ s ≤ `latestStart` and [s, s + lengthMs) inside one interval of a sorted, disjoint
 * list; null when there is none.
 */
export function firstFit(list: readonly Interval[], t: Date, lengthMs: number, latestStart: Date): Date | null {
  for (let i = firstEndingAfter(list, ms(t)); i < list.length; i++) {
    const s = Math.max(ms(list[i].start), ms(t));
    if (s > ms(latestStart)) return null;
    if (s + lengthMs <= ms(list[i].end)) return new Date(s);
  }
  return null;
}

/** The parts of a sorted, disjoint list inside [from, to). */
export function clipIntervals(list: readonly Interval[], from: Date, to: Date): Interval[] {
  return list
    .filter((i) => ms(i.end) > ms(from) && ms(i.start) < ms(to))
    .map((i) => ({ start: ms(i.start) < ms(from) ? from : i.start, end: ms(i.end) > ms(to) ? to : i.end }));
}

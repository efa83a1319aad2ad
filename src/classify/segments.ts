/**
 * The address space cut into disjoint intervals. Every address interval any endpoint binds
 * (inventory CIDRs already carved for longest prefix, pack CIDRs, CIDRs written in rules) may
 * overlap others; cut at every interval boundary, each piece is covered by one fixed set of
 * bindings. The classifier then places an address with one ordered lookup (an ASOF join on
 * `lo <= address`, then `address <= hi`) instead of a range join against every interval.
 */

export interface BoundInterval {
  family: 4 | 6;
  lo: bigint;
  hi: bigint;
  /** endpoint_bindings.binding_id */
  binding: number;
}

export interface Segment {
  family: 4 | 6;
  lo: bigint;
  hi: bigint;
  /** The bindings that hold every address of the segment, ascending. */
  bindings: number[];
}

/** Disjoint segments, sorted by family then address; parts of the space no interval covers are left out. */
export function segmentIntervals(intervals: readonly BoundInterval[]): Segment[] {
  const out: Segment[] = [];
  for (const family of [4, 6] as const) {
    const own = intervals.filter((i) => i.family === family);
    if (own.length === 0) continue;
    // Each interval starts at lo and stops before hi + 1 (which may be 2^width: fine in a bigint).
    const starts = new Map<bigint, number[]>();
    const stops = new Map<bigint, number[]>();
    for (const i of own) {
      push(starts, i.lo, i.binding);
      push(stops, i.hi + 1n, i.binding);
    }
    const boundaries = [...new Set([...starts.keys(), ...stops.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const active = new Set<number>();
    for (let k = 0; k < boundaries.length - 1; k++) {
      const at = boundaries[k]!;
      for (const binding of stops.get(at) ?? []) active.delete(binding);
      for (const binding of starts.get(at) ?? []) active.add(binding);
      if (active.size > 0) out.push({ family, lo: at, hi: boundaries[k + 1]! - 1n, bindings: [...active].sort((a, b) => a - b) });
    }
  }
  return out;
}

function push(map: Map<bigint, number[]>, key: bigint, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

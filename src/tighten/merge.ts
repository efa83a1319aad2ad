/**
 * Merging observed addresses into CIDRs and observed ports into ranges, under one hard constraint:
 * a merged block never takes in an address (or port) that an unexpected connection used. Two soft
 * bounds keep the result least-privilege rather than merely small:
 *
 * - fill: a merged block must have at least `minFill` percent of its addresses (ports) observed —
 *   two addresses at either end of a /16 do not become the /16;
 * - bounds: an address block never reaches beyond the peer endpoint's documented addresses — the
 *   documentation allows no more than that, so neither does the tightened rule.
 *
 * Addresses merge bottom-up on the prefix tree: at each prefix length, a block that would join two
 * or more current blocks is taken when it passes the three checks. Ports merge left to right.
 */
import { BITS } from './model.js';
import type { Cidr, Family, Interval, PortRange } from './model.js';

/** Sorted, duplicate-free copy. */
function sortUnique(values: Iterable<bigint>): bigint[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Index of the first value >= x in a sorted array. */
function lowerBound(sorted: readonly bigint[], x: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the sorted values lie in [lo, hi]. */
function countIn(sorted: readonly bigint[], lo: bigint, hi: bigint): number {
  return lowerBound(sorted, hi + 1n) - lowerBound(sorted, lo);
}

/** Overlapping and adjacent intervals joined, sorted by family then address. */
export function coalesce(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.family - b.family || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === i.family && i.lo <= last.hi + 1n) {
      if (i.hi > last.hi) last.hi = i.hi;
    } else {
      out.push({ ...i });
    }
  }
  return out;
}

/** The fewest CIDRs exactly covering an interval. */
export function intervalToCidrs(interval: Interval): Cidr[] {
  const bits = BITS[interval.family];
  const out: Cidr[] = [];
  let start = interval.lo;
  while (start <= interval.hi) {
    // The largest aligned block starting at `start` that stays inside the interval.
    let size = 0;
    while (size < bits && (start & ((1n << BigInt(size + 1)) - 1n)) === 0n && start + (1n << BigInt(size + 1)) - 1n <= interval.hi) size++;
    out.push({ family: interval.family, base: start, prefix: bits - size });
    start += 1n << BigInt(size);
  }
  return out;
}

export interface AddressMerge {
  family: Family;
  /** Observed addresses: each ends up inside exactly one block. */
  addresses: readonly bigint[];
  /** Addresses no merged block may take in (an address that was observed is kept as is, forbidden or not). */
  forbidden: readonly bigint[];
  /** Where blocks may reach: the peer endpoint's addresses; null: anywhere. */
  bounds: readonly Interval[] | null;
  /** Percent of a merged block's addresses that must have been observed (0-100). */
  minFill: number;
}

export function mergeAddresses(input: AddressMerge): Cidr[] {
  const bits = BITS[input.family];
  const points = sortUnique(input.addresses);
  const forbidden = sortUnique(input.forbidden);
  const bounds = input.bounds === null ? null : coalesce(input.bounds.filter((b) => b.family === input.family));
  let blocks: Cidr[] = points.map((base) => ({ family: input.family, base, prefix: bits }));
  for (let prefix = bits - 1; prefix >= 0 && blocks.length > 1; prefix--) {
    const shift = BigInt(bits - prefix);
    const size = 1n << shift;
    // Past this size no block can be filled enough any more.
    if (BigInt(input.minFill) * size > BigInt(points.length) * 100n) break;
    const next: Cidr[] = [];
    let i = 0;
    while (i < blocks.length) {
      const key = blocks[i]!.base >> shift;
      let j = i + 1;
      while (j < blocks.length && blocks[j]!.base >> shift === key) j++;
      const lo = key << shift;
      const hi = lo + size - 1n;
      const ok =
        j - i >= 2 &&
        BigInt(countIn(points, lo, hi)) * 100n >= BigInt(input.minFill) * size &&
        countIn(forbidden, lo, hi) === 0 &&
        (bounds === null || bounds.some((b) => b.lo <= lo && hi <= b.hi));
      if (ok) next.push({ family: input.family, base: lo, prefix });
      else next.push(...blocks.slice(i, j));
      i = j;
    }
    blocks = next;
  }
  return blocks;
}

/** Observed ports as ranges: a range grows to the next observed port when no forbidden port lies between and it stays filled enough. */
export function mergePorts(ports: Iterable<number>, forbidden: Iterable<number>, minFill: number): PortRange[] {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const banned = [...new Set(forbidden)].sort((a, b) => a - b);
  const out: PortRange[] = [];
  let count = 0;
  for (const port of sorted) {
    const current = out[out.length - 1];
    const blocked = current !== undefined && banned.some((b) => b > current.hi && b < port);
    if (current && !blocked && (count + 1) * 100 >= minFill * (port - current.lo + 1)) {
      current.hi = port;
      count++;
    } else {
      out.push({ lo: port, hi: port });
      count = 1;
    }
  }
  return out;
}

/** Port ranges joined where they overlap or touch. */
export function coalescePorts(ranges: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.lo - b.lo)) {
    const last = out[out.length - 1];
    if (last && r.lo <= last.hi + 1) last.hi = Math.max(last.hi, r.hi);
    else out.push({ ...r });
  }
  return out;
}

/**
 * CIDR blocks as unsigned-integer intervals, the form the store keeps addresses in
 * (`client_ip_num`, `server_ip_num`), so compiled rows compare with BETWEEN.
 */
import type { CidrBlock } from './types.js';
import { addressToBigInt, formatAddressNumber, parseAddress } from '../net/ip.js';

export type CidrParse = { ok: true; block: CidrBlock } | { ok: false; reason: string; hint: string };

/** `10.0.0.0/8`, `fd00::/64`, or a bare address (a /32 or /128). Host bits must be zero. */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseAddress(addressText);
  if (!address) return { ok: false, reason: `"${text}" is not an IPv4 or IPv6 address or CIDR`, hint: 'write it as 10.0.0.0/8 or fd00::/64' };
  const bits = address.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      return { ok: false, reason: `"${text}" has prefix length "${prefixText}"`, hint: `use a prefix length from 0 to ${bits}` };
    }
    prefix = Number(prefixText);
  }
  const value = addressToBigInt(address.bytes, 0, address.family === 4 ? 4 : 16);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const start = value & ~hostMask;
  const canonical = formatAddressNumber(start, address.family);
  if ((value & hostMask) !== 0n) {
    return { ok: false, reason: `"${text}" has host bits set`, hint: `write the network address: ${canonical}/${prefix}` };
  }
  return { ok: true, block: { text: `${canonical}/${prefix}`, family: address.family, prefix, start, end: start | hostMask } };
}

/** Whether the text is an address or CIDR (used to tell a CIDR endpoint ref from a name or host). */
export function looksLikeCidr(text: string): boolean {
  const slash = text.indexOf('/');
  return parseAddress(slash < 0 ? text : text.slice(0, slash)) !== null;
}

export interface AddressInterval {
  family: 4 | 6;
  lo: bigint;
  hi: bigint;
}

/** `ranges` minus every interval in `holes` of the same family; the result is sorted and disjoint. */
export function subtractIntervals(ranges: readonly AddressInterval[], holes: readonly AddressInterval[]): AddressInterval[] {
  let pieces = [...ranges];
  for (const hole of holes) {
    const next: AddressInterval[] = [];
    for (const piece of pieces) {
      if (piece.family !== hole.family || hole.hi < piece.lo || hole.lo > piece.hi) {
        next.push(piece);
        continue;
      }
      if (hole.lo > piece.lo) next.push({ family: piece.family, lo: piece.lo, hi: hole.lo - 1n });
      if (hole.hi < piece.hi) next.push({ family: piece.family, lo: hole.hi + 1n, hi: piece.hi });
    }
    pieces = next;
  }
  return pieces.sort((a, b) => a.family - b.family || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
}

/** Whether `inner` lies within `outer`. */
export function contains(outer: CidrBlock, inner: CidrBlock): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

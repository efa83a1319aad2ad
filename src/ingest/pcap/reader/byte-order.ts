/**
 * Integer reads over a Uint8Array with shifts, in both byte orders. A reader picks one variant
 * per file (classic pcap) or per section (pcapng) and calls it through a local binding, so the
 * record loops allocate nothing (no DataView, no subarray).
 */

/** Reads an unsigned 32-bit integer at `off`. */
export type U32Reader = (buf: Uint8Array, off: number) => number;
/** Reads an unsigned 16-bit integer at `off`. */
export type U16Reader = (buf: Uint8Array, off: number) => number;

export function u16le(buf: Uint8Array, off: number): number {
  return buf[off] | (buf[off + 1] << 8);
}

export function u16be(buf: Uint8Array, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

export function u32le(buf: Uint8Array, off: number): number {
  return (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
}

export function u32be(buf: Uint8Array, off: number): number {
  return ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
}

/** Both readers of one byte order, chosen together. */
export interface ByteOrder {
  bigEndian: boolean;
  u16: U16Reader;
  u32: U32Reader;
}

export const LITTLE_ENDIAN: ByteOrder = { bigEndian: false, u16: u16le, u32: u32le };
export const BIG_ENDIAN: ByteOrder = { bigEndian: true, u16: u16be, u32: u32be };

/**
 * A signed 64-bit integer stored in `order` (e.g. pcapng if_tsoffset), as a number. Values beyond
 * ±2^53 lose precision, which no real offset reaches.
 */
export function i64(order: ByteOrder, buf: Uint8Array, off: number): number {
  const hiOff = order.bigEndian ? off : off + 4;
  const loOff = order.bigEndian ? off + 4 : off;
  const hi = order.u32(buf, hiOff) | 0;
  return hi * 4294967296 + order.u32(buf, loOff);
}

/**
 * Tunnel headers for test packets, in the style of test/helpers/packet-builder.ts: each returns
 * the header followed by `payload`; options override fields to build malformed ones.
 */
import { concat } from '../../../helpers/packet-builder.js';

function u16(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

/** VXLAN (RFC 7348): flags (I set unless `flags` says otherwise), VNI, then the inner Ethernet frame. */
export function vxlan(o: { vni: number; flags?: number; payload: Uint8Array }): Uint8Array {
  return concat(new Uint8Array([o.flags ?? 0x08, 0, 0, 0]), u32((o.vni << 8) >>> 0), o.payload);
}

/** Geneve (RFC 8926): `options` is padded to 4-byte words; protocol 0x6558 (Ethernet) by default. */
export function geneve(o: { vni: number; protocol?: number; options?: Uint8Array; version?: number; payload: Uint8Array }): Uint8Array {
  const options = o.options ?? new Uint8Array(0);
  const padded = concat(options, new Uint8Array((4 - (options.length % 4)) % 4));
  const first = ((o.version ?? 0) << 6) | (padded.length / 4);
  return concat(new Uint8Array([first, 0]), u16(o.protocol ?? 0x6558), u32((o.vni << 8) >>> 0), padded, o.payload);
}

/** One Geneve option TLV: class, type, and data (a multiple of 4 bytes). */
export function geneveOption(optionClass: number, type: number, data: Uint8Array): Uint8Array {
  return concat(u16(optionClass), new Uint8Array([type, data.length / 4]), data);
}

export interface GreOptions {
  protocol: number;
  payload?: Uint8Array;
  checksum?: boolean;
  key?: number;
  sequence?: number;
  /** RFC 1701 source route entries (each: family, offset, length, data), the terminating empty one added. */
  routing?: Uint8Array[];
  version?: number;
  /** Enhanced GRE (version 1): acknowledgment number. */
  ack?: number;
}

/** GRE header (version 0 by default; version 1 is PPTP's, whose key holds payload length and call id). */
export function gre(o: GreOptions): Uint8Array {
  const flags =
    (o.checksum === true ? 0x8000 : 0) |
    (o.routing !== undefined ? 0x4000 : 0) |
    (o.key !== undefined ? 0x2000 : 0) |
    (o.sequence !== undefined ? 0x1000 : 0) |
    (o.ack !== undefined ? 0x0080 : 0) |
    (o.version ?? 0);
  const parts = [u16(flags), u16(o.protocol)];
  if (o.checksum === true || o.routing !== undefined) parts.push(new Uint8Array(4));
  if (o.key !== undefined) parts.push(u32(o.key));
  if (o.sequence !== undefined) parts.push(u32(o.sequence));
  if (o.ack !== undefined) parts.push(u32(o.ack));
  if (o.routing !== undefined) parts.push(...o.routing, new Uint8Array(4));
  return concat(...parts, o.payload ?? new Uint8Array(0));
}

/** ERSPAN type II header (version 1): session id and index, then the mirrored frame. */
export function erspanII(o: { session: number; vlan?: number; version?: number; payload: Uint8Array }): Uint8Array {
  return concat(u16(((o.version ?? 1) << 12) | (o.vlan ?? 0)), u16(o.session & 0x3ff), u32(0), o.payload);
}

/** ERSPAN type III header (version 2): frame type 0 (Ethernet) or 2 (IP), optional platform subheader. */
export function erspanIII(o: { session: number; frameType?: number; platformSubheader?: boolean; payload: Uint8Array }): Uint8Array {
  const flags = ((o.frameType ?? 0) << 10) | (o.platformSubheader === true ? 1 : 0);
  const subheader = o.platformSubheader === true ? new Uint8Array(8) : new Uint8Array(0);
  return concat(u16(2 << 12), u16(o.session & 0x3ff), u32(0x12345678), u16(0), u16(flags), subheader, o.payload);
}

/** Cisco MetaData inside GRE: the next EtherType first, then version, length, option and SGT. */
export function ciscoMetadata(o: { etherType: number; sgt?: number; payload: Uint8Array }): Uint8Array {
  return concat(u16(o.etherType), new Uint8Array([1, 1]), u16(1), u16(o.sgt ?? 0), o.payload);
}

/**
 * Small builders for test packets. Each returns a fresh Uint8Array; wrap inner layers in outer ones:
 *
 *   ethernet(ipv4({ proto: 6, payload: tcp({ srcPort: 40000, dstPort: 443, flags: TcpFlag.SYN }) }), { vlans: [{ id: 10 }] })
 *
 * Length, offset and next-header fields are computed from the parts unless an override option sets
 * them (that is how tests build malformed packets). Link builders default their EtherType or
 * address family from the payload's IP version nibble. The IPv4 header checksum is computed;
 * transport checksums are left 0 (the decoders do not verify them).
 */

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A VLAN tag; `tpid` 0x8100 (802.1Q, the default), 0x88a8 (802.1ad) or 0x9100. */
export interface VlanTag { id: number; tpid?: number; priority?: number }

export interface EthernetOptions {
  etherType?: number;
  /** Tags outermost first. */
  vlans?: VlanTag[];
  src?: string;
  dst?: string;
}

/** Ethernet II frame (LINKTYPE_ETHERNET, 1), optionally with stacked VLAN tags. No FCS. */
export function ethernet(payload: Uint8Array, o: EthernetOptions = {}): Uint8Array {
  const tags = (o.vlans ?? []).map((t) => concat(u16(t.tpid ?? 0x8100), u16(((t.priority ?? 0) << 13) | t.id)));
  const macs = concat(mac(o.dst ?? '02:00:00:00:00:02'), mac(o.src ?? '02:00:00:00:00:01'));
  return concat(macs, ...tags, u16(o.etherType ?? etherTypeOf(payload)), payload);
}

/** IEEE 802.3 frame: the type field holds the length of the LLC PDU that follows (see `llc`, `llcSnap`). */
export function ethernet8023(llcPdu: Uint8Array): Uint8Array {
  return concat(mac('01:80:c2:00:00:00'), mac('02:00:00:00:00:01'), u16(llcPdu.length), llcPdu);
}

/** 802.2 LLC header (DSAP, SSAP, UI control) and payload; 0x42/0x42 is spanning tree. */
export function llc(dsap: number, ssap: number, payload: Uint8Array): Uint8Array {
  return concat(new Uint8Array([dsap, ssap, 0x03]), payload);
}

/** LLC/SNAP header (AA AA 03, OUI 00-00-00) naming an EtherType, and payload. */
export function llcSnap(etherType: number, payload: Uint8Array): Uint8Array {
  return concat(new Uint8Array([0xaa, 0xaa, 0x03, 0, 0, 0]), u16(etherType), payload);
}

/** Linux cooked header fields: `protocol` is the EtherType, `arphrd` the device type (1 Ethernet). */
export interface SllOptions { protocol?: number; packetType?: number; arphrd?: number; ifindex?: number }

/** Linux cooked header v1 (LINKTYPE_LINUX_SLL, 113), 16 bytes. */
export function sll(payload: Uint8Array, o: SllOptions = {}): Uint8Array {
  const address = new Uint8Array([0x02, 0, 0, 0, 0, 0x01, 0, 0]);
  return concat(u16(o.packetType ?? 0), u16(o.arphrd ?? 1), u16(6), address, u16(o.protocol ?? etherTypeOf(payload)), payload);
}

/** Linux cooked header v2 (LINKTYPE_LINUX_SLL2, 276), 20 bytes. */
export function sll2(payload: Uint8Array, o: SllOptions = {}): Uint8Array {
  const rest = new Uint8Array([o.packetType ?? 0, 6, 0x02, 0, 0, 0, 0, 0x01, 0, 0]);
  return concat(u16(o.protocol ?? etherTypeOf(payload)), u16(0), u32(o.ifindex ?? 1), u16(o.arphrd ?? 1), rest, payload);
}

/**
 * BSD loopback header (LINKTYPE_NULL, 0): a 4-byte address family, default 2 (AF_INET) or 30
 * (Darwin's AF_INET6), in the capturing host's byte order (little-endian unless `bigEndian`).
 */
export function nullHeader(payload: Uint8Array, o: { family?: number; bigEndian?: boolean } = {}): Uint8Array {
  const header = u32(o.family ?? (payload[0] >> 4 === 6 ? 30 : 2));
  return concat(o.bigEndian === true ? header : header.reverse(), payload);
}

/** OpenBSD loopback header (LINKTYPE_LOOP, 108): the address family big-endian, default 2 or 24. */
export function loopHeader(payload: Uint8Array, family?: number): Uint8Array {
  return concat(u32(family ?? (payload[0] >> 4 === 6 ? 24 : 2)), payload);
}

export interface Ipv4Options {
  src?: string;
  dst?: string;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, ...). */
  proto: number;
  payload?: Uint8Array;
  /** Option bytes, zero-padded to a multiple of 4. */
  options?: Uint8Array;
  id?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Fragment offset in bytes (a multiple of 8); the header stores it in 8-byte units. */
  fragmentOffset?: number;
  /** Overrides: the total length field, the IHL in 4-byte words, the version nibble. */
  totalLength?: number;
  ihl?: number;
  version?: number;
}

/** IPv4 header (with options) and payload. */
export function ipv4(o: Ipv4Options): Uint8Array {
  const options = padTo(o.options ?? new Uint8Array(0), 4);
  const payload = o.payload ?? new Uint8Array(0);
  const header = new Uint8Array(20 + options.length);
  header[0] = ((o.version ?? 4) << 4) | (o.ihl ?? header.length / 4);
  header.set(u16(o.totalLength ?? header.length + payload.length), 2);
  header.set(u16(o.id ?? 1), 4);
  const flags = (o.dontFragment === true ? 0x4000 : 0) | (o.moreFragments === true ? 0x2000 : 0);
  header.set(u16(flags | ((o.fragmentOffset ?? 0) >> 3)), 6);
  header[8] = 64;
  header[9] = o.proto;
  header.set(ipv4Address(o.src ?? '192.0.2.1'), 12);
  header.set(ipv4Address(o.dst ?? '192.0.2.2'), 16);
  header.set(options, 20);
  header.set(u16(checksum(header)), 10);
  return concat(header, payload);
}

/**
 * One IPv6 extension header, named by its own protocol number. Hop-by-hop (0), routing (43),
 * destination options (60), AH (51), mobility (135), HIP (139) and shim6 (140) take `body`, the
 * bytes after the next-header and length fields, zero-padded to the header's unit (a PadN option
 * by default); the fragment header (44) takes the fragment fields.
 */
export type Ipv6ExtHeader =
  | { type: 0 | 43 | 51 | 60 | 135 | 139 | 140; body?: Uint8Array }
  | { type: 44; fragmentOffset?: number; moreFragments?: boolean; id?: number };

export interface Ipv6Options {
  src?: string;
  dst?: string;
  /** Protocol after the extension headers (6 TCP, 17 UDP, 58 ICMPv6, 59 none, ...). */
  proto: number;
  payload?: Uint8Array;
  /** Extension headers in order; each one's next-header field names the one after it. */
  extHeaders?: Ipv6ExtHeader[];
  /**
   * A jumbogram (RFC 2675): payload length 0 and a first hop-by-hop header whose Jumbo Payload
   * option holds the real length, or this number when one is given.
   */
  jumbo?: boolean | number;
  /** Overrides: the payload length field, the version nibble. */
  payloadLength?: number;
  version?: number;
}

/** IPv6 header, extension-header chain and payload. */
export function ipv6(o: Ipv6Options): Uint8Array {
  const payload = o.payload ?? new Uint8Array(0);
  const specs = o.extHeaders ?? [];
  const chain = specs.map((h, i) => extHeader(h, i + 1 < specs.length ? specs[i + 1].type : o.proto));
  const jumbo = o.jumbo !== undefined && o.jumbo !== false;
  let next = specs.length > 0 ? specs[0].type : o.proto;
  if (jumbo) {
    const length = typeof o.jumbo === 'number' ? o.jumbo : 8 + concat(...chain, payload).length;
    chain.unshift(concat(new Uint8Array([next, 0, 0xc2, 4]), u32(length)));
    next = 0;
  }
  const body = concat(...chain, payload);
  const header = new Uint8Array(40);
  header[0] = (o.version ?? 6) << 4;
  header.set(u16(o.payloadLength ?? (jumbo ? 0 : body.length)), 4);
  header[6] = next;
  header[7] = 64;
  header.set(ipv6Address(o.src ?? '2001:db8::1'), 8);
  header.set(ipv6Address(o.dst ?? '2001:db8::2'), 24);
  return concat(header, body);
}

function extHeader(h: Ipv6ExtHeader, next: number): Uint8Array {
  if (h.type === 44) {
    const offsetAndFlags = ((h.fragmentOffset ?? 0) & 0xfff8) | (h.moreFragments === true ? 1 : 0);
    return concat(new Uint8Array([next, 0]), u16(offsetAndFlags), u32(h.id ?? 1));
  }
  // AH counts 4-byte words minus 2 (SPI and sequence number at least); the others 8-byte units minus 1.
  const unit = h.type === 51 ? 4 : 8;
  const rest = padTo(h.body ?? (h.type === 51 ? new Uint8Array(10) : new Uint8Array([1, 4, 0, 0, 0, 0])), 8, 2);
  return concat(new Uint8Array([next, (rest.length + 2) / unit - (h.type === 51 ? 2 : 1)]), rest);
}

export interface TcpOptions {
  srcPort: number;
  dstPort: number;
  /** Bitwise OR of TcpFlag values; ACK by default. */
  flags?: number;
  seq?: number;
  ack?: number;
  /** Option bytes, zero-padded to a multiple of 4. */
  options?: Uint8Array;
  payload?: Uint8Array;
  /** Override of the data offset in 4-byte words. */
  dataOffset?: number;
}

/** TCP header (with options) and payload. */
export function tcp(o: TcpOptions): Uint8Array {
  const options = padTo(o.options ?? new Uint8Array(0), 4);
  const header = new Uint8Array(20 + options.length);
  header.set(concat(u16(o.srcPort), u16(o.dstPort), u32(o.seq ?? 1), u32(o.ack ?? 0)), 0);
  header[12] = (o.dataOffset ?? header.length / 4) << 4;
  header[13] = o.flags ?? TcpFlag.ACK;
  header.set(u16(65535), 14);
  header.set(options, 20);
  return concat(header, o.payload ?? new Uint8Array(0));
}

/** UDP header and payload; `length` overrides the length field. */
export function udp(o: { srcPort: number; dstPort: number; payload?: Uint8Array; length?: number }): Uint8Array {
  const payload = o.payload ?? new Uint8Array(0);
  return concat(u16(o.srcPort), u16(o.dstPort), u16(o.length ?? 8 + payload.length), u16(0), payload);
}

/** ICMP message (IP protocol 1): type, code, checksum 0, identifier and sequence number, payload. */
export function icmp(o: { type: number; code?: number; id?: number; seq?: number; payload?: Uint8Array }): Uint8Array {
  const header = concat(new Uint8Array([o.type, o.code ?? 0, 0, 0]), u16(o.id ?? 0), u16(o.seq ?? 0));
  return concat(header, o.payload ?? new Uint8Array(0));
}

/** ICMPv6 message (next header 58): the same layout as ICMP. */
export const icmpv6 = icmp;

/** SCTP common header (ports, verification tag, checksum 0) and chunk bytes. */
export function sctp(o: { srcPort: number; dstPort: number; verificationTag?: number; chunks?: Uint8Array }): Uint8Array {
  return concat(u16(o.srcPort), u16(o.dstPort), u32(o.verificationTag ?? 1), u32(0), o.chunks ?? new Uint8Array(0));
}

/** Dotted-quad IPv4 address as 4 bytes. */
export function ipv4Address(text: string): Uint8Array {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error(`bad IPv4 address ${text}`);
  return new Uint8Array(parts);
}

/** IPv6 address text (at most one "::", no embedded IPv4) as 16 bytes. */
export function ipv6Address(text: string): Uint8Array {
  const [head, tail, extra] = text.split('::');
  const groups = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...new Array<number>(tail === undefined ? 0 : 8 - left.length - right.length).fill(0), ...right];
  if (extra !== undefined || all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) throw new Error(`bad IPv6 address ${text}`);
  return new Uint8Array(all.flatMap((g) => [g >> 8, g & 0xff]));
}

function mac(text: string): Uint8Array {
  return new Uint8Array(text.split(':').map((h) => parseInt(h, 16)));
}

function u16(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

function etherTypeOf(ipPacket: Uint8Array): number {
  return ipPacket[0] >> 4 === 6 ? 0x86dd : 0x0800;
}

/** Zero-pads `bytes` so that `before + bytes.length` is a multiple of `unit`. */
function padTo(bytes: Uint8Array, unit: number, before = 0): Uint8Array {
  const total = Math.ceil((before + bytes.length) / unit) * unit;
  return total === before + bytes.length ? bytes : concat(bytes, new Uint8Array(total - before - bytes.length));
}

/** RFC 1071 one's-complement sum over the IPv4 header (checksum field still 0). */
function checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += (header[i] << 8) | header[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Which decoder handles which layer, gopacket style: a decoder reads one header and names the next
 * layer (a link decoder through `pkt.etherType`, an IP decoder through `pkt.proto`); `decode.ts`
 * looks that name up here. Decoders never call the next layer themselves, so they import nothing
 * but the packet and the anomaly codes, and a new layer is one entry in one table. A tunnel decoder
 * reads its header, names the carried packet through `pkt.etherType` and hands it back to the same
 * driver rather than import the next decoder.
 */
import { decodeCiscoMetadata, ETHERTYPE_CISCO_METADATA } from './cisco-metadata.js';
import { decodeErspan, ETHERTYPE_ERSPAN_II, ETHERTYPE_ERSPAN_III } from './erspan.js';
import { decodeEthernet, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import { decodeGeneve } from './geneve.js';
import { decodeGre } from './gre.js';
import { decodeIcmpv4, decodeIcmpv6 } from './icmp.js';
import { decodeIpInIp, decodeIpv6InIp } from './ip-in-ip.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeLinuxSll } from './linux-sll.js';
import { decodeLinuxSll2 } from './linux-sll2.js';
import { decodeLoop, decodeNull } from './null-loop.js';
import type { DecodedPacket } from './packet.js';
import { decodeRawIp, decodeRawIpv4, decodeRawIpv6 } from './raw-ip.js';
import { decodeSctp } from './sctp.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { UdpTunnel } from './udp-tunnel-ports.js';
import { decodeVxlan } from './vxlan.js';

/**
 * Decodes the link header at buf[off, end): sets `pkt.etherType` and returns the offset of the
 * network header, or -1 when there is none (not IP, or an anomaly).
 */
export type LinkDecoder = (pkt: DecodedPacket, buf: Uint8Array, off: number, end: number) => number;

/**
 * Decodes the network header at buf[off, end): sets addresses, `pkt.proto`, `pkt.ipLen` and
 * `pkt.payloadLen` (the IP payload on the wire), and returns the offset of the transport header,
 * or -1 when there is none to decode (a later fragment, or an anomaly).
 */
export type NetworkDecoder = (pkt: DecodedPacket, buf: Uint8Array, off: number, end: number) => number;

/**
 * Decodes the transport header at buf[off, end), `end` being the end of the IP payload as captured;
 * narrows `pkt.payloadLen` from the IP payload to the transport payload.
 */
export type TransportDecoder = (pkt: DecodedPacket, buf: Uint8Array, off: number, end: number) => void;

/**
 * Decodes a tunnel header (or a shim header between a tunnel and its payload) at buf[off, end),
 * `end` being the end of the tunnel's payload as captured: sets `pkt.encapsulation`,
 * `pkt.tunnelId` and `pkt.etherType` (0x6558 for an Ethernet frame) and returns the offset of the
 * carried packet, or -1 when there is nothing to decode (a payload it does not open, or an anomaly).
 */
export type TunnelDecoder = (pkt: DecodedPacket, buf: Uint8Array, off: number, end: number) => number;

/** LINKTYPE_* values (tcpdump.org/linktypes.html) of the link layers decoded. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** IANA protocol numbers of the transports and tunnels decoded; any other protocol is a port-less connection. */
export const IpProto = {
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ICMPV6: 58,
  SCTP: 132,
  IPIP: 4,
  IPV6_IN_IP: 41,
  GRE: 47,
} as const;

export const LINK_DECODERS: ReadonlyMap<number, LinkDecoder> = new Map<number, LinkDecoder>([
  [LinkType.NULL, decodeNull],
  [LinkType.ETHERNET, decodeEthernet],
  [LinkType.RAW, decodeRawIp],
  [LinkType.LOOP, decodeLoop],
  [LinkType.LINUX_SLL, decodeLinuxSll],
  [LinkType.IPV4, decodeRawIpv4],
  [LinkType.IPV6, decodeRawIpv6],
  [LinkType.LINUX_SLL2, decodeLinuxSll2],
]);

/** EtherTypes that are not here (ARP, LLDP, 802.1X, ...) are non-IP frames, not anomalies. */
export const NETWORK_DECODERS: ReadonlyMap<number, NetworkDecoder> = new Map<number, NetworkDecoder>([
  [ETHERTYPE_IPV4, decodeIpv4],
  [ETHERTYPE_IPV6, decodeIpv6],
]);

/** Indexed by IP protocol number (0-255) so the per-packet lookup is one array load. */
export const TRANSPORT_DECODERS: readonly (TransportDecoder | undefined)[] = indexedTable<TransportDecoder>([
  [IpProto.ICMP, decodeIcmpv4],
  [IpProto.TCP, decodeTcp],
  [IpProto.UDP, decodeUdp],
  [IpProto.ICMPV6, decodeIcmpv6],
  [IpProto.SCTP, decodeSctp],
]);

/** Tunnels that are an IP protocol of their own, indexed by protocol number like the transports. */
export const IP_TUNNEL_DECODERS: readonly (TunnelDecoder | undefined)[] = indexedTable<TunnelDecoder>([
  [IpProto.IPIP, decodeIpInIp],
  [IpProto.IPV6_IN_IP, decodeIpv6InIp],
  [IpProto.GRE, decodeGre],
]);

/** UDP tunnels, indexed by the code `pkt.udpTunnels` gives a destination port (udp-tunnel-ports.ts). */
export const UDP_TUNNEL_DECODERS: readonly (TunnelDecoder | undefined)[] = indexedTable<TunnelDecoder>([
  [UdpTunnel.vxlan, decodeVxlan],
  [UdpTunnel.geneve, decodeGeneve],
]);

/** Headers a GRE payload type announces before the packet itself: ERSPAN II/III and Cisco MetaData. */
export const SHIM_DECODERS: ReadonlyMap<number, TunnelDecoder> = new Map<number, TunnelDecoder>([
  [ETHERTYPE_ERSPAN_II, decodeErspan],
  [ETHERTYPE_ERSPAN_III, decodeErspan],
  [ETHERTYPE_CISCO_METADATA, decodeCiscoMetadata],
]);

/** A 256-entry table (a protocol number or a small code → decoder) so the per-packet lookup is one array load. */
function indexedTable<T>(entries: readonly (readonly [number, T])[]): (T | undefined)[] {
  const table = new Array<T | undefined>(256).fill(undefined);
  for (const [proto, decoder] of entries) table[proto] = decoder;
  return table;
}

import { Encapsulation } from './encapsulation.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import type { DecodedPacket } from './packet.js';

/** IP protocol 4: an IPv4 header follows the outer one directly (Calico IPIP, RFC 2003). */
export function decodeIpInIp(pkt: DecodedPacket, _buf: Uint8Array, off: number): number {
  pkt.encapsulation = Encapsulation.ipip;
  pkt.etherType = ETHERTYPE_IPV4;
  return off;
}

/**
 * IP protocol 41: an IPv6 header follows (RFC 4213). Inside IPv4 that is 6in4 (also 6to4 and SIT
 * tunnels); inside IPv6 it is plain IP in IP.
 */
export function decodeIpv6InIp(pkt: DecodedPacket, _buf: Uint8Array, off: number): number {
  const outer = pkt.outer[pkt.tunnelDepth - 1]!;
  pkt.encapsulation = outer.ipVersion === 4 ? Encapsulation['6in4'] : Encapsulation.ipip;
  pkt.etherType = ETHERTYPE_IPV6;
  return off;
}

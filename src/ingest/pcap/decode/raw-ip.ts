import { Anomaly } from './anomalies.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import type { DecodedPacket } from './packet.js';

/** LINKTYPE_RAW (101): no link header; the IP version nibble says which IP follows. */
export function decodeRawIp(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (end <= off) {
    pkt.anomaly = Anomaly.truncated_IP;
    return -1;
  }
  const version = buf[off] >> 4;
  if (version === 4) {
    pkt.etherType = ETHERTYPE_IPV4;
  } else if (version === 6) {
    pkt.etherType = ETHERTYPE_IPV6;
  } else {
    pkt.anomaly = Anomaly.bad_IP_version;
    return -1;
  }
  return off;
}

/** LINKTYPE_IPV4 (228): no link header, IPv4 only (the IPv4 decoder checks the version). */
export function decodeRawIpv4(pkt: DecodedPacket, _buf: Uint8Array, off: number): number {
  pkt.etherType = ETHERTYPE_IPV4;
  return off;
}

/** LINKTYPE_IPV6 (229): no link header, IPv6 only (the IPv6 decoder checks the version). */
export function decodeRawIpv6(pkt: DecodedPacket, _buf: Uint8Array, off: number): number {
  pkt.etherType = ETHERTYPE_IPV6;
  return off;
}

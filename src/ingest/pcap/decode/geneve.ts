import { Anomaly } from './anomalies.js';
import { Encapsulation } from './encapsulation.js';
import type { DecodedPacket } from './packet.js';
import { tunnelHeaderFits } from './tunnel-header.js';

/** Version (2 bits), option length (6, in 4-byte words), O, C, reserved, protocol type, VNI, reserved. */
const GENEVE_HEADER_LEN = 8;

/**
 * Geneve header at `off` (RFC 8926). The options (Cilium, OVN and AWS GWLB put metadata there) are
 * skipped by their announced length; the protocol type is an EtherType: 0x6558 for Ethernet, or
 * IPv4/IPv6 directly. Version 1 and up are unknown formats, treated as malformed.
 */
export function decodeGeneve(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (!tunnelHeaderFits(pkt, off, end, GENEVE_HEADER_LEN)) return -1;
  if (buf[off] >> 6 !== 0) {
    pkt.anomaly = Anomaly.truncated_tunnel_header;
    return -1;
  }
  const headerLen = GENEVE_HEADER_LEN + ((buf[off] & 0x3f) << 2);
  if (!tunnelHeaderFits(pkt, off, end, headerLen)) return -1;
  pkt.encapsulation = Encapsulation.geneve;
  pkt.tunnelId = (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6];
  pkt.etherType = (buf[off + 2] << 8) | buf[off + 3];
  return off + headerLen;
}

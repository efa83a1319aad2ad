import { Anomaly } from './anomalies.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import type { DecodedPacket } from './packet.js';

/**
 * EtherType for "transparent Ethernet bridging": the tunnel carries a whole Ethernet frame
 * (GRE, Geneve), decoded by the Ethernet link decoder before the network layer.
 */
export const ETHERTYPE_TRANSPARENT_ETHERNET = 0x6558;

/**
 * Whether `length` header bytes at `off` were captured. When they were not, a header that was cut
 * short on the wire too (the datagram really is shorter) is an anomaly; one cut by the snaplen is
 * not, decoding just stops. `pkt.wireEnd` is where the tunnel's payload ended on the wire.
 */
export function tunnelHeaderFits(pkt: DecodedPacket, off: number, end: number, length: number): boolean {
  if (end - off >= length) return true;
  if (pkt.wireEnd - off < length) pkt.anomaly = Anomaly.truncated_tunnel_header;
  return false;
}

/** The version nibble names the IP header at `off` (for payloads that carry no EtherType); false when it is neither. */
export function setEtherTypeFromVersion(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): boolean {
  if (off >= end) return false;
  const version = buf[off] >> 4;
  if (version === 4) pkt.etherType = ETHERTYPE_IPV4;
  else if (version === 6) pkt.etherType = ETHERTYPE_IPV6;
  else return false;
  return true;
}

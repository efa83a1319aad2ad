import { Anomaly } from './anomalies.js';
import { Encapsulation } from './encapsulation.js';
import type { DecodedPacket } from './packet.js';
import { ETHERTYPE_TRANSPARENT_ETHERNET, tunnelHeaderFits } from './tunnel-header.js';

/** Flags (8 bits), reserved (24), VNI (24), reserved (8). */
const VXLAN_HEADER_LEN = 8;
/** RFC 7348: the I flag must be set for the VNI to be valid. */
const VALID_VNI_FLAG = 0x08;

/**
 * VXLAN header at `off` (RFC 7348): the VNI becomes the tunnel id and an Ethernet frame follows.
 * A header without the I flag is malformed (or not VXLAN at all on a configured port).
 */
export function decodeVxlan(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (!tunnelHeaderFits(pkt, off, end, VXLAN_HEADER_LEN)) return -1;
  if ((buf[off] & VALID_VNI_FLAG) === 0) {
    pkt.anomaly = Anomaly.truncated_tunnel_header;
    return -1;
  }
  pkt.encapsulation = Encapsulation.vxlan;
  pkt.tunnelId = (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6];
  pkt.etherType = ETHERTYPE_TRANSPARENT_ETHERNET;
  return off + VXLAN_HEADER_LEN;
}

import { Anomaly } from './anomalies.js';
import { Encapsulation } from './encapsulation.js';
import { ETHERTYPE_ERSPAN_II } from './erspan.js';
import type { DecodedPacket } from './packet.js';
import { ETHERTYPE_TRANSPARENT_ETHERNET, tunnelHeaderFits } from './tunnel-header.js';

const GRE_BASE_LEN = 4;
const CHECKSUM_PRESENT = 0x8000;
/** RFC 1701 source routing: deprecated by RFC 2784, still parsed so the payload can be found. */
const ROUTING_PRESENT = 0x4000;
const KEY_PRESENT = 0x2000;
const SEQUENCE_PRESENT = 0x1000;
/** Enhanced GRE (RFC 2637, PPTP): an acknowledgment number follows. */
const ACK_PRESENT = 0x0080;
const VERSION_MASK = 0x0007;
const VERSION_ENHANCED = 1;
/** Source route entries followed before giving up; each is at least 4 bytes, so the packet bounds it too. */
const MAX_ROUTE_ENTRIES = 64;

/**
 * GRE header at `off` (IP protocol 47). Version 0 (RFC 2784 with RFC 2890's key and sequence
 * number, and RFC 1701's routing) names its payload with an EtherType, kept in `pkt.etherType`;
 * the key is the tunnel id. ERSPAN type I is GRE 0x88be without a sequence number and carries the
 * mirrored frame directly. Version 1 is PPTP's enhanced GRE: recognised, its call id kept, and its
 * PPP payload (usually compressed or encrypted) not opened, so its packets count in the outer
 * connection only. Other versions are malformed.
 */
export function decodeGre(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (!tunnelHeaderFits(pkt, off, end, GRE_BASE_LEN)) return -1;
  const flags = (buf[off] << 8) | buf[off + 1];
  const protocol = (buf[off + 2] << 8) | buf[off + 3];
  pkt.encapsulation = Encapsulation.gre;
  switch (flags & VERSION_MASK) {
    case 0:
      return decodeGreV0(pkt, buf, off, end, flags, protocol);
    case VERSION_ENHANCED:
      decodeEnhancedGre(pkt, buf, off, end, flags);
      return -1;
    default:
      pkt.anomaly = Anomaly.truncated_tunnel_header;
      return -1;
  }
}

function decodeGreV0(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number, flags: number, protocol: number): number {
  let at = off + GRE_BASE_LEN;
  if ((flags & (CHECKSUM_PRESENT | ROUTING_PRESENT)) !== 0) at += 4;
  if ((flags & KEY_PRESENT) !== 0) {
    if (!tunnelHeaderFits(pkt, at, end, 4)) return -1;
    pkt.tunnelId = ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
    at += 4;
  }
  if ((flags & SEQUENCE_PRESENT) !== 0) at += 4;
  if ((flags & ROUTING_PRESENT) !== 0) {
    at = skipSourceRoute(pkt, buf, at, end);
    if (at < 0) return -1;
  }
  if (!tunnelHeaderFits(pkt, off, end, at - off)) return -1;
  if (protocol === ETHERTYPE_ERSPAN_II && (flags & SEQUENCE_PRESENT) === 0) {
    pkt.encapsulation = Encapsulation.erspan;
    pkt.tunnelId = -1;
    pkt.etherType = ETHERTYPE_TRANSPARENT_ETHERNET;
  } else {
    pkt.etherType = protocol;
  }
  return at;
}

/** Source route entries: address family, offset, length and that many bytes, until an empty one. */
function skipSourceRoute(pkt: DecodedPacket, buf: Uint8Array, at: number, end: number): number {
  for (let entries = 0; entries < MAX_ROUTE_ENTRIES; entries++) {
    if (!tunnelHeaderFits(pkt, at, end, 4)) return -1;
    const family = (buf[at] << 8) | buf[at + 1];
    const length = buf[at + 3];
    at += 4 + length;
    if (family === 0 && length === 0) return at;
  }
  pkt.anomaly = Anomaly.truncated_tunnel_header;
  return -1;
}

/** PPTP's header: the key field holds the payload length and the call id; sequence and ack numbers may follow. */
function decodeEnhancedGre(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number, flags: number): void {
  if ((flags & KEY_PRESENT) === 0) {
    pkt.anomaly = Anomaly.truncated_tunnel_header;
    return;
  }
  const headerLen = 8 + ((flags & SEQUENCE_PRESENT) !== 0 ? 4 : 0) + ((flags & ACK_PRESENT) !== 0 ? 4 : 0);
  if (!tunnelHeaderFits(pkt, off, end, headerLen)) return;
  pkt.tunnelId = (buf[off + 6] << 8) | buf[off + 7];
}

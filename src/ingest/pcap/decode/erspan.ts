import { Anomaly } from './anomalies.js';
import { Encapsulation } from './encapsulation.js';
import { ETHERTYPE_TRANSPARENT_ETHERNET, setEtherTypeFromVersion, tunnelHeaderFits } from './tunnel-header.js';
import type { DecodedPacket } from './packet.js';

/** GRE protocol types of ERSPAN: type I and II share 0x88be (type I has no GRE sequence number), type III is 0x22eb. */
export const ETHERTYPE_ERSPAN_II = 0x88be;
export const ETHERTYPE_ERSPAN_III = 0x22eb;

const VERSION_TYPE_II = 1;
const VERSION_TYPE_III = 2;
/** Version, VLAN, COS, encapsulation, truncated flag, session id; reserved and index. */
const TYPE_II_HEADER_LEN = 8;
/** Type II's first word, a timestamp, then SGT, P, frame type, hardware id, direction, granularity, O. */
const TYPE_III_HEADER_LEN = 12;
/** The O flag announces an 8-byte platform-specific subheader. */
const PLATFORM_SUBHEADER_LEN = 8;
const FRAME_TYPE_ETHERNET = 0;
const FRAME_TYPE_IP = 2;

/**
 * ERSPAN type II or III header at `off`, after GRE (the version field says which). The 10-bit
 * session id becomes the tunnel id; the mirrored frame follows, Ethernet unless a type III header
 * says it is a bare IP packet. Other frame types are not decoded (the outer connection counts them).
 */
export function decodeErspan(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (!tunnelHeaderFits(pkt, off, end, TYPE_II_HEADER_LEN)) return -1;
  const version = buf[off] >> 4;
  pkt.encapsulation = Encapsulation.erspan;
  pkt.tunnelId = ((buf[off + 2] & 0x03) << 8) | buf[off + 3];
  if (version === VERSION_TYPE_II) {
    pkt.etherType = ETHERTYPE_TRANSPARENT_ETHERNET;
    return off + TYPE_II_HEADER_LEN;
  }
  if (version !== VERSION_TYPE_III) {
    pkt.anomaly = Anomaly.truncated_tunnel_header;
    return -1;
  }
  if (!tunnelHeaderFits(pkt, off, end, TYPE_III_HEADER_LEN)) return -1;
  const flags = (buf[off + 10] << 8) | buf[off + 11];
  const headerLen = TYPE_III_HEADER_LEN + ((flags & 0x0001) !== 0 ? PLATFORM_SUBHEADER_LEN : 0);
  if (!tunnelHeaderFits(pkt, off, end, headerLen)) return -1;
  const frameType = (flags >> 10) & 0x1f;
  if (frameType === FRAME_TYPE_ETHERNET) {
    pkt.etherType = ETHERTYPE_TRANSPARENT_ETHERNET;
  } else if (frameType !== FRAME_TYPE_IP || !setEtherTypeFromVersion(pkt, buf, off + headerLen, end)) {
    return -1;
  }
  return off + headerLen;
}

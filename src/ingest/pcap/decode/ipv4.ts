import { Anomaly } from './anomalies.js';
import type { DecodedPacket } from './packet.js';

const IPV4_MIN_HEADER_LEN = 20;
const MORE_FRAGMENTS = 0x2000;
const FRAGMENT_OFFSET_MASK = 0x1fff;

/**
 * IPv4 header at `off`. Sets addresses, protocol, lengths and fragment state, and returns the offset
 * of the transport header, or -1 when there is none to decode (a fragment after the first, or an
 * anomaly). Leaves `pkt.payloadLen` at the IP payload length for the transport decoder to narrow.
 */
export function decodeIpv4(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  // The version first: a short packet of the other version is mislabelled, not truncated.
  if (end > off && buf[off] >> 4 !== 4) {
    pkt.anomaly = Anomaly.bad_IP_version;
    return -1;
  }
  if (end - off < IPV4_MIN_HEADER_LEN) {
    pkt.anomaly = Anomaly.truncated_IP;
    return -1;
  }
  const headerLen = (buf[off] & 0x0f) << 2;
  // Bytes the record held on the wire from here: a snaplen cut below that is not an anomaly.
  const onWire = pkt.wireEnd - off;
  let totalLen = (buf[off + 2] << 8) | buf[off + 3];
  // Segmentation offload and IPv4 BIG TCP leave the total length 0; the record's length is the datagram's.
  if (totalLen === 0) totalLen = onWire;
  if (headerLen < IPV4_MIN_HEADER_LEN || headerLen > totalLen) {
    pkt.anomaly = Anomaly.bad_IP_header_len;
    return -1;
  }
  if (totalLen > onWire) {
    pkt.anomaly = Anomaly.truncated_IP;
    return -1;
  }
  pkt.ipVersion = 4;
  pkt.srcOff = off + 12;
  pkt.dstOff = off + 16;
  pkt.proto = buf[off + 9];
  pkt.ipLen = totalLen;
  pkt.payloadOff = off + headerLen;
  pkt.payloadLen = totalLen - headerLen;
  const fragment = (buf[off + 6] << 8) | buf[off + 7];
  pkt.isFragment = (fragment & (MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) !== 0;
  if (pkt.isFragment) {
    pkt.fragmentId = (buf[off + 4] << 8) | buf[off + 5];
    pkt.fragmentOffset = (fragment & FRAGMENT_OFFSET_MASK) << 3;
    pkt.moreFragments = (fragment & MORE_FRAGMENTS) !== 0;
  }
  // Only the first fragment (offset 0) holds the transport header.
  return (fragment & FRAGMENT_OFFSET_MASK) === 0 ? off + headerLen : -1;
}

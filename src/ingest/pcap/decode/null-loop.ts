import { Anomaly } from './anomalies.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import type { DecodedPacket } from './packet.js';

const FAMILY_HEADER_LEN = 4;

const AF_INET = 2;
/** AF_INET6 differs per OS; captures from any of them may be read anywhere. */
const AF_INET6_LINUX = 10;
const AF_INET6_NETBSD_OPENBSD = 24;
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;

/**
 * LINKTYPE_NULL (0), BSD and macOS loopback: a 4-byte address family in the byte order of the
 * machine that captured, which need not be the reader's or the file's. Family values are small, so
 * a non-zero value in the first two bytes means little-endian and otherwise big-endian.
 */
export function decodeNull(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (end - off < FAMILY_HEADER_LEN) {
    pkt.anomaly = Anomaly.truncated_link_header;
    return -1;
  }
  const family =
    (buf[off] | buf[off + 1]) !== 0 ? buf[off] | (buf[off + 1] << 8) : (buf[off + 2] << 8) | buf[off + 3];
  return familyToNetwork(pkt, off + FAMILY_HEADER_LEN, family);
}

/** LINKTYPE_LOOP (108), OpenBSD loopback: the same 4-byte address family, always big-endian. */
export function decodeLoop(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (end - off < FAMILY_HEADER_LEN) {
    pkt.anomaly = Anomaly.truncated_link_header;
    return -1;
  }
  const family = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
  return familyToNetwork(pkt, off + FAMILY_HEADER_LEN, family);
}

/** Other families (OSI, IPX, AppleTalk) are non-IP frames, not anomalies. */
function familyToNetwork(pkt: DecodedPacket, next: number, family: number): number {
  if (family === AF_INET) {
    pkt.etherType = ETHERTYPE_IPV4;
  } else if (
    family === AF_INET6_DARWIN ||
    family === AF_INET6_FREEBSD ||
    family === AF_INET6_NETBSD_OPENBSD ||
    family === AF_INET6_LINUX
  ) {
    pkt.etherType = ETHERTYPE_IPV6;
  } else {
    return -1;
  }
  return next;
}

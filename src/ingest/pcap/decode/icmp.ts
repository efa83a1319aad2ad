import { Anomaly } from './anomalies.js';
import type { DecodedPacket } from './packet.js';

/** Type, code, checksum and the 4-byte rest of header every ICMP and ICMPv6 message has. */
const ICMP_HEADER_LEN = 8;

const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO = 8;
/** Timestamp, information and address mask request/reply (13-18) carry an identifier like echo. */
const ICMP_FIRST_QUERY = 13;
const ICMP_LAST_QUERY = 18;
const ICMPV6_ECHO_REQUEST = 128;
const ICMPV6_ECHO_REPLY = 129;

/** ICMP (IP protocol 1): type and code become the ports, as Zeek does; queries keep their identifier. */
export function decodeIcmpv4(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (!decodeTypeAndCode(pkt, buf, off, end)) return;
  const type = buf[off];
  if (type === ICMP_ECHO || type === ICMP_ECHO_REPLY || (type >= ICMP_FIRST_QUERY && type <= ICMP_LAST_QUERY)) {
    pkt.icmpId = (buf[off + 4] << 8) | buf[off + 5];
  }
}

/** ICMPv6 (IPv6 next header 58): the same mapping; echo request and reply keep their identifier. */
export function decodeIcmpv6(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (!decodeTypeAndCode(pkt, buf, off, end)) return;
  const type = buf[off];
  if (type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY) {
    pkt.icmpId = (buf[off + 4] << 8) | buf[off + 5];
  }
}

/** The whole message stays the payload (`payloadLen` as the IP layer set it): ICMP has no ports to strip. */
function decodeTypeAndCode(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): boolean {
  if (end - off < ICMP_HEADER_LEN) {
    pkt.anomaly =
      pkt.isFragment && pkt.payloadLen < ICMP_HEADER_LEN ? Anomaly.excessively_small_fragment : Anomaly.truncated_header;
    return false;
  }
  pkt.srcPort = buf[off];
  pkt.dstPort = buf[off + 1];
  pkt.hasPorts = true;
  return true;
}

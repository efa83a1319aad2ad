import { Anomaly } from './anomalies.js';
import type { DecodedPacket } from './packet.js';

/** Source port, destination port, verification tag, checksum. */
const SCTP_COMMON_HEADER_LEN = 12;

/** SCTP common header at `off`: the ports; the chunks after it count as payload. */
export function decodeSctp(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < SCTP_COMMON_HEADER_LEN) {
    pkt.anomaly =
      pkt.isFragment && pkt.payloadLen < SCTP_COMMON_HEADER_LEN
        ? Anomaly.excessively_small_fragment
        : Anomaly.truncated_header;
    return;
  }
  pkt.srcPort = (buf[off] << 8) | buf[off + 1];
  pkt.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  pkt.hasPorts = true;
  pkt.payloadOff = off + SCTP_COMMON_HEADER_LEN;
  pkt.payloadLen -= SCTP_COMMON_HEADER_LEN;
}

import { Anomaly } from './anomalies.js';
import type { DecodedPacket } from './packet.js';

const TCP_MIN_HEADER_LEN = 20;

/**
 * TCP header at `off`; `end` is where the captured part of the segment ends and `pkt.payloadLen`
 * holds the segment length the IP header announced. Options cut off by the snaplen are no
 * anomaly: ports and flags sit in the fixed part.
 */
export function decodeTcp(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  const segmentLen = pkt.payloadLen;
  if (end - off < TCP_MIN_HEADER_LEN) {
    // A first fragment too small for the header is an evasion pattern (RFC 1858), not a short capture.
    pkt.anomaly =
      pkt.isFragment && segmentLen < TCP_MIN_HEADER_LEN ? Anomaly.excessively_small_fragment : Anomaly.truncated_header;
    return;
  }
  const headerLen = (buf[off + 12] >> 4) << 2;
  if (headerLen < TCP_MIN_HEADER_LEN) {
    pkt.anomaly = Anomaly.bad_TCP_header_len;
    return;
  }
  if (headerLen > segmentLen) {
    pkt.anomaly = pkt.isFragment ? Anomaly.excessively_small_fragment : Anomaly.bad_TCP_header_len;
    return;
  }
  pkt.srcPort = (buf[off] << 8) | buf[off + 1];
  pkt.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  pkt.hasPorts = true;
  pkt.tcpFlags = buf[off + 13];
  pkt.payloadOff = off + headerLen;
  pkt.payloadLen = segmentLen - headerLen;
}

import { Anomaly } from './anomalies.js';
import type { DecodedPacket } from './packet.js';

const UDP_HEADER_LEN = 8;
const MAX_PAYLOAD_LEN = 0xffff;

/**
 * UDP header at `off`; `end` is where the captured part of the datagram ends and `pkt.payloadLen`
 * holds the length the IP header announced. The payload length follows the IP length, so bytes
 * past a shorter UDP length still count, as they did on the wire.
 */
export function decodeUdp(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  const ipPayloadLen = pkt.payloadLen;
  if (end - off < UDP_HEADER_LEN) {
    pkt.anomaly =
      pkt.isFragment && ipPayloadLen < UDP_HEADER_LEN ? Anomaly.excessively_small_fragment : Anomaly.truncated_header;
    return;
  }
  const udpLen = (buf[off + 4] << 8) | buf[off + 5];
  // A first fragment's UDP length covers the whole datagram, so only whole datagrams are checked.
  // Length 0 is how a UDP jumbogram (RFC 2675) says "the IPv6 payload length".
  const jumbogram = udpLen === 0 && ipPayloadLen > MAX_PAYLOAD_LEN;
  if (!pkt.isFragment && !jumbogram && (udpLen < UDP_HEADER_LEN || udpLen > ipPayloadLen)) {
    pkt.anomaly = Anomaly.bad_UDP_length;
    return;
  }
  pkt.srcPort = (buf[off] << 8) | buf[off + 1];
  pkt.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  pkt.hasPorts = true;
  pkt.payloadOff = off + UDP_HEADER_LEN;
  pkt.payloadLen = ipPayloadLen - UDP_HEADER_LEN;
}

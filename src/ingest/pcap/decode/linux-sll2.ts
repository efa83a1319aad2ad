import { Anomaly } from './anomalies.js';
import { decodeEtherType } from './ethernet.js';
import type { DecodedPacket } from './packet.js';

const SLL2_HEADER_LEN = 20;

/**
 * LINKTYPE_LINUX_SLL2 (276): like SLL but the protocol comes first, followed by a reserved field,
 * the interface index, ARPHRD type, packet type, address length and 8 address bytes.
 */
export function decodeLinuxSll2(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (end - off < SLL2_HEADER_LEN) {
    pkt.anomaly = Anomaly.truncated_link_header;
    return -1;
  }
  const protocol = (buf[off] << 8) | buf[off + 1];
  return decodeEtherType(pkt, buf, off + SLL2_HEADER_LEN, end, protocol);
}

import { Anomaly } from './anomalies.js';
import { decodeEtherType } from './ethernet.js';
import type { DecodedPacket } from './packet.js';

const SLL_HEADER_LEN = 16;

/**
 * LINKTYPE_LINUX_SLL (113), Linux "any" device captures: packet type, ARPHRD type, address length,
 * 8 address bytes, then the protocol. The protocol is an EtherType for every device that carries IP
 * (VLAN tags re-inserted by libpcap follow it); the small values Linux uses for LLC, CAN or netlink
 * are below 0x0600 and end as non-IP frames.
 */
export function decodeLinuxSll(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (end - off < SLL_HEADER_LEN) {
    pkt.anomaly = Anomaly.truncated_link_header;
    return -1;
  }
  const protocol = (buf[off + 14] << 8) | buf[off + 15];
  return decodeEtherType(pkt, buf, off + SLL_HEADER_LEN, end, protocol);
}

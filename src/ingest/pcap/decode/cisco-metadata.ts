import type { DecodedPacket } from './packet.js';
import { tunnelHeaderFits } from './tunnel-header.js';

/** Cisco MetaData (TrustSec security group tag) as a GRE payload type. */
export const ETHERTYPE_CISCO_METADATA = 0x8909;

/** Inside GRE: the next EtherType, version, length, option and the 16-bit SGT. */
const CMD_IN_GRE_LEN = 8;

/**
 * Cisco MetaData header at `off`, as Cisco routers put it between GRE and the payload to carry a
 * TrustSec group tag. Inside GRE the header starts with the EtherType of what follows.
 */
export function decodeCiscoMetadata(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (!tunnelHeaderFits(pkt, off, end, CMD_IN_GRE_LEN)) return -1;
  pkt.etherType = (buf[off] << 8) | buf[off + 1];
  return off + CMD_IN_GRE_LEN;
}

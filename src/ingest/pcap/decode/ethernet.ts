import { Anomaly } from './anomalies.js';
import type { DecodedPacket } from './packet.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1Q customer tag. */
export const ETHERTYPE_VLAN = 0x8100;
/** 802.1ad service tag (QinQ outer tag). */
export const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ outer tag still sent by some switches. */
export const ETHERTYPE_QINQ_LEGACY = 0x9100;

/** Stacked tags followed before giving up: real networks use two, a hostile frame could use hundreds. */
export const MAX_VLAN_TAGS = 8;

/** Type/length values below this are 802.3 lengths (an LLC header follows), not EtherTypes. */
const MIN_ETHERTYPE = 0x0600;

const ETHERNET_HEADER_LEN = 14;
const VLAN_TAG_LEN = 4;

/** LINKTYPE_ETHERNET (1): destination MAC, source MAC, EtherType or 802.3 length. */
export function decodeEthernet(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  if (end - off < ETHERNET_HEADER_LEN) {
    pkt.anomaly = Anomaly.truncated_link_header;
    return -1;
  }
  const typeOrLength = (buf[off + 12] << 8) | buf[off + 13];
  return decodeEtherType(pkt, buf, off + ETHERNET_HEADER_LEN, end, typeOrLength);
}

/**
 * Follows 802.1Q/802.1ad tags starting at `off` (where the header announcing `typeOrLength` ends),
 * keeps the outer VLAN id, and sets `pkt.etherType` to the type after the last tag. Returns the
 * offset of the network header, or -1 for a non-EtherType frame (802.3 + LLC/SNAP: STP, CDP, ...),
 * which is not an anomaly. Shared by every link layer that carries an EtherType (Ethernet, SLL, SLL2).
 */
export function decodeEtherType(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number, typeOrLength: number): number {
  let type = typeOrLength;
  let next = off;
  for (let tags = 0; type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_LEGACY; tags++) {
    if (tags === MAX_VLAN_TAGS) {
      pkt.anomaly = Anomaly.excessive_vlan_tags;
      return -1;
    }
    if (end - next < VLAN_TAG_LEN) {
      pkt.anomaly = Anomaly.truncated_link_header;
      return -1;
    }
    // The outer tag is the one the network was configured with (the S-tag in QinQ).
    if (tags === 0) pkt.vlan = ((buf[next] & 0x0f) << 8) | buf[next + 1];
    type = (buf[next + 2] << 8) | buf[next + 3];
    next += VLAN_TAG_LEN;
  }
  if (type < MIN_ETHERTYPE) return -1;
  pkt.etherType = type;
  return next;
}

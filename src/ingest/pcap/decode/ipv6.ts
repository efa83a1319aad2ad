import { Anomaly } from './anomalies.js';
import type { DecodedPacket } from './packet.js';

const IPV6_HEADER_LEN = 40;
const MIN_EXT_HEADER_LEN = 8;
/**
 * Extension headers followed before giving up. RFC 8200 order needs at most 8, but real stacks
 * accept long chains (libpcap's test capture has 100); each step costs a few reads and the chain
 * cannot exceed caplen / 8 anyway, so the bound only stops pathological loops.
 */
export const MAX_IPV6_EXT_HEADERS = 128;

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTHENTICATION = 51;
const DESTINATION_OPTIONS = 60;
const MOBILITY = 135;
const HIP = 139;
const SHIM6 = 140;

const OPTION_PAD1 = 0;
const OPTION_JUMBO = 0xc2;
const MAX_PAYLOAD_LEN = 0xffff;

/**
 * IPv6 header at `off` and its extension-header chain. Sets addresses, the final protocol, lengths
 * and fragment state, and returns the offset of the transport header, or -1 when there is none to
 * decode (a fragment after the first, or an anomaly). Leaves `pkt.payloadLen` at the bytes after
 * the chain for the transport decoder to narrow.
 */
export function decodeIpv6(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): number {
  // The version first: a short packet of the other version is mislabelled, not truncated.
  if (end > off && buf[off] >> 4 !== 6) {
    pkt.anomaly = Anomaly.bad_IP_version;
    return -1;
  }
  if (end - off < IPV6_HEADER_LEN) {
    pkt.anomaly = Anomaly.truncated_IP;
    return -1;
  }
  // Payload bytes the record held on the wire: a snaplen cut below that is not an anomaly.
  const onWire = pkt.wireEnd - off - IPV6_HEADER_LEN;
  let payloadLen = (buf[off + 4] << 8) | buf[off + 5];
  // 0 announces a jumbogram (RFC 2675, length in a Hop-by-Hop option); until that option is
  // found, or when it is missing, the length is the record's, as for IPv4 total length 0.
  const mayBeJumbo = payloadLen === 0;
  if (mayBeJumbo) {
    payloadLen = onWire;
  } else if (payloadLen > onWire) {
    pkt.anomaly = Anomaly.truncated_IP;
    return -1;
  }
  pkt.ipVersion = 6;
  pkt.srcOff = off + 8;
  pkt.dstOff = off + 24;

  let next = buf[off + 6];
  let at = off + IPV6_HEADER_LEN;
  for (let headers = 0; isExtensionHeader(next); headers++) {
    if (headers === MAX_IPV6_EXT_HEADERS) {
      pkt.anomaly = Anomaly.excessive_IPv6_ext_headers;
      return -1;
    }
    // Every extension header is at least 8 bytes, which covers its length field.
    if (end - at < MIN_EXT_HEADER_LEN) {
      pkt.anomaly = Anomaly.truncated_IPv6_ext_header;
      return -1;
    }
    const headerLen = extensionHeaderLen(next, buf, at);
    if (at + headerLen > end || at + headerLen > off + IPV6_HEADER_LEN + payloadLen) {
      pkt.anomaly = Anomaly.truncated_IPv6_ext_header;
      return -1;
    }
    // The jumbo option is only valid in a Hop-by-Hop header, which must come first.
    if (mayBeJumbo && headers === 0 && next === HOP_BY_HOP) {
      const jumboLen = findJumboLength(buf, at + 2, at + headerLen);
      if (jumboLen > MAX_PAYLOAD_LEN) {
        if (jumboLen > onWire) {
          pkt.anomaly = Anomaly.truncated_IP;
          return -1;
        }
        payloadLen = jumboLen;
      }
    }
    if (next === FRAGMENT) {
      const offsetAndFlags = (buf[at + 2] << 8) | buf[at + 3];
      const fragmentOffset = offsetAndFlags >> 3;
      // Offset 0 without "more fragments" is an atomic fragment (RFC 6946): a whole datagram.
      if (fragmentOffset !== 0 || (offsetAndFlags & 1) !== 0) {
        pkt.isFragment = true;
        pkt.fragmentId = ((buf[at + 4] << 24) | (buf[at + 5] << 16) | (buf[at + 6] << 8) | buf[at + 7]) >>> 0;
        pkt.fragmentOffset = fragmentOffset << 3;
        pkt.moreFragments = (offsetAndFlags & 1) !== 0;
      }
      if (fragmentOffset !== 0) {
        // Later fragments hold neither the rest of the chain nor the transport header.
        setPayload(pkt, buf[at], at + headerLen, off, payloadLen);
        return -1;
      }
    }
    next = buf[at];
    at += headerLen;
  }
  setPayload(pkt, next, at, off, payloadLen);
  return at;
}

function setPayload(pkt: DecodedPacket, proto: number, at: number, ipOff: number, payloadLen: number): void {
  pkt.proto = proto;
  pkt.ipLen = IPV6_HEADER_LEN + payloadLen;
  pkt.payloadOff = at;
  pkt.payloadLen = ipOff + IPV6_HEADER_LEN + payloadLen - at;
}

function isExtensionHeader(next: number): boolean {
  switch (next) {
    case HOP_BY_HOP:
    case ROUTING:
    case FRAGMENT:
    case AUTHENTICATION:
    case DESTINATION_OPTIONS:
    case MOBILITY:
    case HIP:
    case SHIM6:
      return true;
    default:
      return false;
  }
}

/** AH counts 4-byte words minus 2, the fragment header is fixed, the others count 8-byte units after the first. */
function extensionHeaderLen(next: number, buf: Uint8Array, at: number): number {
  if (next === AUTHENTICATION) return (buf[at + 1] + 2) << 2;
  if (next === FRAGMENT) return MIN_EXT_HEADER_LEN;
  return (buf[at + 1] + 1) << 3;
}

/** The Jumbo Payload option's length among the options in buf[from, to), -1 when absent. */
function findJumboLength(buf: Uint8Array, from: number, to: number): number {
  let at = from;
  while (at < to) {
    if (buf[at] === OPTION_PAD1) {
      at++;
      continue;
    }
    if (to - at < 2) return -1;
    const optionLen = buf[at + 1];
    if (buf[at] === OPTION_JUMBO && optionLen === 4 && to - at >= 6) {
      return ((buf[at + 2] << 24) | (buf[at + 3] << 16) | (buf[at + 4] << 8) | buf[at + 5]) >>> 0;
    }
    at += 2 + optionLen;
  }
  return -1;
}

import { Anomaly } from './anomalies.js';
import { decodeEthernet } from './ethernet.js';
import type { DecodedPacket } from './packet.js';
import {
  IP_TUNNEL_DECODERS,
  IpProto,
  LINK_DECODERS,
  NETWORK_DECODERS,
  SHIM_DECODERS,
  TRANSPORT_DECODERS,
  UDP_TUNNEL_DECODERS,
} from './registry.js';
import type { TunnelDecoder } from './registry.js';
import { ETHERTYPE_TRANSPARENT_ETHERNET } from './tunnel-header.js';

/** Shim headers (ERSPAN, Cisco MetaData) followed between one tunnel header and its packet. */
const MAX_SHIM_HEADERS = 2;

/**
 * Decodes one packet record into `pkt` (reset first): link layer by `linktype`, then IP, then the
 * transport, then whatever tunnels it carries. `buf[off, off + caplen)` are the captured bytes.
 * `origlen` is the record's length on the wire (the pcap/pcapng original length); IP lengths beyond
 * the captured bytes but within `origlen` are a snaplen cut, not an anomaly. It defaults to `caplen`
 * (nothing was cut). Never throws and never allocates: a malformed layer sets `pkt.anomaly` and
 * decoding stops there, with the complete layers outside it kept in `pkt.outer`.
 */
export function decodePacket(
  pkt: DecodedPacket,
  buf: Uint8Array,
  off: number,
  caplen: number,
  linktype: number,
  origlen: number = caplen,
): void {
  const end = off + caplen;
  pkt.reset(buf, end);
  // A record claiming fewer bytes on the wire than it captured is corrupt; trust the captured bytes.
  if (origlen > caplen) pkt.wireEnd = off + origlen;
  const link = LINK_DECODERS.get(linktype);
  if (link === undefined) {
    pkt.anomaly = Anomaly.unknown_link_type;
    return;
  }
  const networkOff = link(pkt, buf, off, end);
  if (networkOff >= 0) decodeNetwork(pkt, buf, networkOff, end);
}

/**
 * Decodes from the network header at `off`, of the type `pkt.etherType` names, down to the
 * transport, and opens the tunnel the packet is, if any: its layer moves to `pkt.outer` and
 * decoding starts again inside it (at most MAX_TUNNEL_DEPTH times). The entry point for anything
 * that has already consumed a link layer.
 */
export function decodeNetwork(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  let tunnel = decodeIpLayer(pkt, buf, off, end);
  while (tunnel !== undefined) tunnel = openTunnel(pkt, buf, tunnel);
}

/**
 * The IP header at `off` and its transport header, if the protocol has one; returns the decoder
 * of the tunnel the packet is, if it is one (never for a fragment: it holds only part of the
 * packet inside, so its outer layer alone counts it).
 */
function decodeIpLayer(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): TunnelDecoder | undefined {
  const network = NETWORK_DECODERS.get(pkt.etherType);
  if (network === undefined) return undefined;
  const transportOff = network(pkt, buf, off, end);
  // Before the transport narrows it, the payload length is the fragment's data.
  if (pkt.isFragment) pkt.fragmentLen = pkt.payloadLen;
  if (transportOff < 0) return undefined;
  pkt.transportOff = transportOff;
  const transport = TRANSPORT_DECODERS[pkt.proto];
  // Other protocols (ESP, OSPF, VRRP, ...) are port-less: the IP payload is their payload.
  if (transport === undefined) return pkt.isFragment ? undefined : IP_TUNNEL_DECODERS[pkt.proto];
  // Ethernet pads short frames: bytes past the IP length are not the transport's.
  const payloadEnd = transportOff + pkt.payloadLen;
  transport(pkt, buf, transportOff, payloadEnd < end ? payloadEnd : end);
  if (pkt.proto !== IpProto.UDP || pkt.anomaly !== 0 || pkt.isFragment) return undefined;
  return UDP_TUNNEL_DECODERS[pkt.udpTunnels[pkt.dstPort]];
}

/**
 * Moves the current layer to `pkt.outer` and decodes the tunnel in its payload: the tunnel header,
 * any shim headers after it, the carried Ethernet header and the carried IP layer. Returns the
 * decoder of the next tunnel, if the carried packet is one.
 */
function openTunnel(pkt: DecodedPacket, buf: Uint8Array, tunnel: TunnelDecoder): TunnelDecoder | undefined {
  const off = pkt.payloadOff;
  const wireEnd = off + pkt.payloadLen;
  // Each layer ends within the one carrying it, so the record's end is the only other bound.
  const end = wireEnd < pkt.end ? wireEnd : pkt.end;
  if (!pkt.openTunnel()) {
    pkt.anomaly = Anomaly.excessive_tunnel_depth;
    return undefined;
  }
  pkt.wireEnd = wireEnd;
  let at = tunnel(pkt, buf, off, end);
  for (let shims = 0; at >= 0 && shims < MAX_SHIM_HEADERS; shims++) {
    const shim = SHIM_DECODERS.get(pkt.etherType);
    if (shim === undefined) break;
    at = shim(pkt, buf, at, end);
  }
  if (at >= 0 && pkt.etherType === ETHERTYPE_TRANSPARENT_ETHERNET) at = decodeEthernet(pkt, buf, at, end);
  return at < 0 ? undefined : decodeIpLayer(pkt, buf, at, end);
}

import { Anomaly } from './anomalies.js';
import type { DecodedPacket } from './packet.js';
import { LINK_DECODERS, NETWORK_DECODERS, TRANSPORT_DECODERS } from './registry.js';

/**
 * Decodes one packet record into `pkt` (reset first): link layer by `linktype`, then IP, then the
 * transport. `buf[off, off + caplen)` are the captured bytes. `origlen` is the record's length on
 * the wire (the pcap/pcapng original length); IP lengths beyond the captured bytes but within
 * `origlen` are a snaplen cut, not an anomaly. It defaults to `caplen` (nothing was cut). Never
 * throws and never allocates: a malformed layer sets `pkt.anomaly` and decoding stops there.
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
 * transport. The entry point for anything that has already consumed a link layer.
 */
export function decodeNetwork(pkt: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  const network = NETWORK_DECODERS.get(pkt.etherType);
  if (network === undefined) return;
  const transportOff = network(pkt, buf, off, end);
  if (transportOff < 0) return;
  const transport = TRANSPORT_DECODERS[pkt.proto];
  // Other protocols (GRE, ESP, OSPF, VRRP, ...) are port-less: the IP payload is their payload.
  if (transport === undefined) return;
  // Ethernet pads short frames: bytes past the IP length are not the transport's.
  const payloadEnd = transportOff + pkt.payloadLen;
  transport(pkt, buf, transportOff, payloadEnd < end ? payloadEnd : end);
}

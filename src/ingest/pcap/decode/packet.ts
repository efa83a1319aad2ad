/**
 * The result of decoding one packet. One instance is reused for every packet of a capture
 * (no allocation per packet): decoders overwrite its fields, and `reset` clears the ones a
 * shorter packet would otherwise inherit. Addresses are not copied: `srcOff`/`dstOff` point
 * into `buf`, which stays valid only until the packet callback returns.
 */
export class DecodedPacket {
  /** The bytes of the current record (a view into the reader's buffer). */
  buf: Uint8Array = new Uint8Array(0);
  /** Offset of the first byte after the record's captured bytes. */
  end = 0;
  /**
   * Offset the record would end at had the capture kept every byte (record offset + origlen;
   * `end` when not snaplen-truncated). IP lengths are checked against it, not against `end`.
   */
  wireEnd = 0;
  /** EtherType the link layer announced after any VLAN tags (0 for 802.3/LLC frames). */
  etherType = 0;
  /** Outer VLAN id (first 802.1Q/802.1ad tag), -1 when untagged. */
  vlan = -1;
  /** 4 or 6 for the innermost IP header decoded, 0 when the packet carries no IP. */
  ipVersion: 0 | 4 | 6 = 0;
  /** Offsets of the source and destination address inside `buf` (4 or 16 bytes). */
  srcOff = 0;
  dstOff = 0;
  /** IANA protocol number of the transport layer (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 132 SCTP, ...). */
  proto = 0;
  /** Transport ports; for ICMP/ICMPv6 the type and code (as Zeek does). 0 when the protocol has none. */
  srcPort = 0;
  dstPort = 0;
  /** Whether the transport header carried ports (false for fragments after the first and port-less protocols). */
  hasPorts = false;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80). */
  tcpFlags = 0;
  /** Transport payload bytes (TCP/UDP/SCTP payload; for other protocols, ICMP included, the IP payload length). */
  payloadLen = 0;
  /** Offset of the transport payload inside `buf` (for DNS/TLS evidence). */
  payloadOff = 0;
  /** Length on the wire of the IP datagram (IPv4 total length, IPv6 40 + payload length, jumbo aware). */
  ipLen = 0;
  /** True for an IPv4/IPv6 fragment (any of them). */
  isFragment = false;
  /** Identification shared by the fragments of one datagram (IPv4 16-bit, IPv6 32-bit). */
  fragmentId = 0;
  /** Where this fragment's data starts in its datagram, in bytes. */
  fragmentOffset = 0;
  /** The more-fragments flag: another fragment follows this one. */
  moreFragments = false;
  /** ICMP identifier for echo-style messages, -1 otherwise. */
  icmpId = -1;
  /** Anomaly code (see anomalies.ts) for the first malformed layer, 0 when none. */
  anomaly = 0;

  reset(buf: Uint8Array, end: number): void {
    this.buf = buf;
    this.end = end;
    this.wireEnd = end;
    this.etherType = 0;
    this.vlan = -1;
    this.ipVersion = 0;
    this.proto = 0;
    this.srcPort = 0;
    this.dstPort = 0;
    this.hasPorts = false;
    this.tcpFlags = 0;
    this.payloadLen = 0;
    this.payloadOff = 0;
    this.ipLen = 0;
    this.isFragment = false;
    this.fragmentId = 0;
    this.fragmentOffset = 0;
    this.moreFragments = false;
    this.icmpId = -1;
    this.anomaly = 0;
  }
}

import { udpTunnelPorts } from './udp-tunnel-ports.js';

/** Tunnels opened inside one another before giving up (a VXLAN in GRE in ERSPAN is three). */
export const MAX_TUNNEL_DEPTH = 4;

const DEFAULT_UDP_TUNNEL_PORTS = udpTunnelPorts([]);

/**
 * The result of decoding one packet. One instance is reused for every packet of a capture
 * (no allocation per packet): decoders overwrite its fields, and `reset` clears the ones a
 * shorter packet would otherwise inherit. Addresses are not copied: `srcOff`/`dstOff` point
 * into `buf`, which stays valid only until the packet callback returns.
 *
 * The fields describe the innermost layer decoded. A tunnel (VXLAN, Geneve, GRE, ERSPAN, IP in IP)
 * first copies them into `outer[tunnelDepth++]`, a preallocated snapshot of the same class, and
 * clears them for the packet it carries: every level keeps its own IP 5-tuple without allocation.
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
  /** Offset of the transport header (TCP sequence numbers are read from it). */
  transportOff = 0;
  /** Bytes of fragment data this IP fragment carries (its IP payload); set for fragments only. */
  fragmentLen = 0;
  /** How this layer came out of a tunnel: an Encapsulation code (encapsulation.ts), 0 when it did not. */
  encapsulation = 0;
  /** That tunnel's VXLAN/Geneve VNI, GRE key or ERSPAN session id; -1 when it has none. */
  tunnelId = -1;
  /** Anomaly code (see anomalies.ts) for the first malformed layer, 0 when none. */
  anomaly = 0;
  /** Layers this one was carried in, outermost first: `outer[0, tunnelDepth)` hold complete IP layers. */
  tunnelDepth = 0;
  readonly outer: DecodedPacket[];

  /**
   * `udpTunnels` maps a UDP destination port to the UDP tunnel decoded on it (udp-tunnel-ports.ts);
   * the default decodes VXLAN on 4789 and 8472 and Geneve on 6081.
   */
  constructor(
    readonly udpTunnels: Uint8Array = DEFAULT_UDP_TUNNEL_PORTS,
    snapshots = MAX_TUNNEL_DEPTH + 1,
  ) {
    this.outer = Array.from({ length: snapshots }, () => new DecodedPacket(udpTunnels, 0));
  }

  reset(buf: Uint8Array, end: number): void {
    this.buf = buf;
    this.end = end;
    this.wireEnd = end;
    this.anomaly = 0;
    this.tunnelDepth = 0;
    this.resetLayer();
  }

  /**
   * Keeps the current layer as the innermost outer one and clears the fields for the packet it
   * carries. Returns false when that was one tunnel more than MAX_TUNNEL_DEPTH (the layer is kept,
   * the packet inside it is not decoded).
   */
  openTunnel(): boolean {
    this.outer[this.tunnelDepth++]!.copyLayer(this);
    this.resetLayer();
    return this.tunnelDepth <= MAX_TUNNEL_DEPTH;
  }

  private copyLayer(from: DecodedPacket): void {
    this.buf = from.buf;
    this.end = from.end;
    this.wireEnd = from.wireEnd;
    this.etherType = from.etherType;
    this.vlan = from.vlan;
    this.ipVersion = from.ipVersion;
    this.srcOff = from.srcOff;
    this.dstOff = from.dstOff;
    this.proto = from.proto;
    this.srcPort = from.srcPort;
    this.dstPort = from.dstPort;
    this.hasPorts = from.hasPorts;
    this.tcpFlags = from.tcpFlags;
    this.payloadLen = from.payloadLen;
    this.payloadOff = from.payloadOff;
    this.ipLen = from.ipLen;
    this.isFragment = from.isFragment;
    this.fragmentId = from.fragmentId;
    this.fragmentOffset = from.fragmentOffset;
    this.moreFragments = from.moreFragments;
    this.icmpId = from.icmpId;
    this.transportOff = from.transportOff;
    this.fragmentLen = from.fragmentLen;
    this.encapsulation = from.encapsulation;
    this.tunnelId = from.tunnelId;
  }

  private resetLayer(): void {
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
    this.transportOff = 0;
    this.fragmentLen = 0;
    this.encapsulation = 0;
    this.tunnelId = -1;
  }
}

/**
 * One tracked connection: what its first packet said (addresses, ports, who the client is, the
 * tunnel it came out of) and, once the tracker flushes it, what all its packets added up to.
 * While it is tracked, its counters live in the tracker's records (conn-records.ts) so the
 * per-packet path never touches this object.
 */
import type { EncapsulationName } from './pcap/decode/encapsulation.js';
import type { InitiatorEvidence } from './initiator.js';

/** The tunnel a connection was carried in, as its first packet showed it. */
export interface TunnelOrigin {
  encapsulation: EncapsulationName;
  /** VXLAN/Geneve VNI, GRE key or ERSPAN session id; null when the tunnel has none. */
  tunnelId: number | null;
  /** The connection of the tunnel packet that carried the first packet. */
  outerConnectionId: number | null;
}

/** "client" is the initiator, "server" the other side. */
export class Connection {
  // Settled from the tracker's record when the connection is flushed; zero until then.
  clientPackets = 0;
  clientBytes = 0;
  serverPackets = 0;
  serverBytes = 0;
  /** Sent bitmasks (conn-state.ts) of what each side sent; TCP only. */
  clientSent = 0;
  serverSent = 0;
  firstRst: 'client' | 'server' | null = null;
  /** Zeek history: each letter once per direction, upper case for the client. */
  history = '';
  lastTs: number;
  /**
   * Directions (1 client, 2 server) whose message — a ClientHello, a DNS answer over TCP — the
   * name collector holds until the next segment: other connections skip that lookup.
   */
  awaitingSegments = 0;
  /** This connection's record in its tracker while tracked; -1 once flushed. */
  record = -1;

  constructor(
    readonly id: number,
    readonly proto: number,
    readonly family: 4 | 6,
    /** Address bytes (4 or 16) of each side, copied out of the packet. */
    readonly clientAddr: Uint8Array,
    readonly serverAddr: Uint8Array,
    /** Ports (ICMP: type and code); null for port-less protocols. */
    readonly clientPort: number | null,
    readonly serverPort: number | null,
    readonly vlan: number | null,
    readonly evidence: InitiatorEvidence,
    readonly firstTs: number,
    /** Null outside tunnels. */
    readonly tunnel: TunnelOrigin | null = null,
  ) {
    this.lastTs = firstTs;
  }

  /** Whether `len` address bytes at `buf[off]` are the client's address. */
  isClientAddress(buf: Uint8Array, off: number): boolean {
    const a = this.clientAddr;
    for (let i = 0; i < a.length; i++) if (buf[off + i] !== a[i]) return false;
    return true;
  }
}

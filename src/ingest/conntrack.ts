/**
 * Packets → bidirectional connections. The lookup is an open-addressing hash table over typed
 * arrays keyed by the direction-independent 5-tuple (+ VLAN and tunnel context), so the per-packet
 * path allocates nothing; a Connection object exists once per connection. Idle connections are
 * flushed as capture time advances, which keeps memory bounded on long captures.
 */
import type { DecodedPacket } from './pcap/decode/packet.js';
import { encapsulationName } from './pcap/decode/encapsulation.js';
import type { EncapsulationName } from './pcap/decode/encapsulation.js';
import { Sent, tcpHistoryLetter, tcpSentBits } from './conn-state.js';
import { icmpRequestType, icmpRole, portHeuristic } from './initiator.js';
import type { InitiatorEvidence } from './initiator.js';

const KEY_WORDS = 11;
const SECOND = 1_000_000;

/** Inactivity timeouts as Zeek's defaults: TCP 5 min, UDP and ICMP 1 min; closed TCP lingers 5 s. */
export interface ConnTrackerOptions {
  tcpTimeoutMicros: number;
  datagramTimeoutMicros: number;
  closedTimeoutMicros: number;
  /** Connections held at once before the idlest are flushed early (bounds memory). */
  maxActive: number;
}

export const DEFAULT_TRACKER_OPTIONS: ConnTrackerOptions = {
  tcpTimeoutMicros: 300 * SECOND,
  datagramTimeoutMicros: 60 * SECOND,
  closedTimeoutMicros: 5 * SECOND,
  maxActive: 1_000_000,
};

/** The tunnel a connection was carried in, as its first packet showed it. */
export interface TunnelOrigin {
  encapsulation: EncapsulationName;
  /** VXLAN/Geneve VNI, GRE key or ERSPAN session id; null when the tunnel has none. */
  tunnelId: number | null;
  /** The connection of the tunnel packet that carried the first packet. */
  outerConnectionId: number | null;
}

/** One tracked connection. "client" is the initiator, "server" the other side. */
export class Connection {
  clientPackets = 0;
  clientBytes = 0;
  serverPackets = 0;
  serverBytes = 0;
  /** Sent bitmasks (conn-state.ts) of what each side sent; TCP only. */
  clientSent = 0;
  serverSent = 0;
  firstRst: 'client' | 'server' | null = null;
  /**
   * Directions (1 client, 2 server) whose message — a ClientHello, a DNS answer over TCP — the
   * name collector holds until the next segment: other connections skip that lookup.
   */
  awaitingSegments = 0;
  history = '';
  private historyBits = 0;
  lastTs: number;

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
    /** Which key endpoint is the client: true when it is the lower one (see keyOf). */
    readonly clientIsLow: boolean,
    /** Null outside tunnels. */
    readonly tunnel: TunnelOrigin | null = null,
  ) {
    this.lastTs = firstTs;
  }

  /** Count one packet of `ipBytes` bytes sent by the client (or the server) at `ts`. */
  count(fromClient: boolean, ts: number, ipBytes: number): void {
    if (fromClient) {
      this.clientPackets++;
      this.clientBytes += ipBytes;
    } else {
      this.serverPackets++;
      this.serverBytes += ipBytes;
    }
    if (ts > this.lastTs) this.lastTs = ts;
  }

  /** Whether `len` address bytes at `buf[off]` are the client's address. */
  isClientAddress(buf: Uint8Array, off: number): boolean {
    const a = this.clientAddr;
    for (let i = 0; i < a.length; i++) if (buf[off + i] !== a[i]) return false;
    return true;
  }

  /** Zeek history: each letter once per direction, upper case for the client. */
  addHistory(letter: string, fromClient: boolean): void {
    const bit = 1 << ('SHADFRQ'.indexOf(letter) + (fromClient ? 0 : 8));
    if (this.historyBits & bit) return;
    this.historyBits |= bit;
    this.history += fromClient ? letter : letter.toLowerCase();
  }

  /** Both sides closed, or one reset: a SYN on the same tuple now starts a new connection. */
  get closed(): boolean {
    return this.firstRst !== null || ((this.clientSent & Sent.FIN) !== 0 && (this.serverSent & Sent.FIN) !== 0);
  }
}

/** Scratch space for the key of the current packet (module-level: no allocation per packet). */
const scratch = new Uint32Array(KEY_WORDS);

function addrWord(buf: Uint8Array, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

/**
 * Fill `scratch` with the packet's direction-independent key; returns true when the packet's
 * source is the key's "low" endpoint (lower address, then lower port).
 */
function keyOf(pkt: DecodedPacket, context: number): boolean {
  const buf = pkt.buf;
  const words = pkt.ipVersion === 4 ? 1 : 4;
  let cmp = 0;
  for (let i = 0; i < 4; i++) {
    const s = i < words ? addrWord(buf, pkt.srcOff + 4 * i) : 0;
    const d = i < words ? addrWord(buf, pkt.dstOff + 4 * i) : 0;
    scratch[1 + i] = s;
    scratch[5 + i] = d;
    if (cmp === 0 && s !== d) cmp = s < d ? -1 : 1;
  }
  const isIcmp = pkt.proto === 1 || pkt.proto === 58;
  let sp = pkt.hasPorts ? pkt.srcPort : 0;
  let dp = pkt.hasPorts ? pkt.dstPort : 0;
  if (isIcmp) {
    // Type and code are not endpoints: key on the request type so echo and echo-reply meet.
    sp = icmpRequestType(pkt.proto, pkt.srcPort);
    dp = pkt.dstPort;
  } else if (cmp === 0 && sp !== dp) cmp = sp < dp ? -1 : 1;
  const srcIsLow = cmp <= 0;
  if (!srcIsLow) {
    for (let i = 1; i < 5; i++) {
      const t = scratch[i]!;
      scratch[i] = scratch[i + 4]!;
      scratch[i + 4] = t;
    }
    if (!isIcmp) {
      const t = sp;
      sp = dp;
      dp = t;
    }
  }
  scratch[0] = (pkt.ipVersion | (pkt.proto << 8) | ((pkt.vlan + 1) << 16)) >>> 0;
  scratch[9] = ((sp << 16) | dp) >>> 0;
  scratch[10] = context >>> 0;
  return srcIsLow;
}

function hashKey(keys: Uint32Array, base: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < KEY_WORDS; i++) {
    h = Math.imul(h ^ keys[base + i]!, 0x01000193);
    h ^= h >>> 15;
  }
  return Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
}

export class ConnTracker {
  private slots: Int32Array;
  private mask: number;
  private keys: Uint32Array;
  private conns: (Connection | undefined)[] = [];
  private freeIndices: number[] = [];
  private activeCount = 0;
  private lastSweepTs = -Infinity;
  private packetsSinceSweep = 0;

  constructor(
    private readonly onFlush: (c: Connection) => void,
    private readonly allocateId: () => number,
    private readonly options: ConnTrackerOptions = DEFAULT_TRACKER_OPTIONS,
  ) {
    const capacity = 1 << 16;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.keys = new Uint32Array((capacity / 2) * KEY_WORDS);
  }

  get active(): number {
    return this.activeCount;
  }

  /**
   * Count one IP packet (pkt.ipVersion must be 4 or 6) of `ipBytes` bytes at `tsMicros` into its
   * connection, creating it when new. `context` separates tunnelled traffic (0 outside tunnels);
   * `outer` is the connection of the tunnel packet that carried this one, recorded at creation.
   */
  add(pkt: DecodedPacket, tsMicros: number, ipBytes: number, context = 0, outer: Connection | null = null): Connection {
    if (++this.packetsSinceSweep >= 65536) this.maybeSweep(tsMicros);
    const srcIsLow = keyOf(pkt, context);
    let slot = this.findSlot();
    let conn = slot >= 0 ? this.conns[this.slots[slot]! - 1]! : undefined;
    const isTcp = pkt.proto === 6;
    if (conn && isTcp && (pkt.tcpFlags & 0x12) === 0x02 && conn.closed) {
      // A fresh SYN on a finished tuple is a new connection (port reuse), as Zeek and tshark see it.
      this.removeSlot(slot);
      this.onFlush(conn);
      conn = undefined;
    }
    if (!conn) {
      conn = this.create(pkt, tsMicros, srcIsLow, outer);
      slot = -1;
    }
    const fromClient = srcIsLow === conn.clientIsLow;
    conn.count(fromClient, tsMicros, ipBytes);
    if (isTcp && pkt.hasPorts) this.trackTcp(conn, pkt, fromClient);
    return conn;
  }

  private trackTcp(conn: Connection, pkt: DecodedPacket, fromClient: boolean): void {
    const bits = tcpSentBits(pkt.tcpFlags, pkt.payloadLen);
    if (fromClient) conn.clientSent |= bits;
    else conn.serverSent |= bits;
    if (bits & Sent.RST && conn.firstRst === null) conn.firstRst = fromClient ? 'client' : 'server';
    const letter = tcpHistoryLetter(pkt.tcpFlags, pkt.payloadLen);
    if (letter !== '') conn.addHistory(letter, fromClient);
  }

  /** The slot holding the key in `scratch`, or -1. */
  private findSlot(): number {
    const mask = this.mask;
    const keys = this.keys;
    let i = hashKey(scratch, 0) & mask;
    for (;;) {
      const v = this.slots[i]!;
      if (v === 0) return -1;
      const base = (v - 1) * KEY_WORDS;
      let same = true;
      for (let w = 0; w < KEY_WORDS; w++) {
        if (keys[base + w] !== scratch[w]) {
          same = false;
          break;
        }
      }
      if (same) return i;
      i = (i + 1) & mask;
    }
  }

  private create(pkt: DecodedPacket, ts: number, srcIsLow: boolean, outer: Connection | null): Connection {
    const { clientIsSrc, evidence } = decideClient(pkt);
    const len = pkt.ipVersion === 4 ? 4 : 16;
    const src = pkt.buf.slice(pkt.srcOff, pkt.srcOff + len);
    const dst = pkt.buf.slice(pkt.dstOff, pkt.dstOff + len);
    const ports = pkt.hasPorts;
    const isIcmp = pkt.proto === 1 || pkt.proto === 58;
    // ICMP keeps type and code as Zeek does: the client "port" is the request type.
    const clientPort = !ports ? null : isIcmp ? icmpRequestType(pkt.proto, pkt.srcPort) : clientIsSrc ? pkt.srcPort : pkt.dstPort;
    const serverPort = !ports ? null : isIcmp ? pkt.dstPort : clientIsSrc ? pkt.dstPort : pkt.srcPort;
    const conn = new Connection(
      this.allocateId(),
      pkt.proto,
      pkt.ipVersion as 4 | 6,
      clientIsSrc ? src : dst,
      clientIsSrc ? dst : src,
      clientPort,
      serverPort,
      pkt.vlan < 0 ? null : pkt.vlan,
      evidence,
      ts,
      clientIsSrc === srcIsLow,
      tunnelOrigin(pkt, outer),
    );
    this.insert(conn);
    return conn;
  }

  private insert(conn: Connection): void {
    if (this.activeCount + 1 > (this.mask + 1) >> 1) this.grow();
    const index = this.freeIndices.length > 0 ? this.freeIndices.pop()! : this.conns.length;
    if ((index + 1) * KEY_WORDS > this.keys.length) {
      const bigger = new Uint32Array(this.keys.length * 2);
      bigger.set(this.keys);
      this.keys = bigger;
    }
    this.keys.set(scratch, index * KEY_WORDS);
    this.conns[index] = conn;
    let i = hashKey(scratch, 0) & this.mask;
    while (this.slots[i] !== 0) i = (i + 1) & this.mask;
    this.slots[i] = index + 1;
    this.activeCount++;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length - 1;
    for (const v of old) {
      if (v === 0) continue;
      let i = hashKey(this.keys, (v - 1) * KEY_WORDS) & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = v;
    }
  }

  /** Linear-probing delete with backward shift, so lookups never need tombstones. */
  private removeSlot(slot: number): void {
    const mask = this.mask;
    const index = this.slots[slot]! - 1;
    this.conns[index] = undefined;
    this.freeIndices.push(index);
    this.activeCount--;
    let hole = slot;
    let i = (slot + 1) & mask;
    for (;;) {
      const v = this.slots[i]!;
      if (v === 0) break;
      const home = hashKey(this.keys, (v - 1) * KEY_WORDS) & mask;
      // Move the entry back if its home is not in (hole, i] (cyclically).
      const inRange = hole <= i ? home > hole && home <= i : home > hole || home <= i;
      if (!inRange) {
        this.slots[hole] = v;
        hole = i;
      }
      i = (i + 1) & mask;
    }
    this.slots[hole] = 0;
  }

  private slotOfIndex(index: number): number {
    let i = hashKey(this.keys, index * KEY_WORDS) & this.mask;
    while (this.slots[i] !== index + 1) i = (i + 1) & this.mask;
    return i;
  }

  private maybeSweep(now: number): void {
    this.packetsSinceSweep = 0;
    const overCap = this.activeCount > this.options.maxActive;
    if (!overCap && now - this.lastSweepTs < 10 * SECOND) return;
    this.lastSweepTs = now;
    const o = this.options;
    for (let index = 0; index < this.conns.length; index++) {
      const c = this.conns[index];
      if (!c) continue;
      const idle = now - c.lastTs;
      const timeout = c.proto === 6 ? (c.closed ? o.closedTimeoutMicros : o.tcpTimeoutMicros) : o.datagramTimeoutMicros;
      // Over the cap, anything idle for a second goes: memory stays bounded at the cost of splitting slow connections.
      if (idle > timeout || (overCap && idle > SECOND)) {
        this.removeSlot(this.slotOfIndex(index));
        this.onFlush(c);
      }
    }
  }

  /** Flush every connection still open (end of input), oldest first. */
  flushAll(): void {
    const open = this.conns.filter((c): c is Connection => c !== undefined).sort((a, b) => a.firstTs - b.firstTs);
    this.conns = [];
    this.freeIndices = [];
    this.slots.fill(0);
    this.activeCount = 0;
    for (const c of open) this.onFlush(c);
  }
}

function tunnelOrigin(pkt: DecodedPacket, outer: Connection | null): TunnelOrigin | null {
  const encapsulation = encapsulationName(pkt.encapsulation);
  if (encapsulation === null) return null;
  return { encapsulation, tunnelId: pkt.tunnelId < 0 ? null : pkt.tunnelId, outerConnectionId: outer === null ? null : outer.id };
}

/** Which end of the first packet is the client, and why. */
function decideClient(pkt: DecodedPacket): { clientIsSrc: boolean; evidence: InitiatorEvidence } {
  if (pkt.hasPorts) {
    if (pkt.proto === 6) {
      const syn = (pkt.tcpFlags & 0x02) !== 0;
      const ack = (pkt.tcpFlags & 0x10) !== 0;
      if (syn && !ack) return { clientIsSrc: true, evidence: 'syn' };
      if (syn && ack) return { clientIsSrc: false, evidence: 'syn-ack' };
    }
    if (pkt.proto === 1 || pkt.proto === 58) {
      const role = icmpRole(pkt.proto, pkt.srcPort);
      if (role !== 0) return { clientIsSrc: role === 1, evidence: 'icmp-type' };
      return { clientIsSrc: true, evidence: 'first-packet' };
    }
    const byPort = portHeuristic(pkt.srcPort, pkt.dstPort);
    if (byPort !== 0) return { clientIsSrc: byPort === 1, evidence: 'port-heuristic' };
  }
  return { clientIsSrc: true, evidence: 'first-packet' };
}

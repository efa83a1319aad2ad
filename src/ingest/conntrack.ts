/**
 * Packets → bidirectional connections. The lookup is an open-addressing hash table keyed by the
 * direction-independent 5-tuple (+ VLAN and tunnel context); each slot keeps its key's hash beside
 * the record it points to, so a probe past another key costs no look at that key. Per-packet state
 * lives in typed-array records (conn-records.ts), so the per-packet path allocates nothing and
 * touches no object; a Connection object exists once per connection. Idle connections are flushed
 * as capture time advances, which keeps memory bounded on long captures.
 */
import type { DecodedPacket } from './pcap/decode/packet.js';
import { encapsulationName } from './pcap/decode/encapsulation.js';
import { icmpRequestType, icmpRole, portHeuristic } from './initiator.js';
import type { InitiatorEvidence } from './initiator.js';
import { ConnRecords, KEY_WORDS } from './conn-records.js';
import { Connection } from './connection.js';
import type { TunnelOrigin } from './connection.js';

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

function hashKey(key: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < KEY_WORDS; i++) {
    h = Math.imul(h ^ key[i]!, 0x01000193);
    h ^= h >>> 15;
  }
  return Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
}

export class ConnTracker {
  /**
   * Two words a slot: the record index + 1 (0 when the slot is free), then the key's hash, which
   * probes compare before the key. `mask` is the slot count - 1.
   */
  private slots: Int32Array;
  private mask: number;
  private readonly records = new ConnRecords();
  /** The Connection of each record, undefined when the record is free. */
  private conns: (Connection | undefined)[] = [];
  private activeCount = 0;
  private lastSweepTs = -Infinity;
  private packetsSinceSweep = 0;

  constructor(
    private readonly onFlush: (c: Connection) => void,
    private readonly allocateId: () => number,
    private readonly options: ConnTrackerOptions = DEFAULT_TRACKER_OPTIONS,
  ) {
    const capacity = 1 << 12;
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
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
    const hash = hashKey(scratch);
    const records = this.records;
    const slot = this.findSlot(hash);
    let record = slot >= 0 ? this.slots[slot * 2]! - 1 : -1;
    const isTcp = pkt.proto === 6;
    if (record >= 0 && isTcp && (pkt.tcpFlags & 0x12) === 0x02 && records.closed(record)) {
      // A fresh SYN on a finished tuple is a new connection (port reuse), as Zeek and tshark see it.
      this.flushSlot(slot);
      record = -1;
    }
    if (record < 0) record = this.create(pkt, tsMicros, hash, srcIsLow, outer);
    const fromClient = srcIsLow === records.clientIsLow(record);
    records.count(record, fromClient, tsMicros, ipBytes);
    if (isTcp && pkt.hasPorts) records.tcpSegment(record, fromClient, pkt.tcpFlags, pkt.payloadLen);
    return this.conns[record]!;
  }

  /**
   * Count a packet found by other means (an IP fragment after the first) into `conn`; one that
   * arrives after `conn` was flushed goes into the flushed object, as the row is already written.
   */
  countInto(conn: Connection, fromClient: boolean, tsMicros: number, ipBytes: number): void {
    if (conn.record >= 0) {
      this.records.count(conn.record, fromClient, tsMicros, ipBytes);
    } else if (fromClient) {
      conn.clientPackets++;
      conn.clientBytes += ipBytes;
    } else {
      conn.serverPackets++;
      conn.serverBytes += ipBytes;
    }
  }

  /** The slot holding the key in `scratch` (whose hash is `hash`), or -1. */
  private findSlot(hash: number): number {
    const mask = this.mask;
    const slots = this.slots;
    let i = hash & mask;
    for (;;) {
      const v = slots[i * 2]!;
      if (v === 0) return -1;
      if (slots[i * 2 + 1] === (hash | 0) && this.records.sameKey(v - 1, scratch)) return i;
      i = (i + 1) & mask;
    }
  }

  /** A new connection for the key in `scratch`; returns its record. */
  private create(pkt: DecodedPacket, ts: number, hash: number, srcIsLow: boolean, outer: Connection | null): number {
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
      tunnelOrigin(pkt, outer),
    );
    if (this.activeCount + 1 > (this.mask + 1) >> 1) this.grow();
    const record = this.records.allocate(scratch, hash, clientIsSrc === srcIsLow, ts);
    conn.record = record;
    this.conns[record] = conn;
    this.place(record + 1, hash);
    this.activeCount++;
    return record;
  }

  /** Puts slot value `v` (record + 1) with `hash` into the first free slot from its home. */
  private place(v: number, hash: number): void {
    const mask = this.mask;
    let i = hash & mask;
    while (this.slots[i * 2] !== 0) i = (i + 1) & mask;
    this.slots[i * 2] = v;
    this.slots[i * 2 + 1] = hash;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length / 2 - 1;
    for (let j = 0; j < old.length; j += 2) if (old[j] !== 0) this.place(old[j]!, old[j + 1]!);
  }

  /** Settles and writes out the connection in `slot`, and frees its slot and record. */
  private flushSlot(slot: number): void {
    const record = this.slots[slot * 2]! - 1;
    const conn = this.conns[record]!;
    this.removeSlot(slot);
    this.records.settle(record, conn);
    this.records.release(record);
    this.conns[record] = undefined;
    conn.record = -1;
    this.activeCount--;
    this.onFlush(conn);
  }

  /** Linear-probing delete with backward shift, so lookups never need tombstones. */
  private removeSlot(slot: number): void {
    const mask = this.mask;
    const slots = this.slots;
    let hole = slot;
    let i = (slot + 1) & mask;
    for (;;) {
      const v = slots[i * 2]!;
      if (v === 0) break;
      const home = slots[i * 2 + 1]! & mask;
      // Move the entry back if its home is not in (hole, i] (cyclically).
      const inRange = hole <= i ? home > hole && home <= i : home > hole || home <= i;
      if (!inRange) {
        slots[hole * 2] = v;
        slots[hole * 2 + 1] = slots[i * 2 + 1]!;
        hole = i;
      }
      i = (i + 1) & mask;
    }
    slots[hole * 2] = 0;
  }

  private slotOfRecord(record: number): number {
    let i = this.records.hash(record) & this.mask;
    while (this.slots[i * 2] !== record + 1) i = (i + 1) & this.mask;
    return i;
  }

  private maybeSweep(now: number): void {
    this.packetsSinceSweep = 0;
    const overCap = this.activeCount > this.options.maxActive;
    if (!overCap && now - this.lastSweepTs < 10 * SECOND) return;
    this.lastSweepTs = now;
    const o = this.options;
    const records = this.records;
    for (let record = 0; record < records.highWater; record++) {
      if (this.conns[record] === undefined) continue;
      const idle = now - records.lastTs(record);
      const timeout = records.proto(record) === 6 ? (records.closed(record) ? o.closedTimeoutMicros : o.tcpTimeoutMicros) : o.datagramTimeoutMicros;
      // Over the cap, anything idle for a second goes: memory stays bounded at the cost of splitting slow connections.
      if (idle > timeout || (overCap && idle > SECOND)) this.flushSlot(this.slotOfRecord(record));
    }
  }

  /** Flush every connection still open (end of input), oldest first. */
  flushAll(): void {
    const open = this.conns.filter((c): c is Connection => c !== undefined).sort((a, b) => a.firstTs - b.firstTs);
    for (const c of open) this.flushSlot(this.slotOfRecord(c.record));
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

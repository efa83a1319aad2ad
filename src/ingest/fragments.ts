/**
 * IP fragments after the first carry no ports, so they cannot find their connection by key.
 * They are attributed through their datagram (addresses, protocol, identification, tunnel context)
 * to the connection the first fragment went to; fragments that arrive before the first wait.
 * Each datagram remembers which byte ranges it has seen, so overlapping fragments (an evasion
 * technique, RFC 1858 and RFC 5722) are counted, and it is forgotten once every byte arrived.
 * Fragments are rare, so this path may allocate (a string key per fragment).
 */
import type { DecodedPacket } from './pcap/decode/packet.js';
import type { Connection } from './connection.js';

/** Counts one packet into a connection (the tracker's ConnTracker.countInto). */
export type CountInto = (conn: Connection, fromClient: boolean, tsMicros: number, ipBytes: number) => void;

interface PendingFragment {
  fromSrc: Uint8Array;
  ts: number;
  bytes: number;
  frame: number;
  /** Already counted as a used record through a tunnel layer outside it: never a reject. */
  counted: boolean;
}

interface Datagram {
  conn: Connection | null;
  /** Fragments seen before the first one: attributed when it arrives. */
  pending: PendingFragment[];
  lastTs: number;
  /** Fragment data ranges seen, as [start, end) pairs. */
  ranges: number[];
  /** Data bytes seen, overlaps not counted twice. */
  covered: number;
  /** The datagram's data length, known from its last fragment; -1 until then. */
  totalLen: number;
}

/** Datagrams held at once; past that the stale ones (30 s of capture time), or else the oldest, are given up. */
const MAX_DATAGRAMS = 65_536;
const STALE_MICROS = 30_000_000;
/** Ranges kept per datagram (a 64 KiB datagram in 1500-byte frames has 45); more are counted, not checked. */
const MAX_RANGES = 256;

export interface UnattributedFragment {
  frame: number;
  reason: string;
}

export class FragmentTracker {
  private readonly datagrams = new Map<string, Datagram>();
  private readonly givenUp: UnattributedFragment[] = [];
  /** Fragments that overlapped data already seen in their datagram (an exact duplicate does not count). */
  overlaps = 0;

  constructor(private readonly countInto: CountInto) {}

  /**
   * The first fragment, seen at `ts`, went into `conn`: later (and earlier-arrived) fragments
   * follow it. Returns the waiting fragments attributed now that were not counted as used records yet.
   */
  first(pkt: DecodedPacket, conn: Connection, ts: number, context = 0): number {
    const key = datagramKey(pkt, context);
    let d = this.datagrams.get(key);
    let attributed = 0;
    if (d) {
      for (const p of d.pending) {
        this.countInto(conn, conn.isClientAddress(p.fromSrc, 0), p.ts, p.bytes);
        if (!p.counted) attributed++;
      }
      d.pending = [];
      d.conn = conn;
    } else {
      d = this.add(key, conn, ts);
    }
    this.record(key, d, pkt);
    return attributed;
  }

  /**
   * A fragment after the first. Returns true when it was counted into its connection now, false
   * when it waits for the first fragment. `counted`: the packet is already a used record (a tunnel
   * layer outside it went into a connection), so it is never reported as unattributed.
   */
  later(pkt: DecodedPacket, ts: number, ipBytes: number, frame: number, context = 0, counted = false): boolean {
    const key = datagramKey(pkt, context);
    let d = this.datagrams.get(key);
    if (d?.conn) {
      this.countInto(d.conn, d.conn.isClientAddress(pkt.buf, pkt.srcOff), ts, ipBytes);
      d.lastTs = ts;
      this.record(key, d, pkt);
      return true;
    }
    const len = pkt.ipVersion === 4 ? 4 : 16;
    const entry = { fromSrc: pkt.buf.slice(pkt.srcOff, pkt.srcOff + len), ts, bytes: ipBytes, frame, counted };
    if (d) {
      d.lastTs = ts;
    } else {
      d = this.add(key, null, ts);
    }
    d.pending.push(entry);
    this.record(key, d, pkt);
    return false;
  }

  /** Notes the fragment's byte range: counts an overlap, and forgets the datagram once it is whole and attributed. */
  private record(key: string, d: Datagram, pkt: DecodedPacket): void {
    const start = pkt.fragmentOffset;
    const end = start + pkt.fragmentLen;
    if (!pkt.moreFragments) d.totalLen = end;
    const r = d.ranges;
    let overlapped = false;
    for (let i = 0; i < r.length; i += 2) {
      if (start === r[i] && end === r[i + 1]) return;
      if (start < r[i + 1]! && r[i]! < end) overlapped = true;
    }
    if (overlapped) this.overlaps++;
    else d.covered += end - start;
    if (r.length < MAX_RANGES * 2) r.push(start, end);
    if (d.conn !== null && d.totalLen >= 0 && d.covered >= d.totalLen) this.datagrams.delete(key);
  }

  private add(key: string, conn: Connection | null, ts: number): Datagram {
    if (this.datagrams.size >= MAX_DATAGRAMS) this.makeRoom(ts);
    const d: Datagram = { conn, pending: [], lastTs: ts, ranges: [], covered: 0, totalLen: -1 };
    this.datagrams.set(key, d);
    return d;
  }

  /** Gives up datagrams oldest first (the map keeps insertion order): every stale one, and at least one. */
  private makeRoom(now: number): void {
    let freed = 0;
    for (const [key, d] of this.datagrams) {
      if (freed > 0 && now - d.lastTs < STALE_MICROS) break;
      this.datagrams.delete(key);
      this.giveUp(d);
      freed++;
    }
  }

  private giveUp(d: Datagram): void {
    for (const p of d.pending) if (!p.counted) this.givenUp.push({ frame: p.frame, reason: 'fragment_without_first' });
  }

  /** End of input: every fragment whose first fragment never came. */
  finish(): UnattributedFragment[] {
    for (const d of this.datagrams.values()) this.giveUp(d);
    this.datagrams.clear();
    return this.givenUp.splice(0);
  }
}

function datagramKey(pkt: DecodedPacket, context: number): string {
  const len = pkt.ipVersion === 4 ? 4 : 16;
  const b = pkt.buf;
  let key = `${context}/${pkt.proto}/${pkt.fragmentId}/`;
  for (let i = 0; i < len; i++) key += b[pkt.srcOff + i]!.toString(16) + '.';
  key += '/';
  for (let i = 0; i < len; i++) key += b[pkt.dstOff + i]!.toString(16) + '.';
  return key;
}

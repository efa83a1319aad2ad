/**
 * IP fragments after the first carry no ports, so they cannot find their connection by key.
 * They are attributed through their datagram (addresses, protocol, identification) to the
 * connection the first fragment went to; fragments that arrive before the first wait. Fragments
 * are rare, so this path may allocate (a string key per fragment).
 */
import type { DecodedPacket } from './pcap/decode/packet.js';
import type { Connection } from './conntrack.js';

interface Datagram {
  conn: Connection | null;
  /** Fragments seen before the first one: attributed when it arrives. */
  pending: { fromSrc: Uint8Array; ts: number; bytes: number; frame: number }[];
  lastTs: number;
}

/** Datagrams held at once before stale ones (30 s of capture time) are given up. */
const MAX_DATAGRAMS = 65_536;
const STALE_MICROS = 30_000_000;

export interface UnattributedFragment {
  frame: number;
  reason: string;
}

export class FragmentTracker {
  private readonly datagrams = new Map<string, Datagram>();
  private readonly givenUp: UnattributedFragment[] = [];

  /** The first fragment went into `conn`: later (and earlier-arrived) fragments follow it. Returns packets attributed now. */
  first(pkt: DecodedPacket, conn: Connection): number {
    const key = datagramKey(pkt);
    const d = this.datagrams.get(key);
    let attributed = 0;
    if (d) {
      for (const p of d.pending) {
        conn.count(conn.isClientAddress(p.fromSrc, 0), p.ts, p.bytes);
        attributed++;
      }
      d.pending = [];
      d.conn = conn;
    } else {
      this.datagrams.set(key, { conn, pending: [], lastTs: conn.lastTs });
    }
    return attributed;
  }

  /**
   * A fragment after the first. Returns true when it was counted into its connection now,
   * false when it waits for the first fragment.
   */
  later(pkt: DecodedPacket, ts: number, ipBytes: number, frame: number): boolean {
    const key = datagramKey(pkt);
    const d = this.datagrams.get(key);
    if (d?.conn) {
      d.conn.count(d.conn.isClientAddress(pkt.buf, pkt.srcOff), ts, ipBytes);
      d.lastTs = ts;
      if (!pkt.moreFragments) this.datagrams.delete(key);
      return true;
    }
    const len = pkt.ipVersion === 4 ? 4 : 16;
    const entry = { fromSrc: pkt.buf.slice(pkt.srcOff, pkt.srcOff + len), ts, bytes: ipBytes, frame };
    if (d) {
      d.pending.push(entry);
      d.lastTs = ts;
    } else {
      if (this.datagrams.size >= MAX_DATAGRAMS) this.giveUpStale(ts);
      this.datagrams.set(key, { conn: null, pending: [entry], lastTs: ts });
    }
    return false;
  }

  private giveUpStale(now: number): void {
    for (const [key, d] of this.datagrams) {
      if (now - d.lastTs < STALE_MICROS) continue;
      this.datagrams.delete(key);
      for (const p of d.pending) this.givenUp.push({ frame: p.frame, reason: 'fragment_without_first' });
    }
  }

  /** End of input: every fragment whose first fragment never came. */
  finish(): UnattributedFragment[] {
    for (const d of this.datagrams.values()) {
      for (const p of d.pending) this.givenUp.push({ frame: p.frame, reason: 'fragment_without_first' });
    }
    this.datagrams.clear();
    return this.givenUp.splice(0);
  }
}

function datagramKey(pkt: DecodedPacket): string {
  const len = pkt.ipVersion === 4 ? 4 : 16;
  const b = pkt.buf;
  let key = `${pkt.proto}/${pkt.fragmentId}/`;
  for (let i = 0; i < len; i++) key += b[pkt.srcOff + i]!.toString(16) + '.';
  key += '/';
  for (let i = 0; i < len; i++) key += b[pkt.dstOff + i]!.toString(16) + '.';
  return key;
}

/**
 * Who is who, from the capture itself: DNS answers (UDP and TCP port 53) and the SNI of TLS
 * ClientHellos become `names` rows, deduplicated per input by (evidence, address, name) with first
 * and last sighting and a count. Called with the innermost layer of every packet; the checks that
 * reject ordinary traffic come first and cost a few comparisons.
 */
import type { DecodedPacket } from '../decode/packet.js';
import type { Connection } from '../../connection.js';
import type { NameRow } from '../../../store/input-writer.js';
import { formatIPv4, formatIPv6 } from '../../../net/ip.js';
import { dnsAddressAnswers, isDnsResponse } from './dns.js';
import { isSuspiciousName } from './name-text.js';
import { SegmentJoiner } from './segment-joiner.js';
import { clientHelloSni, startsTlsHandshake } from './tls-sni.js';

const DNS_PORT = 53;
const UDP = 17;
const TCP = 6;
/** DNS over TCP prefixes each message with its 2-byte length. */
const DNS_TCP_PREFIX_LEN = 2;
/**
 * Names held at once. Past that the quarter seen least recently is written out, and a later
 * sighting of one of them starts a new row (`times_seen` adds up across rows). A small table keeps
 * memory flat and lets rows die young, which matters when most answers are new (a resolver's
 * capture); the names that keep coming back stay in it.
 */
const MAX_NAMES = 4096;
/** A held message plus the segment that completes it: a 64 KiB DNS message, or a 16 KiB TLS record, with room. */
const MAX_JOINED_BYTES = 1 << 17;

export class NameCollector {
  private readonly rows = new Map<string, NameRow>();
  private readonly joiner = new SegmentJoiner(MAX_JOINED_BYTES);
  // The packet being observed (set by `observe`, read by the helpers below).
  private pkt: DecodedPacket | null = null;
  private conn: Connection | null = null;
  private ts = 0;
  /** TCP only: the direction (Connection.awaitingSegments bit), its stream key, and the sequence number after the segment. */
  private direction = 0;
  private stream = 0;
  private nextSeq = 0;
  /**
   * Directions marked awaiting and not yet cleared. Only an upper bound (a connection flushed
   * while awaited stays counted), which is all the shortcut in `observe` needs.
   */
  private awaitedDirections = 0;

  constructor(private readonly emit: (row: NameRow) => void) {}

  /** The innermost layer `pkt` of a packet seen at `ts` went into `conn`. */
  observe(pkt: DecodedPacket, conn: Connection, ts: number): void {
    if (!pkt.hasPorts || pkt.payloadLen <= 0) return;
    const off = pkt.payloadOff;
    const wireEnd = off + pkt.payloadLen;
    const end = wireEnd < pkt.end ? wireEnd : pkt.end;
    if (end <= off) return;
    const dnsPort = pkt.srcPort === DNS_PORT || pkt.dstPort === DNS_PORT;
    if (pkt.proto === UDP) {
      if (!dnsPort || !isDnsResponse(pkt.buf, off, end)) return;
      this.start(pkt, conn, ts);
      this.dnsMessage(pkt.buf, off, end);
    } else if (pkt.proto === TCP) {
      // The connection object is only looked at while some direction is awaited at all, or for a name.
      const awaited = this.awaitedDirections > 0 && (conn.awaitingSegments & directionOf(pkt, conn)) !== 0;
      if (!dnsPort && !awaited && !startsTlsHandshake(pkt.buf, off, end)) return;
      this.start(pkt, conn, ts);
      this.direction = directionOf(pkt, conn);
      this.tcpSegment(pkt, off, end, dnsPort, awaited);
    }
  }

  private start(pkt: DecodedPacket, conn: Connection, ts: number): void {
    this.pkt = pkt;
    this.conn = conn;
    this.ts = ts;
  }

  /** Writes every name held. */
  flush(): void {
    this.flushOldest(this.rows.size);
  }

  /** Writes the `count` names seen least recently (the map keeps insertion order). */
  private flushOldest(count: number): void {
    for (const [key, row] of this.rows) {
      if (count-- <= 0) break;
      this.emit(row);
      this.rows.delete(key);
    }
  }

  private tcpSegment(pkt: DecodedPacket, off: number, end: number, dnsPort: boolean, awaited: boolean): void {
    const buf = pkt.buf;
    const t = pkt.transportOff;
    const seq = ((buf[t + 4] << 24) | (buf[t + 5] << 16) | (buf[t + 6] << 8) | buf[t + 7]) >>> 0;
    this.nextSeq = seq + pkt.payloadLen;
    this.stream = this.conn!.id * 65536 + pkt.srcPort;
    let bytes = buf;
    let whole = end - off === pkt.payloadLen;
    if (awaited) {
      const joined = this.joiner.join(this.stream, seq, pkt.payloadLen, buf, off, end);
      if (joined === 'waiting') return;
      this.conn!.awaitingSegments &= ~this.direction;
      this.awaitedDirections--;
      if (joined !== 'not-held') {
        bytes = joined;
        off = 0;
        end = joined.length;
        whole = true;
      }
    }
    if (dnsPort) this.dnsOverTcp(bytes, off, end, whole);
    else this.clientHello(bytes, off, end, whole);
  }

  /** Length-prefixed DNS messages, several per segment; an incomplete last one is held when `whole`. */
  private dnsOverTcp(bytes: Uint8Array, off: number, end: number, whole: boolean): void {
    let at = off;
    while (at < end) {
      const length = end - at < DNS_TCP_PREFIX_LEN ? -1 : (bytes[at] << 8) | bytes[at + 1];
      const messageEnd = at + DNS_TCP_PREFIX_LEN + length;
      if (length < 0 || messageEnd > end) {
        if (whole) this.hold(bytes, at, end, length < 0 ? DNS_TCP_PREFIX_LEN : messageEnd - at);
        return;
      }
      if (isDnsResponse(bytes, at + DNS_TCP_PREFIX_LEN, messageEnd)) this.dnsMessage(bytes, at + DNS_TCP_PREFIX_LEN, messageEnd);
      at = messageEnd;
    }
  }

  /** The SNI of a ClientHello, bound to the address it was sent to; an incomplete one is held when `whole`. */
  private clientHello(bytes: Uint8Array, off: number, end: number, whole: boolean): void {
    const hello = clientHelloSni(bytes, off, end);
    if (hello.status === 'incomplete') {
      if (whole) this.hold(bytes, off, end, hello.needed);
    } else if (hello.status === 'complete' && hello.name !== null && hello.name !== '') {
      const pkt = this.pkt!;
      const server = pkt.ipVersion === 4 ? formatIPv4(pkt.buf, pkt.dstOff) : formatIPv6(pkt.buf, pkt.dstOff);
      this.note(server, hello.name, 'sni', false);
    }
  }

  /** Keeps bytes[off, end), the start of a message of `wanted` bytes, for the next segment of this direction. */
  private hold(bytes: Uint8Array, off: number, end: number, wanted: number): void {
    this.joiner.hold(this.stream, bytes, off, end, wanted, this.nextSeq);
    if ((this.conn!.awaitingSegments & this.direction) === 0) this.awaitedDirections++;
    this.conn!.awaitingSegments |= this.direction;
  }

  private dnsMessage(bytes: Uint8Array, off: number, end: number): void {
    for (const answer of dnsAddressAnswers(bytes, off, end)) this.note(answer.address, answer.name, 'dns', answer.dotInLabel);
  }

  private note(address: string, name: string, evidence: 'dns' | 'sni', dotInLabel: boolean): void {
    const ts = this.ts;
    const key = `${evidence}\u0000${address}\u0000${name}`;
    const row = this.rows.get(key);
    if (row) {
      row.timesSeen++;
      if (ts < row.firstSeenMicros!) row.firstSeenMicros = ts;
      if (ts > row.lastSeenMicros!) row.lastSeenMicros = ts;
      // Most recently seen last: the map's order is what flushOldest goes by.
      this.rows.delete(key);
      this.rows.set(key, row);
      return;
    }
    if (this.rows.size >= MAX_NAMES) this.flushOldest(MAX_NAMES / 4);
    this.rows.set(key, {
      address,
      name,
      evidence,
      firstSeenMicros: ts,
      lastSeenMicros: ts,
      connectionId: this.conn!.id,
      suspicious: isSuspiciousName(name, dotInLabel),
      timesSeen: 1,
    });
  }
}

/** The awaitingSegments bit of the side that sent `pkt`: 1 client, 2 server. */
function directionOf(pkt: DecodedPacket, conn: Connection): number {
  return pkt.srcPort === conn.clientPort ? 1 : 2;
}

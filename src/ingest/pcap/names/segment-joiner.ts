/**
 * A message that did not fit one TCP segment (a ClientHello with post-quantum key shares, a long
 * DNS answer over TCP): its first bytes are held per connection and direction, and the following
 * segments are appended while they arrive in sequence. A retransmission is ignored; a gap, a
 * snaplen-cut segment or a message larger than the cap drops what was held (those names are
 * skipped). Out-of-order segments are not reordered.
 */

interface Held {
  chunks: Uint8Array[];
  length: number;
  /** Bytes needed before the message can be read. */
  wanted: number;
  /** TCP sequence number the next segment must carry. */
  nextSeq: number;
}

/** Streams held at once (each at most `maxBytes`); the oldest is dropped past this. */
const MAX_HELD = 64;

export type JoinResult =
  /** The held bytes and this whole segment, which reach what was wanted: read them (they are no longer held). */
  | Uint8Array
  /** The segment was taken (or was a retransmission): nothing to read yet. */
  | 'waiting'
  /** Nothing is held for this stream (any more): read the segment by itself. */
  | 'not-held';

export class SegmentJoiner {
  private readonly held = new Map<number, Held>();

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.held.size;
  }

  /** Hold buf[off, end), the start of a message of `wanted` bytes; `nextSeq` is the sequence number after the segment. */
  hold(stream: number, buf: Uint8Array, off: number, end: number, wanted: number, nextSeq: number): void {
    if (wanted > this.maxBytes) return;
    if (this.held.size >= MAX_HELD && !this.held.has(stream)) this.held.delete(this.held.keys().next().value!);
    this.held.set(stream, { chunks: [buf.slice(off, end)], length: end - off, wanted, nextSeq: nextSeq >>> 0 });
  }

  /**
   * A segment of `stream` with sequence number `seq`, `wireLen` payload bytes on the wire of which
   * buf[off, end) were captured.
   */
  join(stream: number, seq: number, wireLen: number, buf: Uint8Array, off: number, end: number): JoinResult {
    const h = this.held.get(stream);
    if (h === undefined) return 'not-held';
    const behind = (h.nextSeq - seq) | 0;
    if (behind > 0 && behind >= wireLen) return 'waiting';
    if (behind !== 0 || end - off < wireLen || h.length + wireLen > this.maxBytes) {
      this.held.delete(stream);
      return 'not-held';
    }
    h.chunks.push(buf.slice(off, end));
    h.length += wireLen;
    h.nextSeq = (h.nextSeq + wireLen) >>> 0;
    if (h.length < h.wanted) return 'waiting';
    this.held.delete(stream);
    const joined = new Uint8Array(h.length);
    let at = 0;
    for (const chunk of h.chunks) {
      joined.set(chunk, at);
      at += chunk.length;
    }
    return joined;
  }
}

/**
 * The reader's working buffer: incoming chunks are copied in behind the unparsed remainder; the
 * parser consumes whole records from the front. The remainder (less than one record) moves to the
 * front only when a chunk does not fit behind it, and the buffer grows only when one record is
 * bigger than the whole buffer.
 */
export class ByteWindow {
  buf: Uint8Array;
  /** First unparsed byte. */
  start = 0;
  /** One past the last byte filled. */
  end = 0;
  /** Capture offset of `buf[0]`: bytes dropped from the front so far. */
  private dropped = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  /** Capture offset of the first unparsed byte. */
  get startOffset(): number {
    return this.dropped + this.start;
  }

  /**
   * Copies as much of `chunk[from, ...)` as fits and returns how many bytes it copied (at least
   * one when any are left), making room first by moving the remainder to the front, or by doubling
   * the buffer when the remainder fills it.
   */
  fill(chunk: Uint8Array, from: number): number {
    const wanted = chunk.length - from;
    if (this.buf.length - this.end < wanted && this.start > 0) this.compact();
    if (this.end === this.buf.length) this.grow();
    const count = Math.min(wanted, this.buf.length - this.end);
    this.buf.set(count === chunk.length ? chunk : chunk.subarray(from, from + count), this.end);
    this.end += count;
    return count;
  }

  private compact(): void {
    this.buf.copyWithin(0, this.start, this.end);
    this.dropped += this.start;
    this.end -= this.start;
    this.start = 0;
  }

  private grow(): void {
    const bigger = new Uint8Array(this.buf.length * 2);
    bigger.set(this.buf.subarray(this.start, this.end));
    this.dropped += this.start;
    this.end -= this.start;
    this.start = 0;
    this.buf = bigger;
  }
}

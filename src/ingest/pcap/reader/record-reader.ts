/**
 * Turns the (decompressed) byte stream of one capture into packet records: copies chunks into the
 * working window, detects pcap or pcapng from the first bytes, and lets that parser consume every
 * complete record.
 */
import { InputFormatError } from '../../../errors.js';
import { ByteWindow } from './byte-window.js';
import { SNIFF_BYTES, sniffCapture } from './detect.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import { HINT_NOT_A_CAPTURE, type RecordParser } from './record-parser.js';
import { CaptureTally } from './tally.js';
import type { PacketSink } from './types.js';

export class CaptureRecordReader {
  readonly tally: CaptureTally;
  format: 'pcap' | 'pcapng' | null = null;
  /** Bytes pushed so far. */
  bytes = 0;
  private parser: RecordParser | null = null;
  private readonly window: ByteWindow;

  /** `name` is how errors locate the input; `windowBytes` the working buffer's initial size. */
  constructor(
    private readonly name: string,
    sink: PacketSink,
    windowBytes: number,
  ) {
    this.tally = new CaptureTally(sink);
    this.window = new ByteWindow(windowBytes);
  }

  /** True once the parser gave up on corrupt data: later chunks are only counted. */
  get stopped(): boolean {
    return this.parser !== null && this.parser.stopped;
  }

  /** Parses every record `chunk` completes. The chunk is copied; the caller may reuse it. */
  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    const window = this.window;
    let from = 0;
    while (from < chunk.length) {
      if (this.stopped) return;
      from += window.fill(chunk, from);
      let parser = this.parser;
      if (parser === null) {
        if (window.end - window.start < SNIFF_BYTES) continue;
        parser = this.openParser();
      }
      window.start = parser.parse(window.buf, window.start, window.end, window.startOffset);
    }
  }

  /**
   * The stream is over. `cause` says why it ended early (e.g. corrupt gzip), null when it simply
   * ended. Reports a cut record; throws InputFormatError when no capture header could be read.
   */
  end(cause: string | null): void {
    const window = this.window;
    if (this.parser === null) {
      const reason = cause ?? (this.bytes === 0 ? 'file is empty' : `file is only ${this.bytes} bytes long, too short for any capture header`);
      throw new InputFormatError(this.name, this.bytes, reason, HINT_NOT_A_CAPTURE);
    }
    if (!this.parser.stopped) this.parser.finish(window.buf, window.start, window.end, window.startOffset, cause);
  }

  private openParser(): RecordParser {
    const window = this.window;
    const head = window.buf.subarray(window.start, window.start + SNIFF_BYTES);
    const format = sniffCapture(head);
    if (format === 'pcap') {
      this.parser = new PcapParser(this.name, this.tally);
    } else if (format === 'pcapng') {
      this.parser = new PcapngParser(this.name, this.tally);
    } else {
      const hex = Array.from(head, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
      const reason = format === 'gzip'
        ? 'the decompressed data is gzip-compressed again'
        : `unknown capture format: first bytes are ${hex}, which is neither a pcap nor a pcapng magic`;
      throw new InputFormatError(this.name, 0, reason, HINT_NOT_A_CAPTURE);
    }
    this.format = format;
    return this.parser;
  }
}

/**
 * The contract between the streaming driver (which owns the working buffer) and a format parser
 * (which owns the file's framing). A parser never keeps a reference to `buf` between calls.
 */
export interface RecordParser {
  /**
   * Parses every complete record in `buf[start, end)`, where `buf[start]` is byte `fileOffset` of
   * the (decompressed) capture, and returns the index just past the last record consumed.
   * Throws InputFormatError when the file's header cannot be read.
   */
  parse(buf: Uint8Array, start: number, end: number, fileOffset: number): number;
  /**
   * The capture ended with `buf[start, end)` unparsed. Reports a `truncated_file` problem when a
   * record was cut (or `cause` says the stream ended early), or throws InputFormatError when not
   * even the file header is complete.
   */
  finish(buf: Uint8Array, start: number, end: number, fileOffset: number, cause: string | null): void;
  /** Set once the parser met corruption it cannot resynchronise after; later input is ignored. */
  readonly stopped: boolean;
}

/** Hint for a file that is cut inside its header or is no capture at all. */
export const HINT_NOT_A_CAPTURE =
  'is this a pcap or pcapng capture? flowaudit detects the format by its first bytes';
/** Hint for a header that names a variant flowaudit (and Wireshark) cannot read. */
export const HINT_RESAVE =
  'the capture header is corrupt or of an unsupported variant; try re-saving it with `editcap -F pcapng IN OUT`';

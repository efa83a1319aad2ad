/**
 * What the capture reader hands to the rest of the pipeline. The reader knows nothing of
 * decoders or the database: it turns bytes into packet records and reports what it could not read.
 */

/** Receives packet records in file order. Called synchronously from the read loop. */
export interface PacketSink {
  /**
   * One packet record. `buf[off, off + caplen)` are the captured bytes (FCS already removed when
   * the file says frames carry one); the view is only valid during the call — copy what you keep.
   * `tsMicros` is microseconds since the Unix epoch (fractional when the file has finer resolution).
   * `interfaceIndex` is the interface's position in `CaptureSummary.linktypes`: capture-wide, so it
   * keeps counting where pcapng interface ids restart at 0 in each section; always 0 for classic pcap.
   */
  packet(buf: Uint8Array, off: number, caplen: number, origlen: number, tsMicros: number, linktype: number, interfaceIndex: number): void;
  /** Something in the file could not be read but the file goes on, or the tail is missing. */
  problem(problem: CaptureProblem): void;
}

/**
 * A part of the file that is not packets the pipeline can use.
 * - `truncated_file`: the file ends in the middle of a record; everything before it was delivered.
 * - `bad_record`: one record is malformed (e.g. an EPB naming an interface that was never described);
 *   it is skipped and counted as a rejected record.
 */
export interface CaptureProblem {
  kind: 'truncated_file' | 'bad_record';
  byteOffset: number;
  reason: string;
  /** Timestamp of the last good packet before the problem, microseconds (null when none). */
  lastTsMicros: number | null;
}

/** What the reader learnt about the file, returned when it is done. */
export interface CaptureSummary {
  /** `pcap` (classic, any of the four magics) or `pcapng`. */
  format: 'pcap' | 'pcapng';
  /** The file was gzip-compressed (detected by magic bytes). */
  gzip: boolean;
  /** Packet records delivered to `PacketSink.packet`. */
  packets: number;
  /** Records skipped with a `bad_record` problem. */
  badRecords: number;
  /** Bytes of the (decompressed) capture consumed. */
  bytes: number;
  /** SHA-256 of the file exactly as stored (compressed bytes when gzipped), hex. */
  sha256: string;
  /** Link type of each interface in file order (one for classic pcap). */
  linktypes: number[];
  /** Number of pcapng sections (1 for classic pcap). */
  sections: number;
  /** First and last packet timestamps, microseconds; null when there are no packets. */
  firstTsMicros: number | null;
  lastTsMicros: number | null;
}

import type { CaptureProblem, PacketSink } from './types.js';

/**
 * What the record parsers have delivered so far, shared by the classic pcap and pcapng parsers.
 * The parsers keep their hot counters in locals during a parse call and write them back here
 * before reporting a problem or returning.
 */
export class CaptureTally {
  packets = 0;
  badRecords = 0;
  firstTsMicros: number | null = null;
  lastTsMicros: number | null = null;
  /** Link type of every interface in file order, across sections. */
  readonly linktypes: number[] = [];
  sections = 0;

  constructor(readonly sink: PacketSink) {}

  /** Reports a record that is skipped while the file goes on. */
  badRecord(byteOffset: number, reason: string): void {
    this.badRecords++;
    this.report('bad_record', byteOffset, reason);
  }

  /** Reports that nothing from `byteOffset` on can be read. */
  truncated(byteOffset: number, reason: string): void {
    this.report('truncated_file', byteOffset, reason);
  }

  private report(kind: CaptureProblem['kind'], byteOffset: number, reason: string): void {
    this.sink.problem({ kind, byteOffset, reason, lastTsMicros: this.lastTsMicros });
  }
}

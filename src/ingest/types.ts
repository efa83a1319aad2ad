/**
 * The contract between the CLI and every input format. The CLI walks paths, reads the first
 * bytes of each file (decompressed when gzipped) and asks each registered ingester whether the
 * content is its format — never the extension alone.
 */
import type { Store } from '../store/store.js';

/** The input formats flowaudit reads; a new one must be added to the ingester registry. */
export type InputKind = 'pcap' | 'vpc' | 'calico';

export interface IngestOptions {
  /** VPC flow logs without a header line (CloudWatch, custom formats): `${version} ${vpc-id} ...`. */
  logFormat?: string;
  /** Extra UDP ports to decode as VXLAN (4789 and 8472 always are). */
  vxlanPorts?: number[];
  /** Called with human progress (stderr on a terminal); never required. */
  progress?: (done: number, total: number | null) => void;
}

/** What the CLI prints for one input (one summary line) and what tests assert on. */
export interface InputReport {
  path: string;
  /** Detected kind, more precise than InputKind where useful (pcap, pcapng, vpc, vpc-parquet, calico, hubble, ...). */
  kind: string;
  recordsRead: number;
  recordsUsed: number;
  recordsRejected: number;
  connections: number;
  anomalies: number;
  gaps: number;
  /** Set when the same bytes were already ingested: nothing was written. */
  duplicateOf: { id: number; path: string } | null;
  /** One-line warnings for the user (e.g. a capture cut short). */
  warnings: string[];
}

export interface Ingester {
  kind: InputKind;
  /**
   * Whether `head` — the first bytes of the input, already decompressed when gzipped (up to 64 KiB) —
   * is this format. `headText` is the same bytes decoded as UTF-8 (replacement characters for binary).
   * `options` matter to formats with no self-description (a header-less flow log and --log-format).
   */
  sniff(head: Uint8Array, headText: string, options?: IngestOptions): boolean;
  /** Read one file ('-' for stdin) into the store, in one transaction. Throws FlowauditError for a bad header. */
  ingest(store: Store, path: string, options: IngestOptions): Promise<InputReport>;
}

/** What reading one input of one shape found, before the sources row is written. */
import type { FlowShape } from './shape.js';

export interface ShapeOutcome {
  /** `sources.kind`: the shape read. */
  kind: FlowShape;
  formatDetail: string;
  sha256: string;
  recordsRead: number;
  recordsRejected: number;
  /** Records that are not flows (Hubble agent or node events): used, but in no connection. */
  nonIpRecords: number;
  firstSeenMicros: number | null;
  lastSeenMicros: number | null;
  gaps: number;
  warnings: string[];
}

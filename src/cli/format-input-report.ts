/** The one summary line `flowaudit ingest` prints per input. */
import type { InputReport } from '../ingest/types.js';

const n = (v: number): string => v.toLocaleString('en-US');

export function formatInputReport(r: InputReport): string {
  if (r.duplicateOf) {
    return `${r.path}: already ingested as source ${r.duplicateOf.id} (${r.duplicateOf.path}); nothing written`;
  }
  const records = r.kind.startsWith('pcap') ? 'packets' : 'records';
  return (
    `${r.path}: ${r.kind}, ${n(r.recordsRead)} ${records} (${n(r.recordsUsed)} used, ${n(r.recordsRejected)} rejected), ` +
    `${n(r.connections)} connections, ${n(r.anomalies)} anomalies, ${n(r.gaps)} gaps`
  );
}

/**
 * Kubernetes flow logs: Calico Enterprise / Calico Cloud flows.log, Calico Open Source Goldmane and
 * Whisker exports, and Cilium Hubble exports — with each side's Kubernetes identity (namespace,
 * pod or workload name, labels, endpoint type) in connections. The shape is told by the JSON
 * itself (shape.ts); `sources.kind` records which it was.
 */
import { InputFormatError } from '../../errors.js';
import type { InputWriter } from '../../store/input-writer.js';
import type { Store } from '../../store/store.js';
import { readHead } from '../inputs.js';
import type { Ingester, IngestOptions, InputReport } from '../types.js';
import { releaseFlowLog, stageFlowLog, writeFlowLog } from './flowlog.js';
import { readGoldmane } from './goldmane.js';
import { readHubble } from './hubble.js';
import { openFlowInput } from './input.js';
import type { FlowInput } from './input.js';
import type { ShapeOutcome } from './outcome.js';
import { detectShape } from './shape.js';
import type { FlowShape } from './shape.js';

export const calicoIngester: Ingester = {
  kind: 'calico',
  sniff: (_head, headText) => detectShape(headText) !== null,
  ingest: ingestFlowLog,
};

async function ingestFlowLog(store: Store, path: string, options: IngestOptions): Promise<InputReport> {
  const input = await openFlowInput(path);
  let staging = false;
  try {
    const head = await readHead(input.filePath);
    const shape = detectShape(Buffer.from(head.buffer, head.byteOffset, head.length).toString('utf8'));
    if (shape === null) {
      throw new InputFormatError(path, 0, 'not a Calico, Goldmane, Whisker or Hubble flow log (no record with their fields)',
        'give a Calico flows.log, a Goldmane or Whisker JSON export, or a Hubble JSON export');
    }
    // A flows.log is staged before its transaction begins (flowlog.ts says why); the other shapes are read in it.
    let read: (writer: InputWriter) => Promise<ShapeOutcome>;
    if (shape === 'calico') {
      staging = true;
      const staged = await stageFlowLog(store.conn, input, options);
      read = (writer) => writeFlowLog(writer, input, staged);
    } else {
      read = (writer) => readShape(shape, writer, input, options);
    }
    const writer = await store.beginInput({ path, kind: shape });
    try {
      const outcome = await read(writer);
      const recordsUsed = outcome.recordsRead - outcome.recordsRejected;
      const result = await writer.finish({
        kind: outcome.kind,
        formatDetail: outcome.formatDetail,
        sizeBytes: input.sizeBytes,
        sha256: outcome.sha256,
        recordsRead: outcome.recordsRead,
        recordsUsed,
        recordsRejected: outcome.recordsRejected,
        nonIpRecords: outcome.nonIpRecords,
        firstSeenMicros: outcome.firstSeenMicros,
        lastSeenMicros: outcome.lastSeenMicros,
      });
      return {
        path,
        kind: outcome.kind,
        recordsRead: outcome.recordsRead,
        recordsUsed,
        recordsRejected: outcome.recordsRejected,
        connections: result.committed ? result.connections : 0,
        anomalies: 0,
        gaps: outcome.gaps,
        duplicateOf: result.committed ? null : result.duplicateOf,
        warnings: outcome.warnings,
      };
    } catch (err) {
      await writer.abort();
      throw err;
    }
  } finally {
    if (staging) await releaseFlowLog(store.conn);
    await input.cleanup();
  }
}

/** The shapes read inside their transaction (a flows.log is staged before it). */
function readShape(shape: Exclude<FlowShape, 'calico'>, writer: InputWriter, input: FlowInput, options: IngestOptions): Promise<ShapeOutcome> {
  switch (shape) {
    case 'goldmane':
    case 'whisker':
      return readGoldmane(writer, input, shape, options);
    case 'hubble':
      return readHubble(writer, input, options);
  }
}

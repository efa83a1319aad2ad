/**
 * One flow-log input in one transaction: begin, read and pair, commit (or roll back a duplicate),
 * and the InputReport. Temporary tables go whatever happens.
 */
import type { InputReport } from '../types.js';
import type { Store } from '../../store/store.js';
import type { InputWriter, SourceMeta } from '../../store/input-writer.js';
import { FlowauditError, InputFormatError } from '../../errors.js';
import { dropTempTables } from './pipeline.js';
import type { PairingResult } from './pipeline.js';

export interface ReadOutcome {
  /** vpc, vpc-parquet or vpc-cloudwatch. */
  kind: string;
  formatDetail: string;
  pairing: PairingResult;
  warnings: string[];
}

export interface Fingerprint {
  sha256: string;
  sizeBytes: number | null;
}

export async function ingestInTransaction(
  store: Store,
  meta: SourceMeta,
  read: (writer: InputWriter) => Promise<ReadOutcome>,
  fingerprint: () => Promise<Fingerprint>,
): Promise<InputReport> {
  const writer = await store.beginInput(meta);
  try {
    const outcome = await read(writer);
    const { sha256, sizeBytes } = await fingerprint();
    const p = outcome.pairing;
    const finished = await writer.finish({
      kind: outcome.kind,
      formatDetail: outcome.formatDetail,
      sizeBytes,
      sha256,
      recordsRead: p.recordsUsed + p.recordsRejected,
      recordsUsed: p.recordsUsed,
      recordsRejected: p.recordsRejected,
      nonIpRecords: 0,
      firstSeenMicros: p.firstSeenMicros,
      lastSeenMicros: p.lastSeenMicros,
    });
    const committed = finished.committed;
    return {
      path: meta.path,
      kind: outcome.kind,
      recordsRead: p.recordsUsed + p.recordsRejected,
      recordsUsed: p.recordsUsed,
      recordsRejected: p.recordsRejected,
      connections: committed ? finished.connections : 0,
      anomalies: 0,
      gaps: committed ? p.gaps : 0,
      duplicateOf: committed ? null : finished.duplicateOf,
      warnings: outcome.warnings,
    };
  } catch (err) {
    await writer.abort();
    throw asInputError(err, meta.path);
  } finally {
    await dropTempTables(store.conn);
  }
}

/** DuckDB's reader errors about the file itself (damaged gzip, unreadable bytes) are input errors, reported in one line. */
function asInputError(err: unknown, path: string): unknown {
  if (err instanceof FlowauditError || !(err instanceof Error)) return err;
  if (!/^(IO Error|Invalid Input Error|Conversion Error)/.test(err.message)) return err;
  return new InputFormatError(path, 0, `cannot be read: ${err.message.split('\n')[0]!}`, 'check that the file is a complete flow-log download');
}

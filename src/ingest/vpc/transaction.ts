/**
 * One flow-log input: stage and pair it in temporary tables, then write it in one transaction —
 * commit, or roll back a duplicate — and the InputReport. Temporary tables go whatever happens.
 *
 * Staging runs before the transaction begins, statement by statement: DuckDB scans a table made
 * inside the running transaction (transaction-local storage) at about half the speed of a
 * committed one, which made the final INSERT into connections take twice as long (12.5 s against
 * 6.7 s for 4.4 M connections). Temporary tables live only in this connection and nothing
 * persistent is written before BEGIN, so an interrupted ingest still leaves no half input behind.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { InputReport } from '../types.js';
import type { Store } from '../../store/store.js';
import type { SourceMeta } from '../../store/input-writer.js';
import { FlowauditError, InputFormatError } from '../../errors.js';
import type { FieldList } from './fields.js';
import { dropTempTables, pairObserved, writePairs } from './pipeline.js';
import type { LocationUnit } from './rejects.js';

/** What staging left in vpc_observed, vpc_addr and vpc_rejected, and how to report it. */
export interface StagedInput {
  /** vpc, vpc-parquet or vpc-cloudwatch. */
  kind: string;
  formatDetail: string;
  fields: FieldList;
  unit: LocationUnit;
  warnings: string[];
}

export interface Fingerprint {
  sha256: string;
  sizeBytes: number | null;
}

export async function ingestInTransaction(
  store: Store,
  meta: SourceMeta,
  stage: (conn: DuckDBConnection) => Promise<StagedInput>,
  fingerprint: () => Promise<Fingerprint>,
): Promise<InputReport> {
  try {
    const staged = await stage(store.conn);
    const paired = await pairObserved(store.conn, staged.fields);
    const { sha256, sizeBytes } = await fingerprint();
    const writer = await store.beginInput(meta);
    try {
      const written = await writePairs(writer.sql, writer, staged.fields, staged.unit, paired.pairs);
      const recordsRead = paired.recordsUsed + written.recordsRejected;
      const finished = await writer.finish({
        kind: staged.kind,
        formatDetail: staged.formatDetail,
        sizeBytes,
        sha256,
        recordsRead,
        recordsUsed: paired.recordsUsed,
        recordsRejected: written.recordsRejected,
        nonIpRecords: 0,
        firstSeenMicros: paired.firstSeenMicros,
        lastSeenMicros: paired.lastSeenMicros,
      });
      const committed = finished.committed;
      return {
        path: meta.path,
        kind: staged.kind,
        recordsRead,
        recordsUsed: paired.recordsUsed,
        recordsRejected: written.recordsRejected,
        connections: committed ? finished.connections : 0,
        anomalies: 0,
        gaps: committed ? paired.gaps : 0,
        duplicateOf: committed ? null : finished.duplicateOf,
        warnings: staged.warnings,
      };
    } catch (err) {
      await writer.abort();
      throw err;
    }
  } catch (err) {
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

/**
 * The steps every flow-log source shares, on the transaction's connection:
 *
 *   vpc_rows (typed records with their line)  --classify-->  vpc_rejected | vpc_observed
 *   vpc_observed  --pair-->  connections, gaps, names;  vpc_rejected --> rejects
 *
 * Text files usually skip vpc_rows: DuckDB's CSV reader feeds vpc_observed directly (text-file.ts)
 * and only the lines it could not read come here.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { InputWriter } from '../../store/input-writer.js';
import type { FieldList } from './fields.js';
import { buildAddressMap } from './address-map.js';
import { createPairsSql, insertConnectionsSql, insertGapsSql, insertNamesSql, observedSql } from './pairing.js';
import { normalizedSql } from './records.js';
import type { RecordSource } from './records.js';
import { createRejectedTable, writeRejects } from './rejects.js';
import type { LocationUnit } from './rejects.js';
import { TEMP_TABLES, ident } from './sql.js';

/** A query over every address text of `table` (a table with the catalogue columns). */
export function addressTextsSql(fields: FieldList, table: string): string {
  const columns = ['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr'].filter((f) => fields.has(f));
  return columns.map((c) => `SELECT ${ident(c)} FROM ${table}`).join(' UNION ALL ');
}

/** vpc_rows normalised, with the reason each record cannot be used (NULL when it can); needs vpc_addr. */
function classifiedSql(fields: FieldList, source: RecordSource): string {
  return `
    SELECT n.*, coalesce(n.parse_problem, n.problem,
      CASE WHEN n.kind = 0 AND s.canonical IS NULL THEN 'bad_srcaddr' WHEN n.kind = 0 AND d.canonical IS NULL THEN 'bad_dstaddr' END) AS reason
    FROM (${normalizedSql(fields, 'vpc_rows', source)}) n
    LEFT JOIN vpc_addr s ON s.addr = n.src
    LEFT JOIN vpc_addr d ON d.addr = n.dst`;
}

/**
 * Split vpc_rows into vpc_rejected and vpc_observed (created, or appended to when the fast
 * reader already filled it). vpc_addr must already hold every address of vpc_rows.
 */
export async function classifyRows(conn: DuckDBConnection, fields: FieldList, source: RecordSource, append: boolean): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE vpc_classified AS ${classifiedSql(fields, source)}`);
  await conn.run('INSERT INTO vpc_rejected SELECT line, reason, text FROM vpc_classified WHERE reason IS NOT NULL');
  const observed = observedSql(fields, 'SELECT * FROM vpc_classified WHERE reason IS NULL');
  await conn.run(append ? `INSERT INTO vpc_observed ${observed}` : `CREATE OR REPLACE TEMP TABLE vpc_observed AS ${observed}`);
  await conn.run('DROP TABLE vpc_classified');
}

/** The whole exact path, from vpc_rows. */
export async function observeRows(conn: DuckDBConnection, fields: FieldList, source: RecordSource): Promise<void> {
  await createRejectedTable(conn);
  await buildAddressMap(conn, addressTextsSql(fields, 'vpc_rows'));
  await classifyRows(conn, fields, source, false);
}

/** What pairing made of vpc_observed (in `vpc_pairs`), before anything is written. */
export interface PairedRecords {
  recordsUsed: number;
  /** NODATA / SKIPDATA windows. */
  gaps: number;
  /** Rows of vpc_pairs: the connections to write. */
  pairs: number;
  firstSeenMicros: number | null;
  lastSeenMicros: number | null;
}

/** What writePairs wrote beyond what pairing counted. */
export interface WrittenPairs {
  recordsRejected: number;
  connections: number;
}

/** Pair vpc_observed into the `vpc_pairs` table (vpc_addr must cover vpc_observed). */
export async function pairObserved(conn: DuckDBConnection, fields: FieldList): Promise<PairedRecords> {
  const stats = (
    await conn.runAndReadAll(`SELECT coalesce(sum(records), 0)::BIGINT, count(*) FILTER (kind <> 0)::BIGINT,
      min(t_first)::BIGINT, max(t_last)::BIGINT FROM vpc_observed`)
  ).getRows()[0]!;
  const [recordsUsed, gaps, first, last] = stats.map((v) => (v === null ? null : Number(v)));
  await conn.run(createPairsSql(fields));
  const pairs = Number((await conn.runAndReadAll('SELECT count(*)::BIGINT FROM vpc_pairs')).getRows()[0]![0]);
  return {
    recordsUsed: recordsUsed!,
    gaps: gaps!,
    pairs,
    firstSeenMicros: first === null ? null : first * 1e6,
    lastSeenMicros: last === null ? null : last * 1e6,
  };
}

/** Write vpc_pairs as connections, and the gaps, names and rejects, in the writer's transaction. */
export async function writePairs(conn: DuckDBConnection, writer: InputWriter, fields: FieldList, unit: LocationUnit, pairs: number): Promise<WrittenPairs> {
  const inserted = await conn.run(insertConnectionsSql(writer.sourceId, writer.allocateConnectionIds(pairs)));
  writer.addSqlConnections(inserted.rowsChanged);
  await conn.run(insertGapsSql(writer.sourceId));
  const names = insertNamesSql(fields, writer.sourceId);
  if (names !== null) await conn.run(names);
  return { recordsRejected: await writeRejects(conn, writer.sourceId, unit), connections: inserted.rowsChanged };
}

/** Drop this ingester's temporary tables (they live as long as the connection otherwise). */
export async function dropTempTables(conn: DuckDBConnection): Promise<void> {
  for (const table of TEMP_TABLES) await conn.run(`DROP TABLE IF EXISTS temp.main.${table}`);
}

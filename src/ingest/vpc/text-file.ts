/**
 * Text flow logs (plain or gzipped) through DuckDB's own CSV reader, typed by the field catalogue,
 * straight into the per-interface groups of pairing step 1: no staging table of records.
 *
 * The reader keeps what it cannot parse (with line numbers) in a rejects table. Those lines are
 * split again on runs of whitespace, which the reader's single-space delimiter does not allow, and
 * whatever is still wrong becomes a reject with its line number. The reader cannot say where a
 * record it did parse sits in the file, so if one of those is unusable (an address that is not
 * one, a bad action) the file is read again line by line here: slower, exact.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { fieldSpec, sqlType } from './fields.js';
import type { FieldList } from './fields.js';
import { buildAddressMap } from './address-map.js';
import { createLinesTable, loadFileLines } from './lines.js';
import { addressTextsSql, classifyRows, observeRows } from './pipeline.js';
import { observedSql } from './pairing.js';
import { BIT, normalizedSql, splitLinesSql } from './records.js';
import { createRejectedTable } from './rejects.js';
import { literal } from './sql.js';

export interface TextFile {
  /** The file DuckDB reads (a spooled copy for stdin). */
  path: string;
  gzip: boolean;
  fields: FieldList;
  header: boolean;
}

/** How the file was read, for the report. */
export type TextReadMode = 'csv-reader' | 'line-by-line';

/** CSV reader error types that splitting on whitespace may repair. */
const REPAIRABLE = ['CAST', 'MISSING COLUMNS', 'TOO MANY COLUMNS'];

function readCsvSql(file: TextFile): string {
  const columns = file.fields.names.map((n) => `${literal(n)}: ${literal(sqlType(fieldSpec(n).type))}`).join(', ');
  return `read_csv(${literal(file.path)}, columns = {${columns}}, header = ${file.header}, delim = ' ', quote = '', escape = '',
    nullstr = '-', auto_detect = false, compression = '${file.gzip ? 'gzip' : 'none'}',
    store_rejects = true, rejects_table = 'vpc_reject_errors', rejects_scan = 'vpc_reject_scans')`;
}

/** Fill vpc_observed, vpc_addr and vpc_rejected from a text flow log. */
export async function observeTextFile(conn: DuckDBConnection, file: TextFile): Promise<TextReadMode> {
  await createRejectedTable(conn);
  const fast = normalizedSql(file.fields, readCsvSql(file), { lines: false, events: false });
  await conn.run(`CREATE OR REPLACE TEMP TABLE vpc_observed AS ${observedSql(file.fields, fast)}`);
  if (!(await hasUnusableRecords(conn)) && (await repairRejectedLines(conn, file))) return 'csv-reader';
  await readLineByLine(conn, file);
  return 'line-by-line';
}

async function hasUnusableRecords(conn: DuckDBConnection): Promise<boolean> {
  const reader = await conn.runAndReadAll(`SELECT count(*) FROM vpc_observed WHERE bits & ${BIT.problem} <> 0`);
  return Number(reader.getRows()[0]![0]) > 0;
}

/**
 * Split the reader's rejected lines again; the others become rejects. Returns false when a record
 * the reader parsed has an address that is not one (the file must then be read line by line).
 */
async function repairRejectedLines(conn: DuckDBConnection, file: TextFile): Promise<boolean> {
  await createLinesTable(conn);
  const errorsByLine = `SELECT line, any_value(ltrim(csv_line, chr(10) || chr(13))) AS text,
      bool_and(error_type IN (${REPAIRABLE.map(literal).join(', ')})) AS repairable,
      min(error_type) FILTER (error_type NOT IN (${REPAIRABLE.map(literal).join(', ')})) AS fatal
    FROM vpc_reject_errors GROUP BY line`;
  await conn.run(`INSERT INTO vpc_lines SELECT line, text, NULL, NULL FROM (${errorsByLine}) WHERE repairable`);
  await conn.run(`INSERT INTO vpc_rejected
    SELECT line, CASE fatal WHEN 'INVALID UNICODE' THEN 'invalid_utf8' WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line_too_long'
      ELSE lower(replace(fatal, ' ', '_')) END, text
    FROM (${errorsByLine}) WHERE NOT repairable`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE vpc_rows AS ${splitLinesSql(file.fields)}`);
  const observedAddresses = 'SELECT a_ip FROM vpc_observed UNION ALL SELECT b_ip FROM vpc_observed';
  const invalid = await buildAddressMap(conn, `${observedAddresses} UNION ALL ${addressTextsSql(file.fields, 'vpc_rows')}`);
  if (invalid > 0) {
    const bad = await conn.runAndReadAll(`SELECT count(*) FROM vpc_observed
      WHERE a_ip IN (SELECT addr FROM vpc_addr WHERE canonical IS NULL) OR b_ip IN (SELECT addr FROM vpc_addr WHERE canonical IS NULL)`);
    if (Number(bad.getRows()[0]![0]) > 0) return false;
  }
  await classifyRows(conn, file.fields, { lines: true, events: false }, true);
  return true;
}

async function readLineByLine(conn: DuckDBConnection, file: TextFile): Promise<void> {
  await loadFileLines(conn, file.path, file.gzip);
  await conn.run(`CREATE OR REPLACE TEMP TABLE vpc_rows AS ${splitLinesSql(file.fields)}`);
  await observeRows(conn, file.fields, { lines: true, events: false });
}

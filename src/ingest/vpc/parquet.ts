/**
 * Flow logs delivered as Parquet: DuckDB's Parquet reader, with column names mapped to the field
 * catalogue (Parquet columns use '_' where the text format uses '-') and every value cast to the
 * catalogue type, so a Parquet file is checked exactly like a text one, row by row.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputFormatError } from '../../errors.js';
import { FIELD_CATALOGUE, FieldList, fieldSpec, sqlType } from './fields.js';
import { ident, literal } from './sql.js';

/** The flow-log fields of a Parquet file, by its column names. */
export async function parquetFields(conn: DuckDBConnection, path: string): Promise<{ fields: FieldList; columns: string[] }> {
  let columns: string[];
  try {
    const reader = await conn.runAndReadAll(`SELECT name FROM parquet_schema(${literal(path)}) WHERE num_children IS NULL OR num_children = 0`);
    columns = reader.getRows().map((r) => String(r[0]));
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    throw new InputFormatError(path, 0, `not a readable Parquet file (${why})`, 'check that the download is complete');
  }
  const names = columns.map(fieldName);
  const known = names.filter((n) => FIELD_CATALOGUE.has(n)).length;
  if (known < 3 || known * 2 < names.length || new Set(names).size !== names.length) {
    throw new InputFormatError(path, 0, 'Parquet file without flow-log columns (srcaddr, dstaddr, ...)', 'give a VPC flow log delivered as Parquet');
  }
  return { fields: new FieldList(names), columns };
}

function fieldName(column: string): string {
  const lower = column.toLowerCase();
  return FIELD_CATALOGUE.has(lower) ? lower : lower.replace(/_/g, '-');
}

/** Fill vpc_rows (line = row number from 1) from the Parquet file. */
export async function loadParquetRows(conn: DuckDBConnection, path: string, fields: FieldList, columns: string[]): Promise<void> {
  const raw = columns.map((c, i) => `CASE WHEN ${ident(c)}::VARCHAR = '-' THEN NULL ELSE ${ident(c)} END AS f${i + 1}`);
  const typed = fields.names.map((n, i) => `TRY_CAST(f${i + 1} AS ${sqlType(fieldSpec(n).type)}) AS ${ident(n)}`);
  const checks = fields.names.map(
    (n, i) => `WHEN f${i + 1} IS NOT NULL AND TRY_CAST(f${i + 1} AS ${sqlType(fieldSpec(n).type)}) IS NULL THEN ${literal(`bad_${n}`)}`,
  );
  const text = `concat_ws(' ', ${columns.map((_, i) => `coalesce(f${i + 1}::VARCHAR, '-')`).join(', ')})`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE vpc_rows AS
    SELECT line, ${text} AS text, NULL::BIGINT AS event_ms, NULL::VARCHAR AS stream,
      CASE ${checks.join(' ')} END AS parse_problem, ${typed.join(', ')}
    FROM (
      SELECT file_row_number + 1 AS line, ${raw.join(', ')}
      FROM read_parquet(${literal(path)}, file_row_number = true, hive_partitioning = false))`);
}

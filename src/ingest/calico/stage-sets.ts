/**
 * Label sets and policy traces repeat from record to record (one per pod template, one per
 * policy path), so they are normalised once per distinct staged value, in TypeScript, into
 * `calico_label_sets(raw, labels MAP)` and `calico_policy_sets(raw, policies JSON)`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { stagedLabelMap } from './labels.js';
import { policyTrace } from './policies.js';
import { RECORDS } from './stage.js';

export async function buildStagedSets(conn: DuckDBConnection): Promise<void> {
  // Maps are handed over as JSON objects and cast in SQL: one cast is far cheaper than a MAP value per set.
  await normaliseDistinct(conn, 'calico_label_json', 'labels', `SELECT src_labels FROM ${RECORDS} UNION SELECT dst_labels FROM ${RECORDS}`, stagedLabelMap);
  await conn.run(`CREATE OR REPLACE TEMP TABLE calico_label_sets AS
    SELECT raw, CAST(labels AS MAP(VARCHAR, VARCHAR)) AS labels FROM calico_label_json`);
  await conn.run('DROP TABLE calico_label_json');
  await normaliseDistinct(conn, 'calico_policy_sets', 'policies', `SELECT policies FROM ${RECORDS}`, policyTrace);
}

/** `table(raw JSON, column JSON)`: each distinct value of `query` beside what `normalise` makes of it (NULL for null). */
async function normaliseDistinct(conn: DuckDBConnection, table: string, column: string, query: string, normalise: (value: unknown) => unknown): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} (raw JSON, ${column} JSON)`);
  const values = await distinct(conn, query);
  if (values.length === 0) return;
  const a = await conn.createAppender(table, 'main', 'temp');
  for (const raw of values) {
    const normalised = normalise(parse(raw));
    a.appendVarchar(raw);
    if (normalised === null) a.appendNull();
    else a.appendVarchar(JSON.stringify(normalised));
    a.endRow();
  }
  a.closeSync();
}

async function distinct(conn: DuckDBConnection, query: string): Promise<string[]> {
  const reader = await conn.runAndReadAll(`SELECT DISTINCT v::VARCHAR AS v FROM (${query}) t(v) WHERE v IS NOT NULL`);
  return (reader.getColumnsJS()[0] ?? []).map(String);
}

/** DuckDB has checked the JSON, but leniently: a value a strict parser refuses stays unparsed. */
function parse(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

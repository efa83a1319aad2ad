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
  await conn.run('CREATE OR REPLACE TEMP TABLE calico_label_json (raw JSON, labels JSON)');
  const labels = await distinct(conn, `SELECT src_labels FROM ${RECORDS} UNION SELECT dst_labels FROM ${RECORDS}`);
  if (labels.length > 0) {
    const a = await conn.createAppender('calico_label_json', 'main', 'temp');
    for (const raw of labels) {
      const map = stagedLabelMap(parse(raw));
      a.appendVarchar(raw);
      if (map === null) a.appendNull();
      else a.appendVarchar(JSON.stringify(map));
      a.endRow();
    }
    a.closeSync();
  }
  await conn.run(`CREATE OR REPLACE TEMP TABLE calico_label_sets AS
    SELECT raw, CAST(labels AS MAP(VARCHAR, VARCHAR)) AS labels FROM calico_label_json`);
  await conn.run('DROP TABLE calico_label_json');
  await conn.run('CREATE OR REPLACE TEMP TABLE calico_policy_sets (raw JSON, policies JSON)');
  const policies = await distinct(conn, `SELECT policies FROM ${RECORDS}`);
  if (policies.length > 0) {
    const a = await conn.createAppender('calico_policy_sets', 'main', 'temp');
    for (const raw of policies) {
      const trace = policyTrace(parse(raw));
      a.appendVarchar(raw);
      if (trace === null) a.appendNull();
      else a.appendVarchar(JSON.stringify(trace));
      a.endRow();
    }
    a.closeSync();
  }
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

/**
 * Loads the prepared rule tables (endpoint_bindings, selector_terms, address_segments, flow_rows,
 * and flow_status's descriptive columns) with DuckDB appenders, into tables named by `names`.
 */
import { INTEGER, LIST, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { ClassifyTables, FlowMeta } from './prepare.js';
import type { RuleTableNames } from './steps.js';

/** `catalog`/`schema` of the tables: 'temp'/'main' for the staged copies. */
export async function loadRuleTables(conn: DuckDBConnection, tables: ClassifyTables, names: RuleTableNames, catalog: string | null = null): Promise<void> {
  const append = async (table: string, fill: (a: DuckDBAppender) => void): Promise<void> => {
    const appender = await conn.createAppender(table, catalog === null ? null : 'main', catalog);
    try {
      fill(appender);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  };
  await append(names.bindings, (a) => {
    for (const b of tables.bindings) {
      a.appendInteger(b.bindingId);
      a.appendVarchar(b.endpointKey);
      a.appendVarchar(b.endpoint);
      a.appendVarchar(b.origin);
      a.appendVarchar(b.kind);
      if (b.family === null) a.appendNull();
      else a.appendTinyInt(b.family);
      uhuge(a, b.lo);
      uhuge(a, b.hi);
      text(a, b.host);
      text(a, b.namespace);
      text(a, b.labels);
      text(a, b.expressions);
      a.endRow();
    }
  });
  await append(names.terms, (a) => {
    for (const t of tables.terms) {
      a.appendInteger(t.bindingId);
      a.appendVarchar(t.key);
      a.appendVarchar(t.operator);
      a.appendList(t.values, LIST_VARCHAR);
      a.endRow();
    }
  });
  await append(names.segments, (a) => {
    for (const s of tables.segments) {
      a.appendTinyInt(s.family);
      a.appendUHugeInt(s.lo);
      a.appendUHugeInt(s.hi);
      a.appendList(s.bindings, LIST_INTEGER);
      a.endRow();
    }
  });
  await append(names.flowRows, (a) => {
    for (const r of tables.flowRows) {
      a.appendVarchar(r.flow);
      a.appendVarchar(r.direction);
      if (r.proto === null) a.appendNull();
      else a.appendSmallInt(r.proto);
      int(a, r.portLo);
      int(a, r.portHi);
      a.appendVarchar(r.clientEndpoint);
      a.appendVarchar(r.serverEndpoint);
      a.endRow();
    }
  });
  await append(names.flowStatus, (a) => {
    for (const f of tables.flows) appendFlow(a, f);
  });
}

/** The descriptive columns of a flow_status row; the status columns are filled by the flow status step. */
function appendFlow(a: DuckDBAppender, f: FlowMeta): void {
  a.appendVarchar(f.flow);
  a.appendVarchar(f.pack);
  a.appendVarchar(f.ruleId);
  a.appendVarchar(f.title);
  a.appendList(f.from, LIST_VARCHAR);
  a.appendList(f.to, LIST_VARCHAR);
  a.appendVarchar(f.direction);
  a.appendList(f.protocols, LIST_VARCHAR);
  a.appendList(f.ports, LIST_VARCHAR);
  a.appendVarchar(f.requirement);
  a.appendList(f.security, LIST_VARCHAR);
  a.appendVarchar('not_covered'); // status
  for (let i = 0; i < 4; i++) a.appendBigInt(0n); // connections, documented, denied, unanswered
  a.appendNull(); // first_seen
  a.appendNull(); // last_seen
  a.appendVarchar(f.citation);
  text(a, f.documentUrl);
  text(a, f.vague);
  a.appendList(f.unresolved, LIST_VARCHAR);
  a.appendVarchar(''); // reason
  a.endRow();
}

const LIST_VARCHAR = LIST(VARCHAR);
const LIST_INTEGER = LIST(INTEGER);


function uhuge(a: DuckDBAppender, value: bigint | null): void {
  if (value === null) a.appendNull();
  else a.appendUHugeInt(value);
}

function text(a: DuckDBAppender, value: string | null): void {
  if (value === null) a.appendNull();
  else a.appendVarchar(value);
}

function int(a: DuckDBAppender, value: number | null): void {
  if (value === null) a.appendNull();
  else a.appendInteger(value);
}

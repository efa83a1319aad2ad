/**
 * The staging table every Calico source (flows.log, Goldmane, Whisker) is normalised into before
 * it becomes connections: one row per flow-log record, in input order, with the reporter's view
 * (source or destination node) kept apart so that the two views of one flow can be paired.
 * A record's ordinal (its position among the records read, from 0) gives its connection id and,
 * for flows.log, its line.
 * Temporary objects live in the input's transaction and are dropped before it commits.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export const STAGE = 'calico_stage';

/**
 * A reporter's view: what one record says beyond the connection columns and its policies, as a
 * JSON object with those of these keys the record has: `host` (the reporting node),
 * `dest_service` {namespace, name, port, port_num}, `flows` {started, completed, live},
 * `http_requests` {allowed_in, denied_in}, `process` {name, id, args, num_names, num_ids, num_args},
 * `tcp` (Calico's TCP statistics without the `tcp_` prefix), `nat_outgoing_ports`,
 * `original_source_ips`, `num_original_source_ips`. Built once per record while staging;
 * connections splice two of them (stage-connections.ts).
 */
export interface ReporterView {
  host?: string;
  dest_service?: Record<string, unknown>;
  flows?: Record<string, number>;
  http_requests?: Record<string, number>;
  process?: Record<string, unknown>;
  tcp?: Record<string, number>;
  nat_outgoing_ports?: number[];
  original_source_ips?: string[];
  num_original_source_ips?: number;
}

/**
 * One row per record, in input order (its ordinal comes with RECORDS).
 * - `start_s`/`end_s`: the export window, Unix seconds.
 * - `reporter`: 'src' or 'dst' — whose node wrote the record; the source side is always the client.
 * - `src_*`/`dst_*`: the source and destination endpoint; NULL address or port = aggregated away.
 *   Labels are kept as written (Calico's `{"labels": [...]}` or a list of "k=v"): label sets repeat
 *   from record to record, so they become maps once per distinct set (`calico_label_sets`).
 * - `bytes_in`/`packets_in`: into the reporting endpoint; `_out`: out of it.
 * - `policies`: Calico's policies object as written, or already in the stored form (Goldmane);
 *   parsed once per distinct value too (`calico_policy_sets`).
 * - `view`: the reporter's view (ReporterView).
 * - `problem`: why the record cannot be used (a reject reason), NULL when it can.
 */
const STAGE_DDL = `
CREATE OR REPLACE TEMP TABLE ${STAGE} (
  start_s BIGINT, end_s BIGINT, proto SMALLINT, reporter VARCHAR, action VARCHAR,
  src_ip VARCHAR, src_port INTEGER, src_namespace VARCHAR, src_name VARCHAR, src_labels JSON, src_type VARCHAR,
  dst_ip VARCHAR, dst_port INTEGER, dst_namespace VARCHAR, dst_name VARCHAR, dst_labels JSON, dst_type VARCHAR,
  dst_domains JSON,
  bytes_in BIGINT, bytes_out BIGINT, packets_in BIGINT, packets_out BIGINT, num_flows BIGINT,
  policies JSON, view JSON,
  problem VARCHAR, problem_detail VARCHAR
)`;

/**
 * The staged records with their ordinal. Rows are staged in input order by one insert (DuckDB
 * keeps insertion order) or one appender, so the ordinal is the row id counted from the first:
 * numbering in the insert itself (row_number) would make DuckDB read the file on one thread.
 */
export const RECORDS = 'calico_records';

/** `calico_text`: NULL for '', '-' and NULL — Calico's ways of saying "none" or "aggregated". */
const TEXT_MACRO = `CREATE OR REPLACE TEMP MACRO calico_text(x) AS CASE WHEN x = '' OR x = '-' THEN NULL ELSE x END`;

const TEMP_TABLES = ['calico_ip', 'calico_rejects', 'calico_pairs', 'calico_partners', 'calico_label_sets', 'calico_policy_sets', STAGE];

export async function createStage(conn: DuckDBConnection): Promise<void> {
  await conn.run(STAGE_DDL);
  await conn.run(TEXT_MACRO);
}

/** Once the records are staged: number them (see RECORDS); returns how many there are. */
export async function numberStagedRecords(conn: DuckDBConnection): Promise<number> {
  const reader = await conn.runAndReadAll(`SELECT count(*)::DOUBLE AS n, coalesce(min(rowid), 0)::VARCHAR AS first FROM ${STAGE}`);
  const [row] = reader.getRowObjectsJS() as { n: number; first: string }[];
  await conn.run(`CREATE OR REPLACE TEMP VIEW ${RECORDS} AS SELECT rowid - ${BigInt(row!.first)} AS ord, * FROM ${STAGE}`);
  return row!.n;
}

/** Drop every temporary object of this module, so the next input starts clean. */
export async function dropStage(conn: DuckDBConnection): Promise<void> {
  await conn.run(`DROP VIEW IF EXISTS ${RECORDS}`);
  for (const t of TEMP_TABLES) await conn.run(`DROP TABLE IF EXISTS ${t}`);
  await conn.run('DROP MACRO IF EXISTS calico_text');
}

/**
 * Staged records into `connections` and `names`, in SQL.
 *
 * A flow inside the cluster is reported twice, by the source's node (`reporter` src) and by the
 * destination's (dst); it must count once. The two records of one flow agree on protocol,
 * endpoints and ports, and their export windows overlap (each node flushes on its own clock).
 * Each src record is paired with the dst record it overlaps most when that dst record also
 * overlaps it most (ties, as between identical aggregated records of several nodes, go to the
 * record of the same place in time order, then to the nearest in the file). A pair becomes one connection: bytes and packets as the source
 * saw them, the client action from the source's node, the server action from the destination's,
 * denied when either denied. Records left unpaired stay connections of their own.
 *
 * The source endpoint is the client: that is what the reporter fields of a flow log mean.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { RECORDS } from './stage.js';
import { buildStagedSets } from './stage-sets.js';

/** Usable staged records (not in calico_rejects). */
const USABLE = `(SELECT * FROM ${RECORDS} WHERE ord NOT IN (SELECT ord FROM calico_rejects))`;

const FLOW_KEY = ['proto', 'src_ip', 'src_port', 'src_namespace', 'src_name', 'dst_ip', 'dst_port', 'dst_namespace', 'dst_name'];
const SAME_FLOW = FLOW_KEY.map((c) => `s.${c} IS NOT DISTINCT FROM d.${c}`).join(' AND ');

/**
 * Candidates are the records of the same flow and the other reporter that overlap in time and
 * are within one place of each other in that flow's time order (`rk`): a flow reported every
 * window by both nodes lines up window by window, and aggregated flows reported by many nodes
 * cannot make the candidates explode.
 */
const PAIRS_SQL = `
CREATE OR REPLACE TEMP TABLE calico_pairs AS
WITH keyed AS (
  -- The flow key's hash partitions and joins cheaply; the key itself is still compared.
  SELECT ord, reporter, start_s, end_s, ${FLOW_KEY.join(', ')}, hash(${FLOW_KEY.join(', ')}) AS k FROM ${USABLE}
),
ranked AS (SELECT *, row_number() OVER (PARTITION BY reporter, k ORDER BY start_s, ord) AS rk FROM keyed),
cand AS (
  ${[-1, 0, 1].map((delta) => `SELECT s.ord AS s_ord, d.ord AS d_ord,
    least(s.end_s, d.end_s) - greatest(s.start_s, d.start_s) AS overlap, abs(s.start_s - d.start_s) AS skew, ${Math.abs(delta)} AS rank_gap
  FROM ranked s JOIN ranked d ON d.k = s.k AND d.rk = s.rk + ${delta} AND ${SAME_FLOW}
  WHERE s.reporter = 'src' AND d.reporter = 'dst' AND s.start_s <= d.end_s AND d.start_s <= s.end_s`).join('\n  UNION ALL\n  ')}
),
best_for_src AS (SELECT s_ord, arg_max(d_ord, (overlap, -skew, -rank_gap, -abs(s_ord - d_ord), -d_ord)) AS d_ord FROM cand GROUP BY s_ord),
best_for_dst AS (SELECT d_ord, arg_max(s_ord, (overlap, -skew, -rank_gap, -abs(s_ord - d_ord), -s_ord)) AS s_ord FROM cand GROUP BY d_ord)
SELECT b.s_ord, b.d_ord FROM best_for_src b JOIN best_for_dst c ON c.d_ord = b.d_ord AND c.s_ord = b.s_ord`;

/** Client-side and server-side counters of a record, from whichever node reported it. */
const clientSide = (r: string, what: 'bytes' | 'packets'): string => `CASE WHEN ${r}.reporter = 'src' THEN ${r}.${what}_out ELSE ${r}.${what}_in END`;
const serverSide = (r: string, what: 'bytes' | 'packets'): string => `CASE WHEN ${r}.reporter = 'src' THEN ${r}.${what}_in ELSE ${r}.${what}_out END`;

/**
 * One reporter's view as stored: its record's view (ReporterView in stage.ts) with the policies that
 * acted on the flow on that node (source node: egress; destination node: ingress) spliced in as
 * text — composing JSON values with DuckDB's JSON functions re-parses them, and this is per row.
 */
const reporterView = (r: string, p: string): string =>
  `'{' || concat_ws(',', '"policies":' || ${p}.policies::VARCHAR, nullif((${r}.view::VARCHAR)[2:length(${r}.view) - 1], '')) || '}'`;

/**
 * What a connection needs of the destination's record of a paired flow, in a narrow table so
 * that the insert joins it rather than the whole staging table.
 */
const PARTNERS_SQL = `
CREATE OR REPLACE TEMP TABLE calico_partners AS
SELECT p.s_ord, d.start_s, d.end_s, d.action, ${reporterView('d', 'dp')} AS view
FROM calico_pairs p JOIN ${RECORDS} d ON d.ord = p.d_ord
LEFT JOIN calico_policy_sets dp ON dp.raw = d.policies`;

/**
 * `details`: `reporter` (both | src | dst) and each reporter's view (`src`, `dst`; null when that
 * node did not report the flow).
 * `$1` source id, `$2` the id of ordinal 0 (ids are first + ordinal of the record that leads the connection).
 */
const INSERT_SQL = `
INSERT INTO connections (id, source_id, first_seen, last_seen, proto, ip_family, client_ip, client_ip_num, client_port,
  server_ip, server_ip_num, server_port, client_packets, client_bytes, server_packets, server_bytes, action, client_action,
  server_action, initiator_evidence, num_flows, client_namespace, client_name, client_labels, client_endpoint_type,
  server_namespace, server_name, server_labels, server_endpoint_type, details)
SELECT $2 + c.ord, $1,
  make_timestamp(1000000 * least(c.start_s, coalesce(d.start_s, c.start_s))),
  make_timestamp(1000000 * greatest(c.end_s, coalesce(d.end_s, c.end_s))),
  c.proto, coalesce(si.family, di.family), si.canon, si.num, c.src_port, di.canon, di.num, c.dst_port,
  ${clientSide('c', 'packets')}, ${clientSide('c', 'bytes')}, ${serverSide('c', 'packets')}, ${serverSide('c', 'bytes')},
  CASE WHEN c.action = 'deny' OR d.action = 'deny' THEN 'deny' ELSE c.action END,
  CASE WHEN c.reporter = 'src' THEN c.action END,
  CASE WHEN c.reporter = 'dst' THEN c.action ELSE d.action END,
  'reporter', c.num_flows,
  c.src_namespace, c.src_name, sl.labels, c.src_type, c.dst_namespace, c.dst_name, dl.labels, c.dst_type,
  CAST(concat('{"reporter":"', CASE WHEN d.s_ord IS NOT NULL THEN 'both' ELSE c.reporter END,
    '","src":', CASE WHEN c.reporter = 'src' THEN ${reporterView('c', 'cp')} ELSE 'null' END,
    ',"dst":', CASE WHEN c.reporter = 'dst' THEN ${reporterView('c', 'cp')} ELSE coalesce(d.view, 'null') END,
    '}') AS JSON)
FROM (SELECT * FROM ${USABLE} WHERE ord NOT IN (SELECT d_ord FROM calico_pairs)) c
LEFT JOIN calico_partners d ON d.s_ord = c.ord
LEFT JOIN calico_ip si ON si.ip = c.src_ip
LEFT JOIN calico_ip di ON di.ip = c.dst_ip
LEFT JOIN calico_label_sets sl ON sl.raw = c.src_labels
LEFT JOIN calico_label_sets dl ON dl.raw = c.dst_labels
LEFT JOIN calico_policy_sets cp ON cp.raw = c.policies`;

/**
 * Pod and host-endpoint names beside their addresses (evidence 'flowlog', `namespace/name` for
 * namespaced endpoints; aggregated names are not names of one address), and the domains Calico
 * saw resolved to a destination (evidence 'dns'). `$1` source id, `$2` the id of ordinal 0.
 */
const NAMES_SQL = `
INSERT INTO names (source_id, address, name, evidence, first_seen, last_seen, connection_id, suspicious, times_seen)
SELECT $1, ip.canon, g.name, g.evidence, make_timestamp(1000000 * min(g.first_s)), make_timestamp(1000000 * max(g.last_s)),
  $2 + min(coalesce(p.s_ord, g.ord)), regexp_matches(g.name, '[[:cntrl:]<>]') OR length(g.name) > 253, sum(g.times)::BIGINT
FROM (
  -- Grouped first (records are many, names few); the earliest record's connection carries the evidence.
  SELECT ip, name, evidence, min(start_s) AS first_s, max(end_s) AS last_s, min(ord) AS ord, count(*) AS times
  FROM (
    SELECT ord, start_s, end_s, src_ip AS ip, concat_ws('/', src_namespace, src_name) AS name, 'flowlog' AS evidence
    FROM ${USABLE} WHERE src_ip IS NOT NULL AND src_name IS NOT NULL AND NOT ends_with(src_name, '*') AND src_type IN ('wep', 'hep')
    UNION ALL
    SELECT ord, start_s, end_s, dst_ip, concat_ws('/', dst_namespace, dst_name), 'flowlog'
    FROM ${USABLE} WHERE dst_ip IS NOT NULL AND dst_name IS NOT NULL AND NOT ends_with(dst_name, '*') AND dst_type IN ('wep', 'hep')
    UNION ALL
    SELECT ord, start_s, end_s, dst_ip, unnest(TRY_CAST(dst_domains AS VARCHAR[])), 'dns'
    FROM ${USABLE} WHERE dst_ip IS NOT NULL AND json_type(dst_domains) = 'ARRAY'
  )
  WHERE name IS NOT NULL AND name <> ''
  GROUP BY ip, name, evidence
) g
JOIN calico_ip ip ON ip.ip = g.ip
LEFT JOIN calico_pairs p ON p.d_ord = g.ord
GROUP BY ip.canon, g.name, g.evidence`;

export interface StagedSpan {
  connections: number;
  firstSeenMicros: number | null;
  lastSeenMicros: number | null;
}

/** Pair, then write connections and names; returns how many connections were written and their time span. */
export async function writeStagedConnections(conn: DuckDBConnection, sourceId: number, firstId: number): Promise<StagedSpan> {
  await pairStagedRecords(conn);
  return await insertStagedConnections(conn, sourceId, firstId);
}

/** The temporary tables the insert reads: pairs of the two reporters, label and policy sets, partners. */
export async function pairStagedRecords(conn: DuckDBConnection): Promise<void> {
  await conn.run(PAIRS_SQL);
  await buildStagedSets(conn);
  await conn.run(PARTNERS_SQL);
}

/** Once paired: write connections and names; returns how many connections were written and their time span. */
export async function insertStagedConnections(conn: DuckDBConnection, sourceId: number, firstId: number): Promise<StagedSpan> {
  const inserted = await conn.run(INSERT_SQL, [sourceId, firstId]);
  await conn.run(NAMES_SQL, [sourceId, firstId]);
  const reader = await conn.runAndReadAll(`SELECT min(start_s)::DOUBLE AS first, max(end_s)::DOUBLE AS last FROM ${USABLE}`);
  const [row] = reader.getRowObjectsJS() as { first: number | null; last: number | null }[];
  return {
    connections: Number(inserted.rowsChanged),
    firstSeenMicros: row?.first == null ? null : row.first * 1e6,
    lastSeenMicros: row?.last == null ? null : row.last * 1e6,
  };
}

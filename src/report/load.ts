/**
 * Builds the Report from a classified DuckDB file: sources, the last classify run, flow_status and the
 * verdicts view joined to connections. It reads classified results only — never input files.
 */
import { ConfigError } from '../errors.js';
import type { Store } from '../store/store.js';
import { REPORT_SCHEMA } from './model.js';
import type {
  FindingVerdict,
  FlowStatus,
  PairTotals,
  Report,
  ReportClassification,
  ReportFinding,
  ReportFlow,
  ReportInput,
  ReportSummary,
  ReportTraffic,
  ScanReport,
  TopTalker,
  TrafficPair,
  Verdict,
} from './model.js';
import { protoName } from './proto-names.js';

/** How many rows each traffic view keeps (the findings are never capped here; renderers may). */
const TRAFFIC_LIMIT = 20;
/** Names listed per address in a finding. */
const NAMES_PER_ADDRESS = 5;
/** Zeek's scan policy thresholds: distinct ports of one server, distinct servers on one port. */
export const PORT_SCAN_THRESHOLD = 15;
export const ADDRESS_SCAN_THRESHOLD = 25;
/** Ports users audit as administrative access: SSH, telnet, RDP. */
const ADMIN_PORTS: readonly number[] = [22, 23, 3389];

const iso = (column: string): string => `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%gZ')`;

export interface LoadReportOptions {
  /** When the report is made (the CLI passes now; tests pass a fixed time). */
  generatedAt: Date;
}

/** The classification is read first: it refuses a database that was never classified. */
export async function loadReport(store: Store, options: LoadReportOptions): Promise<Report> {
  return {
    schema: REPORT_SCHEMA,
    generated_at: options.generatedAt.toISOString(),
    classification: await loadClassification(store),
    inputs: await loadInputs(store),
    summary: await loadSummary(store),
    flows: await loadFlows(store),
    findings: await loadFindings(store),
    traffic: await loadTraffic(store),
  };
}

/** Connections ingested after the last classify run: they have no verdict yet. */
export async function unclassifiedConnections(store: Store): Promise<number> {
  const [row] = await store.queryRows<{ n: bigint }>(
    `SELECT count(*) AS n FROM connections WHERE id > coalesce((SELECT last_connection_id FROM classify_runs ORDER BY id DESC LIMIT 1), 0)`,
  );
  return Number(row?.n ?? 0);
}

async function loadClassification(store: Store): Promise<ReportClassification> {
  const [run] = await store.queryRows<{ inventory: string; packs: string[]; at: string }>(
    `SELECT inventory, packs, ${iso('finished_at')} AS at FROM classify_runs ORDER BY id DESC LIMIT 1`,
  );
  if (!run) {
    throw new ConfigError(
      'the database has not been classified: there is nothing to report',
      'run `flowaudit classify --db FILE --inventory INVENTORY` first, or `flowaudit audit` to ingest, classify and report in one go',
      store.path,
    );
  }
  return { inventory: run.inventory, packs: [...run.packs], classified_at: run.at };
}

async function loadInputs(store: Store): Promise<ReportInput[]> {
  const rows = await store.queryRows<Record<string, unknown>>(
    `SELECT path, kind, records_read, records_used, records_rejected, connections,
            ${iso('first_seen')} AS first_seen, ${iso('last_seen')} AS last_seen
     FROM sources ORDER BY id`,
  );
  return rows.map((r) => ({
    path: String(r.path),
    kind: String(r.kind),
    records_read: Number(r.records_read),
    records_used: Number(r.records_used),
    records_rejected: Number(r.records_rejected),
    connections: Number(r.connections),
    first_seen: (r.first_seen as string | null) ?? null,
    last_seen: (r.last_seen as string | null) ?? null,
  }));
}

async function loadSummary(store: Store): Promise<ReportSummary> {
  const verdicts = await store.queryRows<{ verdict: Verdict; n: bigint }>('SELECT verdict, count(*) AS n FROM verdicts GROUP BY verdict');
  const statuses = await store.queryRows<{ status: FlowStatus; n: bigint }>('SELECT status, count(*) AS n FROM flow_status GROUP BY status');
  const byVerdict: Record<Verdict, number> = { documented: 0, unexpected: 0, denied: 0, unanswered: 0 };
  for (const r of verdicts) byVerdict[r.verdict] = Number(r.n);
  const flows: Record<FlowStatus, number> = { observed: 0, denied: 0, unanswered: 0, unobserved: 0, not_covered: 0 };
  for (const r of statuses) flows[r.status] = Number(r.n);
  const connections = Object.values(byVerdict).reduce((a, b) => a + b, 0);
  return { connections, ...byVerdict, flows };
}

async function loadFlows(store: Store): Promise<ReportFlow[]> {
  const rows = await store.queryRows<Record<string, unknown>>(
    `SELECT flow, title, from_endpoints, to_endpoints, direction, protocols, ports, requirement, security, status,
            connections, ${iso('first_seen')} AS first_seen, ${iso('last_seen')} AS last_seen, citation, document_url, reason
     FROM flow_status ORDER BY flow`,
  );
  return rows.map((r) => ({
    id: String(r.flow),
    title: String(r.title),
    from: [...(r.from_endpoints as string[])],
    to: [...(r.to_endpoints as string[])],
    direction: String(r.direction),
    protocols: [...(r.protocols as string[])],
    ports: [...(r.ports as string[])],
    requirement: String(r.requirement),
    security: [...(r.security as string[])],
    status: r.status as FlowStatus,
    connections: Number(r.connections),
    first_seen: (r.first_seen as string | null) ?? null,
    last_seen: (r.last_seen as string | null) ?? null,
    citation: String(r.citation),
    document_url: (r.document_url as string | null) ?? null,
    reason: String(r.reason),
  }));
}

/** The classified connections with their verdict (the verdicts view joined to connections). */
const CLASSIFIED = `(SELECT c.*, v.verdict, v.flows, v.client_endpoint, v.server_endpoint
  FROM verdicts v JOIN connections c ON c.id = v.connection_id)`;

const VERDICT_ORDER = `CASE verdict WHEN 'unexpected' THEN 0 WHEN 'denied' THEN 1 WHEN 'unanswered' THEN 2 ELSE 3 END`;

/** Grouping keys of findings and traffic pairs, and the deterministic order that breaks ties. */
const PAIR_KEYS = 'verdict, proto, client_ip, server_ip, server_port, client_endpoint, server_endpoint';
const PAIR_TIES = 'client_ip NULLS LAST, server_ip NULLS LAST, server_port NULLS LAST, proto, client_endpoint NULLS LAST, server_endpoint NULLS LAST';
const PAIR_SUMS = `count(*) AS connections, sum(client_packets + server_packets) AS packets, sum(client_bytes + server_bytes) AS bytes`;

async function loadFindings(store: Store): Promise<ReportFinding[]> {
  const rows = await store.queryRows<Record<string, unknown>>(
    `WITH grouped AS (
       SELECT ${PAIR_KEYS}, ${PAIR_SUMS},
              min(first_seen) AS first_seen, max(last_seen) AS last_seen,
              list_sort(list_distinct(flatten(list(flows)))) AS flows,
              list(DISTINCT initiator_evidence ORDER BY initiator_evidence) AS evidence
       FROM ${CLASSIFIED} WHERE verdict <> 'documented'
       GROUP BY ${PAIR_KEYS}
     ),
     names_by_address AS (
       SELECT address, list(DISTINCT name ORDER BY name)[1:${NAMES_PER_ADDRESS}] AS names FROM names GROUP BY address
     )
     SELECT g.*, ${iso('g.first_seen')} AS first_text, ${iso('g.last_seen')} AS last_text,
            coalesce(cn.names, []) AS client_names, coalesce(sn.names, []) AS server_names
     FROM grouped g
     LEFT JOIN names_by_address cn ON cn.address = g.client_ip
     LEFT JOIN names_by_address sn ON sn.address = g.server_ip
     ORDER BY ${VERDICT_ORDER}, bytes DESC, connections DESC, ${PAIR_TIES}`,
  );
  return rows.map((r) => ({
    verdict: r.verdict as FindingVerdict,
    ...pairTotals(r),
    client_names: [...(r.client_names as string[])],
    server_names: [...(r.server_names as string[])],
    first_seen: (r.first_text as string | null) ?? null,
    last_seen: (r.last_text as string | null) ?? null,
    flows: [...(r.flows as string[])],
    evidence: [...(r.evidence as string[])],
  }));
}

async function loadTraffic(store: Store): Promise<ReportTraffic> {
  const pairs = (where: string, order: string): Promise<TrafficPair[]> => loadPairs(store, where, order);
  return {
    scans: await loadScans(store),
    rejected: await pairs(`upper(action) IN ('REJECT', 'DENY') OR upper(client_action) IN ('REJECT', 'DENY') OR upper(server_action) IN ('REJECT', 'DENY')`, 'connections DESC, bytes DESC'),
    admin_ports: await pairs(`proto IN (6, 17) AND server_port IN (${ADMIN_PORTS.join(', ')})`, 'connections DESC, bytes DESC'),
    top_talkers: await loadTopTalkers(store),
    top_pairs: await pairs('true', 'bytes DESC, connections DESC'),
  };
}

async function loadPairs(store: Store, where: string, order: string): Promise<TrafficPair[]> {
  const rows = await store.queryRows<Record<string, unknown>>(
    `SELECT ${PAIR_KEYS}, ${PAIR_SUMS} FROM ${CLASSIFIED} WHERE ${where}
     GROUP BY ${PAIR_KEYS} ORDER BY ${order}, ${VERDICT_ORDER}, ${PAIR_TIES} LIMIT ${TRAFFIC_LIMIT}`,
  );
  return rows.map((r) => ({ ...pairTotals(r), verdict: r.verdict as Verdict }));
}

/** The grouping keys and sums of a PAIR_KEYS / PAIR_SUMS row. */
function pairTotals(r: Record<string, unknown>): PairTotals {
  return {
    proto: protoName(Number(r.proto)),
    client_ip: (r.client_ip as string | null) ?? null,
    server_ip: (r.server_ip as string | null) ?? null,
    server_port: r.server_port === null ? null : Number(r.server_port),
    client_endpoint: (r.client_endpoint as string | null) ?? null,
    server_endpoint: (r.server_endpoint as string | null) ?? null,
    connections: Number(r.connections),
    packets: Number(r.packets),
    bytes: Number(r.bytes),
  };
}

async function loadTopTalkers(store: Store): Promise<TopTalker[]> {
  const rows = await store.queryRows<Record<string, unknown>>(
    `WITH sides AS (
       SELECT client_ip AS ip, client_endpoint AS endpoint, client_bytes + server_bytes AS bytes, client_packets + server_packets AS packets
       FROM ${CLASSIFIED} WHERE client_ip IS NOT NULL
       UNION ALL
       SELECT server_ip, server_endpoint, client_bytes + server_bytes, client_packets + server_packets
       FROM ${CLASSIFIED} WHERE server_ip IS NOT NULL
     )
     SELECT ip, min(endpoint) AS endpoint, sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS connections
     FROM sides GROUP BY ip ORDER BY bytes DESC, connections DESC, ip LIMIT ${TRAFFIC_LIMIT}`,
  );
  return rows.map((r) => ({
    ip: String(r.ip),
    endpoint: (r.endpoint as string | null) ?? null,
    bytes: Number(r.bytes),
    packets: Number(r.packets),
    connections: Number(r.connections),
  }));
}

/** Port scans (one client, one server, many ports) and address scans (one client, one port, many servers). */
async function loadScans(store: Store): Promise<ScanReport[]> {
  const failed = `count_if(state IN ('S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH') OR (state IS NULL AND server_packets = 0))`;
  const rows = await store.queryRows<Record<string, unknown>>(
    `WITH tcp_udp AS (SELECT * FROM ${CLASSIFIED} WHERE proto IN (6, 17, 132) AND client_ip IS NOT NULL AND server_ip IS NOT NULL AND server_port IS NOT NULL),
     scans AS (
       SELECT 'port' AS kind, proto, client_ip, min(client_endpoint) AS client_endpoint, server_ip, min(server_endpoint) AS server_endpoint,
              CAST(NULL AS INTEGER) AS server_port, count(DISTINCT server_port) AS targets, count(*) AS connections, ${failed} AS failed,
              min(first_seen) AS first_seen, max(last_seen) AS last_seen
       FROM tcp_udp GROUP BY proto, client_ip, server_ip HAVING count(DISTINCT server_port) >= ${PORT_SCAN_THRESHOLD}
       UNION ALL
       SELECT 'address', proto, client_ip, min(client_endpoint), NULL, NULL, server_port, count(DISTINCT server_ip), count(*), ${failed},
              min(first_seen), max(last_seen)
       FROM tcp_udp GROUP BY proto, client_ip, server_port HAVING count(DISTINCT server_ip) >= ${ADDRESS_SCAN_THRESHOLD}
     )
     SELECT *, ${iso('first_seen')} AS first_text, ${iso('last_seen')} AS last_text FROM scans
     ORDER BY targets DESC, connections DESC, client_ip, kind, server_ip NULLS LAST, server_port NULLS LAST LIMIT ${TRAFFIC_LIMIT}`,
  );
  return rows.map((r) => ({
    kind: r.kind as ScanReport['kind'],
    proto: protoName(Number(r.proto)),
    client_ip: String(r.client_ip),
    client_endpoint: (r.client_endpoint as string | null) ?? null,
    server_ip: (r.server_ip as string | null) ?? null,
    server_endpoint: (r.server_endpoint as string | null) ?? null,
    server_port: r.server_port === null ? null : Number(r.server_port),
    targets: Number(r.targets),
    connections: Number(r.connections),
    refused_or_unanswered: Number(r.failed),
    first_seen: (r.first_text as string | null) ?? null,
    last_seen: (r.last_text as string | null) ?? null,
  }));
}

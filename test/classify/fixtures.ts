/**
 * Helpers for the classify tests: a scratch directory with a store, and connections, names and gaps
 * inserted with plain SQL, the way any source would leave them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressToBigInt, canonicalAddress, parseAddress } from '../../src/net/ip.js';
import { Store } from '../../src/store/store.js';

export interface Scratch {
  dir: string;
  store: Store;
  /** Write a file in the scratch directory; returns its path. */
  file(name: string, text: string): string;
  close(): void;
}

export async function scratch(prefix = 'flowaudit-classify-'): Promise<Scratch> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = await Store.open(join(dir, 'test.duckdb'));
  return {
    dir,
    store,
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestConnection {
  id: number;
  client: string;
  server: string;
  serverPort?: number | null;
  proto?: number;
  sourceId?: number;
  /** Seconds after 2024-01-01 00:00:00. */
  at?: number;
  /** How long it lasted, seconds. */
  duration?: number;
  state?: string | null;
  action?: string | null;
  serverPackets?: number;
  clientIdentity?: TestIdentity;
  serverIdentity?: TestIdentity;
  interfaceId?: string | null;
}

/** A pod's namespace and labels, as flow logs with Kubernetes metadata give them. */
export interface TestIdentity {
  namespace: string;
  labels?: Record<string, string>;
}

const text = (value: string | null | undefined): string => (value === null || value === undefined ? 'NULL' : `'${value.replaceAll("'", "''")}'`);

function map(labels: Record<string, string> | undefined): string {
  if (!labels) return 'NULL';
  const entries = Object.entries(labels).map(([k, v]) => `${text(k)}: ${text(v)}`);
  return entries.length === 0 ? 'MAP {}::MAP(VARCHAR, VARCHAR)' : `MAP {${entries.join(', ')}}`;
}

function ipNum(address: string): { family: 4 | 6; num: bigint; text: string } {
  const parsed = parseAddress(address);
  if (!parsed) throw new Error(`not an address: ${address}`);
  return { family: parsed.family, num: addressToBigInt(parsed.bytes, 0, parsed.family === 4 ? 4 : 16), text: canonicalAddress(address)! };
}

async function ensureSource(store: Store, sourceId: number): Promise<void> {
  await store.conn.run(`INSERT INTO sources (id, path, kind, records_read, records_used, records_rejected, non_ip_records, connections, ingested_at)
    SELECT ${sourceId}, 'test-${sourceId}', 'test', 0, 0, 0, 0, 0, TIMESTAMP '2024-01-01' WHERE NOT EXISTS (SELECT 1 FROM sources WHERE id = ${sourceId})`);
}

/** Insert connections (and a sources row for each source id they name, when missing). */
export async function insertConnections(store: Store, rows: readonly TestConnection[]): Promise<void> {
  for (const sourceId of new Set(rows.map((r) => r.sourceId ?? 1))) await ensureSource(store, sourceId);
  const values = rows.map((r) => {
    const c = ipNum(r.client);
    const s = ipNum(r.server);
    const proto = r.proto ?? 6;
    const at = r.at ?? r.id;
    const port = r.serverPort === undefined ? 443 : r.serverPort;
    return `(${r.id}, ${r.sourceId ?? 1}, TIMESTAMP '2024-01-01' + to_microseconds(${Math.round(at * 1e6)}), TIMESTAMP '2024-01-01' + to_microseconds(${Math.round((at + (r.duration ?? 1)) * 1e6)}),
      ${proto}, ${c.family}, ${text(c.text)}, ${c.num}::UHUGEINT, ${proto === 6 || proto === 17 ? 40000 : 'NULL'}, ${text(s.text)}, ${s.num}::UHUGEINT, ${port === null ? 'NULL' : port},
      3, 300, ${r.serverPackets ?? 2}, 200, ${text(r.state === undefined ? (proto === 6 ? 'SF' : null) : r.state)}, ${text(r.action ?? null)}, 'syn',
      ${text(r.clientIdentity?.namespace)}, ${map(r.clientIdentity ? (r.clientIdentity.labels ?? {}) : undefined)},
      ${text(r.serverIdentity?.namespace)}, ${map(r.serverIdentity ? (r.serverIdentity.labels ?? {}) : undefined)}, ${text(r.interfaceId ?? null)})`;
  });
  await store.conn.run(`INSERT INTO connections (id, source_id, first_seen, last_seen, proto, ip_family, client_ip, client_ip_num, client_port,
      server_ip, server_ip_num, server_port, client_packets, client_bytes, server_packets, server_bytes, state, action, initiator_evidence,
      client_namespace, client_labels, server_namespace, server_labels, interface_id)
    VALUES ${values.join(',\n')}`);
}

/**
 * Insert an aggregated flow-log row (Calico aggregation, Goldmane) of source 1: pods on both sides,
 * TCP to `serverPort`, five flows over five minutes, and no addresses.
 */
export async function insertAggregated(store: Store, row: { id: number; serverPort: number; client: TestIdentity; server: TestIdentity }): Promise<void> {
  await ensureSource(store, 1);
  await store.conn.run(`INSERT INTO connections (id, source_id, first_seen, last_seen, proto, server_port, client_packets, client_bytes,
      server_packets, server_bytes, initiator_evidence, num_flows, client_namespace, client_labels, server_namespace, server_labels)
    VALUES (${row.id}, 1, TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-01 00:05', 6, ${row.serverPort}, 10, 1000, 10, 1000, 'reporter', 5,
      ${text(row.client.namespace)}, ${map(row.client.labels ?? {})}, ${text(row.server.namespace)}, ${map(row.server.labels ?? {})})`);
}

export async function insertName(store: Store, address: string, name: string, options: { evidence?: string; suspicious?: boolean } = {}): Promise<void> {
  await store.conn.run(`INSERT INTO names (source_id, address, name, evidence, suspicious) VALUES (1, ${text(canonicalAddress(address))}, ${text(name)}, ${text(options.evidence ?? 'dns')}, ${options.suspicious === true})`);
}

/** A gap of `source` from `from` to `to` seconds after 2024-01-01 (null: open). */
export async function insertGap(store: Store, sourceId: number, kind: string, from: number | null, to: number | null, interfaceId: string | null = null): Promise<void> {
  const ts = (s: number | null): string => (s === null ? 'NULL' : `TIMESTAMP '2024-01-01' + to_microseconds(${Math.round(s * 1e6)})`);
  await store.conn.run(`INSERT INTO gaps (source_id, kind, interface_id, start_time, end_time) VALUES (${sourceId}, ${text(kind)}, ${text(interfaceId)}, ${ts(from)}, ${ts(to)})`);
}

/** verdicts by connection id, as plain objects. */
export async function verdictsById(store: Store): Promise<Record<number, { verdict: string; flows: string[]; client: string | null; server: string | null }>> {
  const rows = await store.queryRows<{ connection_id: bigint; verdict: string; flows: string[]; client_endpoint: string | null; server_endpoint: string | null }>(
    'SELECT * FROM verdicts ORDER BY connection_id',
  );
  return Object.fromEntries(rows.map((r) => [Number(r.connection_id), { verdict: r.verdict, flows: [...r.flows], client: r.client_endpoint, server: r.server_endpoint }]));
}

/** flow_status rows by flow id. */
export async function statusByFlow(store: Store): Promise<Record<string, { status: string; connections: number; reason: string }>> {
  const rows = await store.queryRows<{ flow: string; status: string; connections: bigint; reason: string }>('SELECT flow, status, connections, reason FROM flow_status ORDER BY flow');
  return Object.fromEntries(rows.map((r) => [r.flow, { status: r.status, connections: Number(r.connections), reason: r.reason }]));
}

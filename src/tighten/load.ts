/**
 * What tighten reads: classified results only — the latest classify run, the verdicts view joined
 * to the connection columns rules can filter on (aggregated, so a week of flow logs is a few
 * thousand groups, not millions of rows), the endpoint bindings, flow_status and flow_rows.
 * Never the raw inputs.
 */
import { ConfigError } from '../errors.js';
import { unclassifiedConnections } from '../report/load.js';
import type { K8sIdentity } from '../rules/bindings.js';
import type { CompiledSide, CompiledSideKind, LabelExpression } from '../rules/types.js';
import type { Store } from '../store/store.js';
import type { Family, ObservedGroup, ObservedSide, Verdict } from './model.js';

export interface ClassifyRun {
  id: number;
  finishedAt: string;
  inventory: string;
  packs: string[];
}

/** One endpoint_bindings row. */
export interface BindingRow {
  key: string;
  endpoint: string;
  origin: CompiledSide['origin'];
  kind: CompiledSideKind;
  family: Family | null;
  lo: bigint | null;
  hi: bigint | null;
  host: string | null;
  namespace: string | null;
  labels: Record<string, string>;
  expressions: LabelExpression[];
}

export interface FlowStatusRow {
  flow: string;
  title: string;
  status: string;
  unresolved: string[];
}

/** One flow_rows row: endpoints are endpoint_bindings keys. */
export interface FlowRow {
  flow: string;
  proto: number | null;
  portLo: number | null;
  portHi: number | null;
  client: string;
  server: string;
}

export interface TightenInput {
  db: string;
  run: ClassifyRun;
  groups: ObservedGroup[];
  bindings: BindingRow[];
  flows: FlowStatusRow[];
  flowRows: FlowRow[];
  /** Connections with no verdict: ingested after the run. */
  unclassified: number;
}

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);
const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as bigint | number | string));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = <T>(v: unknown, empty: T): T => (v === null || v === undefined ? empty : (JSON.parse(String(v)) as T));

async function latestRun(store: Store, db: string): Promise<ClassifyRun> {
  const [run] = await store.queryRows<Row>('SELECT id, CAST(finished_at AS VARCHAR) AS finished_at, inventory, packs FROM classify_runs ORDER BY id DESC LIMIT 1');
  if (!run) {
    throw new ConfigError('the database has no classification results', `run flowaudit classify --db ${db} --inventory FILE first; tighten reads its verdicts`, db);
  }
  return {
    id: num(run.id),
    finishedAt: String(run.finished_at),
    inventory: String(run.inventory),
    packs: [...(run.packs as string[])],
  };
}

export async function loadTightenInput(store: Store, db: string): Promise<TightenInput> {
  const run = await latestRun(store, db);
  return {
    db,
    run,
    groups: await loadGroups(store),
    bindings: await loadBindings(store),
    flows: (await store.queryRows<Row>('SELECT flow, title, status, unresolved FROM flow_status ORDER BY flow')).map((r) => ({
      flow: String(r.flow),
      title: String(r.title),
      status: String(r.status),
      unresolved: [...(r.unresolved as string[])],
    })),
    flowRows: (await store.queryRows<Row>('SELECT flow, proto, port_lo, port_hi, client_endpoint, server_endpoint FROM flow_rows ORDER BY ALL')).map((r) => ({
      flow: String(r.flow),
      proto: r.proto === null ? null : num(r.proto),
      portLo: r.port_lo === null ? null : num(r.port_lo),
      portHi: r.port_hi === null ? null : num(r.port_hi),
      client: String(r.client_endpoint),
      server: String(r.server_endpoint),
    })),
    unclassified: await unclassifiedConnections(store),
  };
}

/** Connections grouped by everything tighten looks at; the count is num_flows summed (aggregated rows stand for several). */
async function loadGroups(store: Store): Promise<ObservedGroup[]> {
  const rows = await store.queryRows<Row>(`
    SELECT v.verdict, v.flows, v.client_endpoint, v.server_endpoint, c.proto, c.server_port AS port, c.ip_family AS family,
      c.client_ip, c.client_ip_num, c.server_ip, c.server_ip_num,
      c.client_namespace, CAST(to_json(c.client_labels) AS VARCHAR) AS client_labels,
      c.server_namespace, CAST(to_json(c.server_labels) AS VARCHAR) AS server_labels,
      sum(c.num_flows) AS n
    FROM verdicts v JOIN connections c ON c.id = v.connection_id
    GROUP BY ALL
    ORDER BY ALL`);
  return rows.map((r) => ({
    verdict: r.verdict as Verdict,
    flows: [...(r.flows as string[])],
    proto: num(r.proto),
    port: r.port === null ? null : num(r.port),
    client: side(r, 'client'),
    server: side(r, 'server'),
    connections: num(r.n),
  }));
}

function side(r: Row, prefix: 'client' | 'server'): ObservedSide {
  const ip = text(r[`${prefix}_ip`]);
  const namespace = text(r[`${prefix}_namespace`]);
  const identity: K8sIdentity | null = namespace === null ? null : { namespace, labels: json<Record<string, string>>(r[`${prefix}_labels`], {}) };
  return {
    family: ip === null ? null : (num(r.family) as Family),
    ip,
    num: ip === null ? null : big(r[`${prefix}_ip_num`]),
    endpoint: text(r[`${prefix}_endpoint`]),
    identity,
  };
}

async function loadBindings(store: Store): Promise<BindingRow[]> {
  const rows = await store.queryRows<Row>(
    'SELECT endpoint_key, endpoint, origin, kind, family, lo, hi, host, namespace, CAST(labels AS VARCHAR) AS labels, CAST(expressions AS VARCHAR) AS expressions FROM endpoint_bindings ORDER BY binding_id',
  );
  return rows.map((r) => ({
    key: String(r.endpoint_key),
    endpoint: String(r.endpoint),
    origin: r.origin as BindingRow['origin'],
    kind: r.kind as BindingRow['kind'],
    family: r.family === null ? null : (num(r.family) as Family),
    lo: big(r.lo),
    hi: big(r.hi),
    host: text(r.host),
    namespace: text(r.namespace),
    labels: json<Record<string, string>>(r.labels, {}),
    expressions: json<LabelExpression[]>(r.expressions, []),
  }));
}

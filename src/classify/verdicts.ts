/**
 * Connections → verdicts. Each connection is reduced to a match key — client side, server side,
 * protocol, server port class, outcome — packed into one BIGINT:
 *
 *   side      = address class * NI + identity class
 *   match_key = (((client side * NS + server side) * 256 + proto) * NP + port class + 1) * 3 + outcome
 *
 * (NC address classes, NI identity classes, NS = NC * NI sides, NP port classes + 1; integer
 * arithmetic only, so any SQL engine computes the same keys). Classification aggregates the
 * connections by key in one pass; the keys — far fewer than connections — are matched against
 * flow_rows (match.ts) and judged once into match_verdicts. The verdicts view computes each
 * connection's key the same way (from address_classes, identity_classes and port_classes) and
 * joins match_verdicts: no per-connection row is written, and reading the view costs one pass.
 *
 * Outcome of a connection, from what its source recorded:
 * - denied (1): a flow log says it was rejected — action, client_action or server_action is
 *   REJECT (VPC), deny (Calico) or DROPPED (Hubble), in either case — or a capture saw the attempt
 *   refused (Zeek state REJ: the SYN answered by a RST);
 * - unanswered (2): a TCP attempt with no answer — state S0 (SYN, nothing back), RSTOS0 (SYN then
 *   the client's own RST, no SYN-ACK), SH (SYN then FIN, no SYN-ACK), or, where the source has no
 *   state (flow logs), no packet from the server at all. Only TCP: a datagram without a reply
 *   proves nothing (syslog, SNMP traps, NetFlow are one-way by design);
 * - answered (0): everything else.
 * Verdict: unexpected when the key matches no flow; otherwise denied, unanswered or documented by
 * the outcome.
 */
import { identityKey } from './endpoints.js';
import type { DataShape, SqlStep } from './steps.js';

export const VERDICTS = ['documented', 'unexpected', 'denied', 'unanswered'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Actions flow logs record for a rejected connection. */
export const DENIED_ACTIONS = ['REJECT', 'reject', 'DENY', 'deny', 'DROPPED', 'dropped'] as const;
/** Zeek states of a TCP attempt the server never answered. */
export const UNANSWERED_STATES = ['S0', 'RSTOS0', 'SH'] as const;

const OUTCOME_DENIED = 1;
const OUTCOME_UNANSWERED = 2;

/** `column` equals one of `values`: an OR chain (DuckDB runs a long IN list as a join). */
function oneOf(column: string, values: readonly string[]): string {
  return `(${values.map((v) => `${column} = '${v}'`).join(' OR ')})`;
}

/** The outcome of connection `c`; captures (no action at all) take the short way. */
export function outcomeSql(c = 'c'): string {
  const fromState = `CASE WHEN ${c}.state = 'REJ' THEN ${OUTCOME_DENIED}
      WHEN ${c}.proto = 6 AND (${oneOf(`${c}.state`, UNANSWERED_STATES)} OR (${c}.state IS NULL AND ${c}.server_packets = 0)) THEN ${OUTCOME_UNANSWERED}
      ELSE 0 END`;
  const denied = ['action', 'client_action', 'server_action'].map((column) => oneOf(`${c}.${column}`, DENIED_ACTIONS)).join(' OR ');
  return `CASE
    WHEN ${c}.action IS NULL AND ${c}.client_action IS NULL AND ${c}.server_action IS NULL THEN ${fromState}
    WHEN ${denied} THEN ${OUTCOME_DENIED}
    ELSE ${fromState} END`;
}

/** The largest match key must stay below 2^63: NS^2 * 256 * NP * 3 < 2^63. */
export function keysFit(sizes: { ns: number; np: number }): boolean {
  return BigInt(sizes.ns) * BigInt(sizes.ns) * 256n * BigInt(sizes.np) * 3n < 2n ** 63n;
}

/** The radixes of the match key (and the last connection a run classified). */
export interface KeySizes {
  /** Address classes + 1. */
  nc: bigint;
  /** Identity classes + 1. */
  ni: bigint;
  /** Port classes + 2. */
  np: bigint;
}

/** Where a connection's key comes from: the class tables, and the radixes ni, ns and np. */
interface KeySources {
  addresses: string;
  identities: string;
  ports: string;
  /** A FROM item aliased z with ni, ns and np; null: the radixes as literals. */
  sizes: string | null;
}

const COMPUTED: KeySources = { addresses: 'classify_addr', identities: 'classify_ident_class', ports: 'classify_ports', sizes: 'classify_sizes z' };
const PERSISTED: KeySources = { addresses: 'address_classes', identities: 'identity_classes', ports: 'port_classes', sizes: null };

/** FROM connections c with what its match key needs, and the key expression. */
function keyed(shape: DataShape, from: KeySources, literal?: KeySizes): { joins: string; key: string } {
  const ident = (side: 'client' | 'server', alias: string): { cls: string; join: string } =>
    shape.identities
      ? { cls: `coalesce(${alias}.ident_cls, 0)`, join: `\nLEFT JOIN ${from.identities} ${alias} ON ${alias}.ident_key = ${identityKey(side)}` }
      : { cls: '0', join: '' };
  const ci = ident('client', 'ci');
  const si = ident('server', 'si');
  // Literal radixes in the view: read from a joined row, they keep DuckDB from planning the key join well.
  const [ni, ns, np] = literal ? [`${literal.ni}`, `${literal.nc * literal.ni}`, `${literal.np}`] : ['z.ni', 'z.ns', 'z.np'];
  return {
    joins: `FROM connections c${from.sizes === null ? '' : `\nCROSS JOIN ${from.sizes}`}
LEFT JOIN ${from.addresses} ca ON ca.family = c.ip_family AND ca.ip_num = c.client_ip_num
LEFT JOIN ${from.addresses} sa ON sa.family = c.ip_family AND sa.ip_num = c.server_ip_num
JOIN ${from.ports} pc ON pc.port = CASE WHEN c.server_port BETWEEN 0 AND 65535 THEN c.server_port ELSE -1 END${ci.join}${si.join}`,
    // port_classes holds every port 0..65535 and -1 (none): an inner join on a dense key is cheap.
    // A row without addresses (aggregated flow logs) has address class 0: only its identity can place it.
    key: `((((coalesce(ca.addr_cls, 0) * ${ni} + ${ci.cls}) * ${ns} + (coalesce(sa.addr_cls, 0) * ${ni} + ${si.cls})) * 256 + c.proto) * ${np}
    + pc.port_cls + 1) * 3 + ${outcomeSql('c')}`,
  };
}

/** classify_sizes: the radixes of the match key. */
export function sizeSteps(shape: DataShape): SqlStep[] {
  return [
    {
      name: 'key sizes',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_sizes AS
SELECT nc, ni, nc * ni AS ns, np FROM (
  SELECT
    (SELECT CAST(coalesce(max(addr_cls), 0) + 1 AS BIGINT) FROM classify_addr) AS nc,
    ${shape.identities ? '(SELECT CAST(coalesce(max(ident_cls), 0) + 1 AS BIGINT) FROM classify_ident_class)' : 'CAST(1 AS BIGINT)'} AS ni,
    (SELECT CAST(max(port_cls) + 2 AS BIGINT) FROM classify_ports) AS np
) d`,
    },
  ];
}

/** classify_keys: every connection keyed and counted in one pass, then decoded per key. */
export function keySteps(shape: DataShape): SqlStep[] {
  const { joins, key } = keyed(shape, COMPUTED);
  return [
    {
      name: 'match keys of connections',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_keys AS
WITH keyed AS (
  SELECT ${key} AS match_key,
    c.first_seen, c.last_seen${shape.gaps ? ', g.id IS NULL AS covered' : ''}
  ${joins}${shape.gaps ? '\n  LEFT JOIN classify_gapped g ON g.id = c.id' : ''}
),
agg AS (
  SELECT match_key, count(*) AS connections, ${shape.gaps ? 'count(*) FILTER (WHERE covered)' : 'count(*)'} AS covered,
    min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM keyed GROUP BY match_key
),
decoded AS (
  SELECT a.*, z.ni, z.np,
    a.match_key // (3 * z.np * 256 * z.ns) AS client_side,
    (a.match_key // (3 * z.np * 256)) % z.ns AS server_side
  FROM agg a CROSS JOIN classify_sizes z
)
SELECT match_key, connections, covered, first_seen, last_seen,
  client_side // ni AS client_cls, client_side % ni AS client_ident,
  server_side // ni AS server_cls, server_side % ni AS server_ident,
  CAST((match_key // (3 * np)) % 256 AS SMALLINT) AS proto,
  (match_key // 3) % np - 1 AS port_cls,
  CAST(match_key % 3 AS TINYINT) AS outcome
FROM decoded`,
    },
  ];
}

/** The verdict of each key (needs classify_key_flows and classify_side_name). */
export function keyVerdictSteps(): SqlStep[] {
  return [
    {
      name: 'verdicts of keys',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_key_verdicts AS
SELECT k.match_key,
  CASE WHEN f.flows IS NULL THEN 'unexpected'
    WHEN k.outcome = ${OUTCOME_DENIED} THEN 'denied'
    WHEN k.outcome = ${OUTCOME_UNANSWERED} THEN 'unanswered'
    ELSE 'documented' END AS verdict,
  coalesce(f.flows, CAST([] AS VARCHAR[])) AS flows,
  cn.endpoint AS client_endpoint, sn.endpoint AS server_endpoint,
  k.connections
FROM classify_keys k
LEFT JOIN (SELECT match_key, list(flow ORDER BY flow) AS flows FROM classify_key_flows GROUP BY match_key) f ON f.match_key = k.match_key
LEFT JOIN classify_side_name cn ON cn.addr_cls = k.client_cls AND cn.ident_cls = k.client_ident
LEFT JOIN classify_side_name sn ON sn.addr_cls = k.server_cls AND sn.ident_cls = k.server_ident`,
    },
  ];
}

/**
 * The verdicts view: each connection of the run, keyed as classification keyed it, joined to its
 * verdict. Recreated by every run with that run's radixes and last connection id.
 */
export function verdictsViewSql(shape: DataShape, sizes: KeySizes, lastConnectionId: bigint | null): string {
  const { joins, key } = keyed(shape, PERSISTED, sizes);
  return `
CREATE OR REPLACE VIEW verdicts AS
SELECT c.id AS connection_id, v.verdict, v.flows, v.client_endpoint, v.server_endpoint
${joins}
JOIN match_verdicts v ON v.match_key = ${key}
WHERE c.id <= ${lastConnectionId ?? 0}`;
}

/** Replace the class tables and match_verdicts (then the verdicts view, with verdictsViewSql). */
export function writeVerdictSteps(shape: DataShape): SqlStep[] {
  const replace = (table: string, select: string): SqlStep[] => [
    { name: `clear ${table}`, sql: `DELETE FROM ${table}` },
    { name: `write ${table}`, sql: `INSERT INTO ${table} ${select}` },
  ];
  return [
    ...replace('address_classes', 'SELECT family, ip_num, addr_cls FROM classify_addr'),
    ...replace('identity_classes', shape.identities ? 'SELECT ident_key, ident_cls FROM classify_ident_class' : 'SELECT NULL, NULL WHERE false'),
    ...replace('port_classes', 'SELECT port, port_cls FROM classify_ports'),
    ...replace('match_verdicts', 'SELECT match_key, verdict, flows, client_endpoint, server_endpoint, connections FROM classify_key_verdicts'),
  ];
}

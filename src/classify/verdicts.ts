/**
 * Connections → verdicts. Each connection is reduced to a match key — client side, server side,
 * protocol, server port class, outcome — packed into one BIGINT:
 *
 *   side      = address class * NI + identity class
 *   match_key = (((client side * NS + server side) * 256 + proto) * NP + port class + 1) * 3 + outcome
 *
 * (NC address classes, NI identity classes, NS = NC * NI sides, NP port classes + 1; integer
 * arithmetic only, so any SQL engine computes the same keys). The keys — far fewer than
 * connections — are matched against flow_rows (match.ts) and judged once; connection_matches keeps
 * each connection's key, match_verdicts each key's verdict, and the verdicts view joins them.
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

/** The outcome of connection `c`; captures (no action at all) take the short way. */
export function outcomeSql(c = 'c'): string {
  const denied = `(${DENIED_ACTIONS.map((a) => `'${a}'`).join(', ')})`;
  const fromState = `CASE WHEN ${c}.state = 'REJ' THEN ${OUTCOME_DENIED}
      WHEN ${c}.proto = 6 AND (${c}.state IN (${UNANSWERED_STATES.map((s) => `'${s}'`).join(', ')}) OR (${c}.state IS NULL AND ${c}.server_packets = 0)) THEN ${OUTCOME_UNANSWERED}
      ELSE 0 END`;
  return `CASE
    WHEN ${c}.action IS NULL AND ${c}.client_action IS NULL AND ${c}.server_action IS NULL THEN ${fromState}
    WHEN ${c}.action IN ${denied} OR ${c}.client_action IN ${denied} OR ${c}.server_action IN ${denied} THEN ${OUTCOME_DENIED}
    ELSE ${fromState} END`;
}

/** The largest match key must stay below 2^63: NS^2 * 256 * NP * 3 < 2^63. */
export function keysFit(sizes: { ns: number; np: number }): boolean {
  return BigInt(sizes.ns) * BigInt(sizes.ns) * 256n * BigInt(sizes.np) * 3n < 2n ** 63n;
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

/** classify_conn: every connection's match key (and its time span, for the keys' aggregates). */
export function connectionSteps(shape: DataShape): SqlStep[] {
  const ident = (side: 'client' | 'server', alias: string): { cls: string; join: string } =>
    shape.identities
      ? { cls: `coalesce(${alias}.ident_cls, 0)`, join: `\nLEFT JOIN classify_ident_class ${alias} ON ${alias}.ident_key = ${identityKey(side)}` }
      : { cls: '0', join: '' };
  const ci = ident('client', 'ci');
  const si = ident('server', 'si');
  return [
    {
      name: 'match keys of connections',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_conn AS
SELECT c.id,
  ((((ca.addr_cls * z.ni + ${ci.cls}) * z.ns + (sa.addr_cls * z.ni + ${si.cls})) * 256 + c.proto) * z.np
    + coalesce(pc.port_cls, -1) + 1) * 3 + ${outcomeSql('c')} AS match_key,
  c.first_seen, c.last_seen
FROM connections c
CROSS JOIN classify_sizes z
JOIN classify_addr ca ON ca.family = c.ip_family AND ca.ip_num = c.client_ip_num
JOIN classify_addr sa ON sa.family = c.ip_family AND sa.ip_num = c.server_ip_num
LEFT JOIN classify_ports pc ON pc.port = c.server_port${ci.join}${si.join}`,
    },
  ];
}

/** classify_keys: one row per match key, decoded, with its connections (and those outside gaps). */
export function keySteps(shape: DataShape): SqlStep[] {
  return [
    {
      name: 'distinct match keys',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_keys AS
WITH agg AS (
  SELECT match_key, count(*) AS connections, min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM classify_conn GROUP BY match_key
)${
        shape.gaps
          ? `,
gapped AS (
  SELECT c.match_key, count(*) AS connections FROM classify_gapped g JOIN classify_conn c ON c.id = g.id GROUP BY c.match_key
)`
          : ''
      },
decoded AS (
  SELECT a.*, ${shape.gaps ? 'a.connections - coalesce(g.connections, 0)' : 'a.connections'} AS covered,
    a.match_key // (3 * z.np * 256 * z.ns) AS client_side,
    (a.match_key // (3 * z.np * 256)) % z.ns AS server_side,
    z.ni, z.np
  FROM agg a CROSS JOIN classify_sizes z${shape.gaps ? '\n  LEFT JOIN gapped g ON g.match_key = a.match_key' : ''}
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

/** Replace connection_matches and match_verdicts (the verdicts view joins them). */
export function writeVerdictSteps(): SqlStep[] {
  return [
    { name: 'clear connection_matches', sql: 'DELETE FROM connection_matches' },
    { name: 'write connection_matches', sql: 'INSERT INTO connection_matches (connection_id, match_key) SELECT id, match_key FROM classify_conn' },
    { name: 'clear match_verdicts', sql: 'DELETE FROM match_verdicts' },
    {
      name: 'write match_verdicts',
      sql: `
INSERT INTO match_verdicts (match_key, verdict, flows, client_endpoint, server_endpoint, connections)
SELECT match_key, verdict, flows, client_endpoint, server_endpoint, connections FROM classify_key_verdicts`,
    },
  ];
}

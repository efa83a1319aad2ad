/**
 * Matching keys to flows.
 *
 * Server ports first become port classes: the port ranges of flow_rows cut 0..65535 into pieces,
 * and a port's class is its piece (-1: no port, or none in 0..65535). Every range of every row either holds a whole piece or none of
 * it, so matching on the class is matching on the port — while the number of distinct keys stays
 * bounded by the rules, not by how many ephemeral ports the data holds.
 *
 * A key matches a flow row when its client side belongs to the row's client endpoint, its server
 * side to the row's server endpoint, the protocol is the row's (or the row has any protocol) and
 * its port class lies in the row's port range (or the row has none). Equi-joins on the endpoint
 * keys first, then the protocol and port comparisons: the semantics of the in-memory matcher
 * (src/rules/match.ts) over the same rules.
 */
import type { RuleTableNames, SqlStep } from './steps.js';

export function portSteps(t: RuleTableNames): SqlStep[] {
  return [
    {
      name: 'port classes',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_ports AS
WITH bounds AS (
  SELECT port_lo AS bound FROM ${t.flowRows} WHERE port_lo IS NOT NULL
  UNION
  SELECT port_hi + 1 FROM ${t.flowRows} WHERE port_hi IS NOT NULL
)
SELECT CAST(p.port AS INTEGER) AS port, CAST(count(b.bound) AS BIGINT) AS port_cls
FROM range(0, 65536) p(port) LEFT JOIN bounds b ON b.bound <= p.port
GROUP BY p.port
UNION ALL
SELECT -1, -1`,
    },
    {
      name: 'port class ranges',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_port_ranges AS
SELECT port_cls, min(port) AS lo, max(port) AS hi FROM classify_ports WHERE port >= 0 GROUP BY port_cls`,
    },
  ];
}

export function matchSteps(t: RuleTableNames): SqlStep[] {
  return [
    {
      name: 'match keys to flows',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_key_flows AS
SELECT DISTINCT k.match_key, r.flow
FROM classify_keys k
JOIN classify_side_ep ce ON ce.addr_cls = k.client_cls AND ce.ident_cls = k.client_ident
JOIN ${t.flowRows} r ON r.client_endpoint = ce.endpoint_key
JOIN classify_side_ep se ON se.addr_cls = k.server_cls AND se.ident_cls = k.server_ident AND se.endpoint_key = r.server_endpoint
LEFT JOIN classify_port_ranges p ON p.port_cls = k.port_cls
WHERE (r.proto IS NULL OR r.proto = k.proto)
  AND (r.port_lo IS NULL OR (p.lo >= r.port_lo AND p.hi <= r.port_hi))`,
    },
  ];
}

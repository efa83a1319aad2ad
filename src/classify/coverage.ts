/**
 * Coverage: what the data could have shown, so that "never observed" is honest.
 *
 * - A connection inside a gap window of its own source (gaps: NODATA/SKIPDATA intervals, the tail
 *   of a truncated capture, windows of lost packets) — first_seen and last_seen both within
 *   [start_time, end_time], a NULL bound being open, on the gap's interface when both name one —
 *   still gets its verdict, but does not show that the data was watching its endpoints.
 * - An endpoint is visible when a connection outside every gap has a side that belongs to it.
 *   `any` is no evidence of coverage: a flow counts only its named endpoints, CIDRs and hosts
 *   (a flow between `any` and `any` is covered by any connection outside the gaps).
 *
 * Flow status, first that applies:
 *   not_covered  no row of the flow can match (a param without a value, an endpoint nothing binds);
 *   observed     some documented connection matches it;
 *   denied       it matched only denied (or denied and unanswered) connections;
 *   unanswered   it matched only unanswered connections;
 *   unobserved   no connection matches it, but one of its endpoints is visible;
 *   not_covered  none of its endpoints is visible: absent from the data, or seen only inside gaps.
 */
import type { RuleTableNames, SqlStep } from './steps.js';

export const FLOW_STATUSES = ['observed', 'unobserved', 'not_covered', 'denied', 'unanswered'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

const WITHIN = `(g.start_time IS NULL OR c.first_seen >= g.start_time) AND (g.end_time IS NULL OR c.last_seen <= g.end_time)`;

/** classify_gapped: connections lying inside a gap window of their source. */
export function gapSteps(): SqlStep[] {
  return [
    {
      name: 'connections inside gaps',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_gapped AS
SELECT DISTINCT id FROM (
  SELECT c.id FROM connections c
  JOIN (SELECT * FROM gaps WHERE interface_id IS NULL) g ON g.source_id = c.source_id
  WHERE ${WITHIN}
  UNION ALL
  SELECT c.id FROM (SELECT * FROM connections WHERE interface_id IS NULL) c
  JOIN (SELECT * FROM gaps WHERE interface_id IS NOT NULL) g ON g.source_id = c.source_id
  WHERE ${WITHIN}
  UNION ALL
  SELECT c.id FROM connections c
  JOIN gaps g ON g.source_id = c.source_id AND g.interface_id = c.interface_id
  WHERE ${WITHIN}
) d`,
    },
  ];
}

/** Fill the status columns of flow_status (its descriptive columns are loaded before). */
export function flowStatusSteps(t: RuleTableNames): SqlStep[] {
  return [
    {
      name: 'flow status',
      sql: `
UPDATE ${t.flowStatus} SET
  status = x.status, reason = x.reason,
  connections = x.connections, documented = x.documented, denied = x.denied, unanswered = x.unanswered,
  first_seen = x.first_seen, last_seen = x.last_seen
FROM (
  WITH per_flow AS (
    SELECT f.flow, sum(k.connections) AS connections,
      coalesce(sum(k.connections) FILTER (WHERE k.outcome = 0), 0) AS documented,
      coalesce(sum(k.connections) FILTER (WHERE k.outcome = 1), 0) AS denied,
      coalesce(sum(k.connections) FILTER (WHERE k.outcome = 2), 0) AS unanswered,
      min(k.first_seen) AS first_seen, max(k.last_seen) AS last_seen
    FROM classify_key_flows f JOIN classify_keys k ON k.match_key = f.match_key
    GROUP BY f.flow
  ),
  side_seen AS (
    SELECT client_cls AS addr_cls, client_ident AS ident_cls, connections, covered FROM classify_keys
    UNION ALL
    SELECT server_cls, server_ident, connections, covered FROM classify_keys
  ),
  seen AS (
    SELECT e.endpoint_key, sum(s.connections) AS connections, sum(s.covered) AS covered
    FROM side_seen s JOIN classify_side_ep e ON e.addr_cls = s.addr_cls AND e.ident_cls = s.ident_cls
    GROUP BY e.endpoint_key
  ),
  endpoint_names AS (
    SELECT endpoint_key, min(endpoint) AS endpoint FROM ${t.bindings} GROUP BY endpoint_key
  ),
  flow_endpoints AS (
    SELECT flow, client_endpoint AS endpoint_key FROM ${t.flowRows} WHERE client_endpoint <> 'any'
    UNION
    SELECT flow, server_endpoint FROM ${t.flowRows} WHERE server_endpoint <> 'any'
  ),
  coverage AS (
    SELECT fe.flow,
      string_agg(DISTINCT CASE WHEN s.covered > 0 THEN n.endpoint END, ', ' ORDER BY CASE WHEN s.covered > 0 THEN n.endpoint END) AS visible,
      string_agg(DISTINCT CASE WHEN s.connections > 0 AND s.covered = 0 THEN n.endpoint END, ', '
        ORDER BY CASE WHEN s.connections > 0 AND s.covered = 0 THEN n.endpoint END) AS gaps_only,
      string_agg(DISTINCT n.endpoint, ', ' ORDER BY n.endpoint) AS endpoints
    FROM flow_endpoints fe
    LEFT JOIN seen s ON s.endpoint_key = fe.endpoint_key
    LEFT JOIN endpoint_names n ON n.endpoint_key = fe.endpoint_key
    GROUP BY fe.flow
  ),
  bound AS (
    SELECT DISTINCT r.flow FROM ${t.flowRows} r
    WHERE r.client_endpoint IN (SELECT endpoint_key FROM ${t.bindings})
      AND r.server_endpoint IN (SELECT endpoint_key FROM ${t.bindings})
  ),
  totals AS (SELECT coalesce(sum(covered), 0) AS covered FROM classify_keys),
  judged AS (
    SELECT fs.flow, fs.unresolved, b.flow IS NOT NULL AS bound,
      coalesce(p.connections, 0) AS connections, coalesce(p.documented, 0) AS documented,
      coalesce(p.denied, 0) AS denied, coalesce(p.unanswered, 0) AS unanswered,
      p.first_seen, p.last_seen, v.flow IS NOT NULL AS named, v.visible, v.gaps_only, v.endpoints, t.covered AS data_covered
    FROM ${t.flowStatus} fs
    LEFT JOIN per_flow p ON p.flow = fs.flow
    LEFT JOIN coverage v ON v.flow = fs.flow
    LEFT JOIN bound b ON b.flow = fs.flow
    CROSS JOIN totals t
  )
  SELECT flow, connections, documented, denied, unanswered, first_seen, last_seen,
    CASE
      WHEN NOT bound THEN 'not_covered'
      WHEN documented > 0 THEN 'observed'
      WHEN denied > 0 THEN 'denied'
      WHEN unanswered > 0 THEN 'unanswered'
      WHEN visible IS NOT NULL OR (NOT named AND data_covered > 0) THEN 'unobserved'
      ELSE 'not_covered'
    END AS status,
    CASE
      WHEN NOT bound THEN 'cannot match a connection: ' ||
        CASE WHEN len(unresolved) > 0 THEN array_to_string(unresolved, '; ') ELSE 'its endpoints bind no address, pod or host name' END
      WHEN documented > 0 THEN 'seen in documented connections'
      WHEN denied > 0 AND unanswered > 0 THEN 'seen only in denied or unanswered connections'
      WHEN denied > 0 THEN 'seen only in denied connections'
      WHEN unanswered > 0 THEN 'seen only in unanswered connections'
      WHEN visible IS NOT NULL THEN 'never seen, though the data covers ' || visible
      WHEN NOT named AND data_covered > 0 THEN 'never seen, though the data holds connections'
      WHEN gaps_only IS NOT NULL THEN 'the data cannot show it: ' || gaps_only || ' seen only inside gaps'
      WHEN NOT named THEN 'the data cannot show it: no connection outside a gap'
      ELSE 'the data cannot show it: no connection involves ' || endpoints
    END AS reason
  FROM judged
) x
WHERE ${t.flowStatus}.flow = x.flow`,
    },
  ];
}

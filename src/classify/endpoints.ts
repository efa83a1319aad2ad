/**
 * Which endpoints each side of a connection belongs to, resolved per address segment, per
 * distinct address and per distinct Kubernetes identity — never per connection:
 *
 * - address_segments are disjoint and sorted: an ASOF join places each distinct address in the
 *   last segment starting at or below it (if that segment's hi is not below it). The segment's
 *   bindings are every cidr binding holding the address, longest prefix already decided by the
 *   inventory's carving;
 * - names evidence (DNS answers, TLS SNI, flow-log metadata; never a suspicious name) adds the
 *   host bindings of the names an address carries;
 * - addresses belonging to the same endpoints share an address class: a class is a set of
 *   (endpoint, yields, naming rank). Segments give most classes; an address with names gets its own;
 * - a pod identity (namespace + labels) matches k8s bindings through selector_terms; identities
 *   matching the same bindings share an identity class. When an identity matches an inventory
 *   endpoint's selector, that side's address counts for no other inventory endpoint (identity
 *   beats address): inventory CIDR endpoints "yield". Host and pack bindings do not.
 *
 * A side is (address class, identity class); classify_side_ep lists its endpoints and
 * classify_side_name the one name reports show for it.
 */
import type { DataShape, RuleTableNames, SqlStep } from './steps.js';

/** Naming order: inventory by pod identity, by address, by names evidence; then a pack's own endpoint. */
const RANK = `CASE WHEN b.origin = 'inventory' THEN (CASE b.kind WHEN 'k8s' THEN 1 WHEN 'cidr' THEN 2 ELSE 3 END) WHEN b.origin = 'pack' THEN 4 END`;

/** A host binding matches a name as the in-memory matcher does: case-insensitive, no trailing dot, `*.` any subdomain. */
const NAME = `regexp_replace(lower(n.name), '\\.$', '')`;

/** An address class's identity: its endpoints with how they behave, as one sortable text. */
const SIGNATURE = `string_agg(endpoint_key || ' ' || CAST(yields AS VARCHAR) || ' ' || CAST(coalesce(rank, 9) AS VARCHAR), chr(10) ORDER BY endpoint_key)`;

export function addressSteps(shape: DataShape, t: RuleTableNames): SqlStep[] {
  const steps: SqlStep[] = [
    {
      name: 'endpoints of address segments',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_seg_ep AS
SELECT s.family, s.lo, b.endpoint_key, any_value(b.endpoint) AS endpoint,
  bool_and(b.origin = 'inventory') AS yields, min(${RANK}) AS rank
FROM (SELECT family, lo, unnest(bindings) AS binding_id FROM ${t.segments}) s
JOIN ${t.bindings} b ON b.binding_id = s.binding_id
GROUP BY s.family, s.lo, b.endpoint_key`,
    },
    {
      name: 'place addresses in segments',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_addr_seg AS
WITH addresses AS (
  -- Aggregated flow-log rows have no addresses: they are placed by identity only.
  SELECT DISTINCT ip_family AS family, client_ip_num AS ip_num FROM connections WHERE client_ip_num IS NOT NULL
  UNION
  SELECT DISTINCT ip_family, server_ip_num FROM connections WHERE server_ip_num IS NOT NULL
)
SELECT a.family, a.ip_num, CASE WHEN a.ip_num <= s.hi THEN s.lo END AS seg_lo
FROM addresses a ASOF LEFT JOIN ${t.segments} s ON a.family = s.family AND a.ip_num >= s.lo`,
    },
  ];
  if (shape.hosts) {
    steps.push({
      name: 'host names of addresses',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_addr_hosts AS
WITH named AS (
  SELECT DISTINCT n.address, b.binding_id
  FROM names n JOIN ${t.bindings} b
    ON b.kind = 'host' AND (b.host = ${NAME} OR (starts_with(b.host, '*.') AND ends_with(${NAME}, substr(b.host, 2))))
  WHERE NOT n.suspicious
)
SELECT DISTINCT c.ip_family AS family, c.client_ip_num AS ip_num, h.binding_id FROM connections c JOIN named h ON h.address = c.client_ip
UNION
SELECT DISTINCT c.ip_family, c.server_ip_num, h.binding_id FROM connections c JOIN named h ON h.address = c.server_ip`,
    });
  }
  // Units that get a class: every segment (ip_num NULL), and every address with names (its own).
  const namedUnits = shape.hosts
    ? `
  UNION ALL
  SELECT a.family, a.seg_lo, a.ip_num, e.endpoint_key, e.endpoint, e.yields, e.rank
  FROM (SELECT DISTINCT family, ip_num FROM classify_addr_hosts) h
  JOIN classify_addr_seg a ON a.family = h.family AND a.ip_num = h.ip_num
  JOIN classify_seg_ep e ON e.family = a.family AND e.lo = a.seg_lo
  UNION ALL
  SELECT h.family, a.seg_lo, h.ip_num, b.endpoint_key, b.endpoint, false, ${RANK}
  FROM classify_addr_hosts h
  JOIN classify_addr_seg a ON a.family = h.family AND a.ip_num = h.ip_num
  JOIN ${t.bindings} b ON b.binding_id = h.binding_id`
    : '';
  steps.push(
    {
      name: 'address classes',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_units AS
WITH unit_ep AS (
  SELECT family, lo AS seg_lo, CAST(NULL AS UHUGEINT) AS ip_num, endpoint_key, endpoint, yields, rank FROM classify_seg_ep${namedUnits}
),
ep AS (
  SELECT family, seg_lo, ip_num, endpoint_key, any_value(endpoint) AS endpoint, bool_and(yields) AS yields, min(rank) AS rank
  FROM unit_ep GROUP BY family, seg_lo, ip_num, endpoint_key
),
signatures AS (
  SELECT family, seg_lo, ip_num, ${SIGNATURE} AS signature FROM ep GROUP BY family, seg_lo, ip_num
),
classes AS (
  SELECT signature, CAST(row_number() OVER (ORDER BY signature) AS BIGINT) AS addr_cls FROM (SELECT DISTINCT signature FROM signatures) d
)
SELECT s.family, s.seg_lo, s.ip_num, c.addr_cls, e.endpoint_key, e.endpoint, e.yields, e.rank
FROM signatures s JOIN classes c ON c.signature = s.signature
JOIN ep e ON e.family = s.family AND e.seg_lo IS NOT DISTINCT FROM s.seg_lo AND e.ip_num IS NOT DISTINCT FROM s.ip_num`,
    },
    {
      name: 'endpoints of address classes',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_class_ep AS
SELECT DISTINCT addr_cls, endpoint_key, endpoint, yields, rank FROM classify_units`,
    },
    {
      name: 'classes of addresses',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_addr AS
SELECT a.family, a.ip_num, ${shape.hosts ? 'coalesce(nu.addr_cls, su.addr_cls, 0)' : 'coalesce(su.addr_cls, 0)'} AS addr_cls
FROM classify_addr_seg a
LEFT JOIN (SELECT DISTINCT family, seg_lo, addr_cls FROM classify_units WHERE ip_num IS NULL) su
  ON su.family = a.family AND su.seg_lo = a.seg_lo${
    shape.hosts
      ? `
LEFT JOIN (SELECT DISTINCT family, ip_num, addr_cls FROM classify_units WHERE ip_num IS NOT NULL) nu
  ON nu.family = a.family AND nu.ip_num = a.ip_num`
      : ''
  }`,
    },
  );
  return steps;
}

/** The key one side's identity is joined on: namespace and labels, as text (JSON keeps it unambiguous). */
export function identityKey(side: 'client' | 'server', alias = 'c'): string {
  return `${alias}.${side}_namespace || chr(31) || coalesce(CAST(to_json(${alias}.${side}_labels) AS VARCHAR), '')`;
}

export function identitySteps(shape: DataShape, t: RuleTableNames): SqlStep[] {
  if (!shape.identities) return [];
  return [
    {
      name: 'pod identities',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_ident AS
WITH sides AS (
  SELECT ${identityKey('client')} AS ident_key, c.client_namespace AS namespace, c.client_labels AS labels FROM connections c WHERE c.client_namespace IS NOT NULL
  UNION ALL
  SELECT ${identityKey('server')}, c.server_namespace, c.server_labels FROM connections c WHERE c.server_namespace IS NOT NULL
)
SELECT CAST(row_number() OVER (ORDER BY ident_key) AS INTEGER) AS ident_id, ident_key, namespace, labels
FROM (SELECT ident_key, any_value(namespace) AS namespace, any_value(labels) AS labels FROM sides GROUP BY ident_key) d`,
    },
    {
      name: 'pod labels',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_ident_labels AS
SELECT ident_id, unnest(map_keys(labels)) AS key, unnest(map_values(labels)) AS value FROM classify_ident WHERE labels IS NOT NULL`,
    },
    {
      name: 'selectors matching pod identities',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_ident_bindings AS
WITH candidates AS (
  SELECT i.ident_id, b.binding_id
  FROM classify_ident i JOIN ${t.bindings} b ON b.kind = 'k8s' AND (b.namespace IS NULL OR b.namespace = i.namespace)
),
failed AS (
  SELECT DISTINCT c.ident_id, c.binding_id
  FROM candidates c
  JOIN ${t.terms} st ON st.binding_id = c.binding_id
  LEFT JOIN classify_ident_labels l ON l.ident_id = c.ident_id AND l.key = st.key
  WHERE CASE st.operator
    WHEN 'In' THEN l.key IS NULL OR NOT list_contains(st.label_values, l.value)
    WHEN 'NotIn' THEN l.key IS NOT NULL AND list_contains(st.label_values, l.value)
    WHEN 'Exists' THEN l.key IS NULL
    WHEN 'DoesNotExist' THEN l.key IS NOT NULL
  END
)
SELECT c.ident_id, c.binding_id FROM candidates c
WHERE NOT EXISTS (SELECT 1 FROM failed f WHERE f.ident_id = c.ident_id AND f.binding_id = c.binding_id)`,
    },
    {
      name: 'identity classes',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_ident_class AS
WITH signatures AS (
  SELECT ident_id, string_agg(CAST(binding_id AS VARCHAR), ',' ORDER BY binding_id) AS signature FROM classify_ident_bindings GROUP BY ident_id
),
classes AS (
  SELECT signature, CAST(row_number() OVER (ORDER BY signature) AS BIGINT) AS ident_cls FROM (SELECT DISTINCT signature FROM signatures) d
)
SELECT i.ident_id, i.ident_key, coalesce(c.ident_cls, 0) AS ident_cls
FROM classify_ident i LEFT JOIN signatures s ON s.ident_id = i.ident_id LEFT JOIN classes c ON c.signature = s.signature`,
    },
    {
      name: 'selectors of identity classes',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_ident_class_bindings AS
SELECT DISTINCT ic.ident_cls, m.binding_id
FROM classify_ident_class ic JOIN classify_ident_bindings m ON m.ident_id = ic.ident_id`,
    },
  ];
}

/** Endpoints and names of the sides the connections have (needs classify_keys). */
export function sideSteps(shape: DataShape, t: RuleTableNames): SqlStep[] {
  const identityEndpoints = shape.identities
    ? `
identity_endpoints AS (
  SELECT DISTINCT m.ident_cls, b.endpoint
  FROM classify_ident_class_bindings m JOIN ${t.bindings} b ON b.binding_id = m.binding_id
  WHERE b.origin = 'inventory'
),`
    : '';
  const yieldFilter = shape.identities
    ? `
  WHERE NOT e.yields
    OR NOT EXISTS (SELECT 1 FROM identity_endpoints ie WHERE ie.ident_cls = s.ident_cls)
    OR EXISTS (SELECT 1 FROM identity_endpoints ie WHERE ie.ident_cls = s.ident_cls AND ie.endpoint = e.endpoint)`
    : '';
  const byIdentity = shape.identities
    ? `
  UNION ALL
  SELECT s.addr_cls, s.ident_cls, b.endpoint_key, b.endpoint, ${RANK} AS rank
  FROM sides s
  JOIN classify_ident_class_bindings m ON m.ident_cls = s.ident_cls
  JOIN ${t.bindings} b ON b.binding_id = m.binding_id`
    : '';
  return [
    {
      name: 'endpoints of connection sides',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_side_ep AS
WITH sides AS (
  SELECT client_cls AS addr_cls, client_ident AS ident_cls FROM classify_keys
  UNION
  SELECT server_cls, server_ident FROM classify_keys
),${identityEndpoints}
hits AS (
  SELECT s.addr_cls, s.ident_cls, e.endpoint_key, e.endpoint, e.rank
  FROM sides s JOIN classify_class_ep e ON e.addr_cls = s.addr_cls${yieldFilter}${byIdentity}
  UNION ALL
  SELECT s.addr_cls, s.ident_cls, 'any', 'any', NULL FROM sides s
)
SELECT addr_cls, ident_cls, endpoint_key, any_value(endpoint) AS endpoint, min(rank) AS rank
FROM hits GROUP BY addr_cls, ident_cls, endpoint_key`,
    },
    {
      name: 'names of connection sides',
      sql: `
CREATE OR REPLACE TEMP TABLE classify_side_name AS
SELECT addr_cls, ident_cls, endpoint FROM (
  SELECT addr_cls, ident_cls, endpoint, row_number() OVER (PARTITION BY addr_cls, ident_cls ORDER BY rank, endpoint) AS n
  FROM classify_side_ep WHERE rank IS NOT NULL
) d WHERE n = 1`,
    },
  ];
}

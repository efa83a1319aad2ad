/**
 * The compiled rows as DuckDB table rows: one column per scalar, client and server sides spelled
 * out, so the classifier can append them and join connections with plain comparisons
 * (`server_ip_num BETWEEN server_lo AND server_hi`, `server_port BETWEEN port_lo AND port_hi`).
 */
import type { CompiledIdentity, CompiledRow, CompiledSide } from './types.js';

export type TableValue = string | number | bigint | null;

const SIDE_COLUMNS = [
  ['endpoint', 'VARCHAR NOT NULL'], // the rule's endpoint ref: name, any, CIDR text or host
  ['origin', 'VARCHAR NOT NULL'], // rule | pack | inventory (inventory CIDRs yield to Kubernetes identity)
  ['kind', 'VARCHAR NOT NULL'], // any | cidr | host | k8s
  ['family', 'TINYINT'], // cidr: 4 or 6
  ['lo', 'UHUGEINT'], // cidr: first address, as *_ip_num
  ['hi', 'UHUGEINT'], // cidr: last address
  ['host', 'VARCHAR'], // host: lower-case name, *.suffix for subdomains
  ['namespace', 'VARCHAR'], // k8s: namespace, NULL for any
  ['labels', 'JSON'], // k8s: labels that must all be equal
  ['expressions', 'JSON'], // k8s: [{key, operator, values}]
] as const;

/** Column names and DuckDB types of `toTableRow`, in order. */
export const COMPILED_ROW_COLUMNS: readonly (readonly [string, string])[] = [
  ['flow', 'VARCHAR NOT NULL'], // <pack>/<rule id>
  ['direction', 'VARCHAR NOT NULL'], // forward: client is the rule's from; reverse: both-ways rules only
  ['proto', 'SMALLINT'], // IANA number; NULL: any protocol
  ['port_lo', 'INTEGER'], // server port range; NULL: any port or a port-less protocol
  ['port_hi', 'INTEGER'],
  ...SIDE_COLUMNS.map(([name, type]) => [`client_${name}`, type] as const),
  ...SIDE_COLUMNS.map(([name, type]) => [`server_${name}`, type] as const),
];

/** Column names and DuckDB types of `toIdentityRow`, in order. */
export const IDENTITY_COLUMNS: readonly (readonly [string, string])[] = [
  ['endpoint', 'VARCHAR NOT NULL'],
  ['namespace', 'VARCHAR'],
  ['labels', 'JSON'],
  ['expressions', 'JSON'],
];

export function toTableRow(row: CompiledRow): Record<string, TableValue> {
  return { flow: row.flow, direction: row.direction, proto: row.proto, port_lo: row.port_lo, port_hi: row.port_hi, ...sideColumns('client', row.client), ...sideColumns('server', row.server) };
}

export function toIdentityRow(identity: CompiledIdentity): Record<string, TableValue> {
  return { endpoint: identity.endpoint, namespace: identity.namespace, labels: JSON.stringify(identity.labels), expressions: JSON.stringify(identity.expressions) };
}

function sideColumns(prefix: 'client' | 'server', side: CompiledSide): Record<string, TableValue> {
  return {
    [`${prefix}_endpoint`]: side.endpoint,
    [`${prefix}_origin`]: side.origin,
    [`${prefix}_kind`]: side.kind,
    [`${prefix}_family`]: side.family,
    [`${prefix}_lo`]: side.lo,
    [`${prefix}_hi`]: side.hi,
    [`${prefix}_host`]: side.host,
    [`${prefix}_namespace`]: side.namespace,
    [`${prefix}_labels`]: side.labels === null ? null : JSON.stringify(side.labels),
    [`${prefix}_expressions`]: side.expressions === null ? null : JSON.stringify(side.expressions),
  };
}

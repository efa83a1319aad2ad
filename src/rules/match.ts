/**
 * The in-memory matcher over compiled rows: the reference the pack tests run against, with the same
 * semantics the DuckDB classifier gives the same rows in SQL.
 */
import { addressToBigInt, parseAddress } from '../net/ip.js';
import { hostMatches, selectorMatches } from './bindings.js';
import type { K8sIdentity } from './bindings.js';
import type { CompiledRow, CompiledRules, CompiledSide } from './types.js';

/** One side of a connection as the store has it. */
export interface ConnectionSide {
  ip: string;
  port: number | null;
  /** Kubernetes identity the flow log carried, if any. */
  k8s?: K8sIdentity | null;
  /** Names evidence for this address (DNS answers, TLS SNI) — never a live lookup. */
  names?: readonly string[];
}

export interface ConnectionToMatch {
  /** IANA protocol number. */
  proto: number;
  client: ConnectionSide;
  server: ConnectionSide;
}

interface PlacedSide extends ConnectionSide {
  family: 4 | 6;
  num: bigint;
  /** Inventory endpoints the side's Kubernetes identity matches. */
  identity: Set<string>;
}

/** The flows (`<pack>/<rule>`) the connection matches, sorted; empty when it is unexpected. */
export function matchConnection(compiled: CompiledRules, conn: ConnectionToMatch): string[] {
  const client = place(conn.client, compiled);
  const server = place(conn.server, compiled);
  const flows = new Set<string>();
  for (const row of compiled.rows) {
    if (!flows.has(row.flow) && rowMatches(row, conn.proto, client, server)) flows.add(row.flow);
  }
  return [...flows].sort();
}

function place(side: ConnectionSide, compiled: CompiledRules): PlacedSide {
  const address = parseAddress(side.ip);
  if (!address) throw new Error(`not an IP address: ${side.ip}`);
  const identity = new Set(compiled.identities.filter((id) => selectorMatches(id, side.k8s)).map((id) => id.endpoint));
  return { ...side, family: address.family, num: addressToBigInt(address.bytes, 0, address.family === 4 ? 4 : 16), identity };
}

function rowMatches(row: CompiledRow, proto: number, client: PlacedSide, server: PlacedSide): boolean {
  if (row.proto !== null && row.proto !== proto) return false;
  if (row.port_lo !== null && (server.port === null || server.port < row.port_lo || server.port > row.port_hi!)) return false;
  return sideMatches(row.client, client) && sideMatches(row.server, server);
}

function sideMatches(rule: CompiledSide, side: PlacedSide): boolean {
  switch (rule.kind) {
    case 'any':
      return true;
    case 'cidr':
      if (rule.family !== side.family || side.num < rule.lo! || side.num > rule.hi!) return false;
      // Identity beats address: a pod another inventory endpoint selects is not this endpoint's by its IP.
      return rule.origin !== 'inventory' || side.identity.size === 0 || side.identity.has(rule.endpoint);
    case 'host':
      return (side.names ?? []).some((name) => hostMatches(rule.host!, name));
    case 'k8s':
      return selectorMatches(rule, side.k8s);
  }
}

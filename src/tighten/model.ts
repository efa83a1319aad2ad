/**
 * The target-neutral tightened rule set: allow rules grouped by endpoint (the server's endpoint for
 * ingress, the client's for egress), each with its peers, protocol, ports and the documented
 * flows and connection counts that justify it. Generators (targets/) only render this; the
 * builder (build.ts) is the only place that decides what is allowed.
 *
 * Semantics every target follows: an endpoint that is *governed* is isolated in both directions —
 * a connection touching it passes only if one of its rules for that direction admits it; an
 * endpoint that is not governed (the rest of the world, a vendor's own addresses) filters nothing.
 */
import { formatAddressNumber } from '../net/ip.js';
import { selectorMatches } from '../rules/bindings.js';
import type { K8sIdentity } from '../rules/bindings.js';
import type { AddressInterval } from '../rules/cidr.js';
import { formatPortRange } from '../rules/ports.js';
import type { K8sSelector, PortRange } from '../rules/types.js';

export type { PortRange };

export type RuleDirection = 'ingress' | 'egress';
export type Family = 4 | 6;

/** An inclusive address interval, addresses as unsigned integers (connections.*_ip_num). */
export type Interval = AddressInterval;

export interface Cidr {
  family: Family;
  base: bigint;
  prefix: number;
}

/** The flows that justify a rule and how many observed connections each contributed. */
export interface Provenance {
  flow: string;
  connections: number;
}

export interface RulePeers {
  /** The documented peer was `any` (a kept unobserved flow): every address. */
  any: boolean;
  /** Addresses, merged (build.ts / merge.ts). Empty when the data had no addresses for the peer. */
  cidrs: Cidr[];
  /** Pods by Kubernetes identity, when the peer side carried one; Kubernetes targets prefer it. */
  selector: K8sSelector | null;
}

export interface TightRule {
  /** `<endpoint>/<direction>-<n>`, stable for the same data. */
  id: string;
  direction: RuleDirection;
  /** The endpoint the rule is attached to; null: a side no endpoint names. */
  endpoint: string | null;
  /** The peer's endpoint name, for the reader. */
  peerEndpoint: string | null;
  peers: RulePeers;
  /** IANA protocol number; null: any protocol. */
  proto: number | null;
  /** Server ports; null: any port, or a protocol without ports. */
  ports: PortRange[] | null;
  provenance: Provenance[];
  /** Observed documented connections behind the rule (0 for a kept unobserved flow). */
  connections: number;
  /** Made from a documented flow that was never observed (--keep-unobserved). */
  kept: boolean;
  /** Unexpected connections this rule admits anyway: the same peer, port and endpoint were also documented. */
  unexpectedAdmitted: number;
}

export type ScopeOrigin = 'inventory' | 'pack' | 'none';

/** What an endpoint stands for, and whether the rule set governs it. */
export interface EndpointScope {
  /** Null: the sides no endpoint names. */
  name: string | null;
  origin: ScopeOrigin;
  governed: boolean;
  /** Why it is not governed; null when it is. */
  reason: string | null;
  /** Its addresses: the bindings' intervals, plus observed addresses of its sides outside them. Coalesced. */
  intervals: Interval[];
  /** Its pods: its bindings' selectors, else ones derived from the identities observed on its sides. */
  selectors: K8sSelector[];
  selectorSource: 'inventory' | 'pack' | 'observed' | null;
}

/** A documented flow with no observed documented connection, kept as rules or dropped. */
export interface UnobservedFlow {
  flow: string;
  title: string;
  status: string;
  kept: boolean;
  /** Why it was not kept (or what of it could not be), null when kept whole. */
  note: string | null;
}

export interface RuleSetCounts {
  documented: number;
  unexpected: number;
  denied: number;
  unanswered: number;
  /** Unexpected connections some rule admits (see TightRule.unexpectedAdmitted). */
  unexpectedAdmitted: number;
  /** Unexpected connections neither of whose sides is a governed endpoint: endpoint-attached rules cannot deny them. */
  unexpectedUngoverned: number;
  /** Documented connections without addresses (aggregated flow logs): only selector-based targets can express them. */
  documentedWithoutAddress: number;
  /** Connections ingested after the classify run: they have no verdict and were not considered. */
  unclassified: number;
}

export interface RuleSet {
  db: string;
  run: { id: number; finishedAt: string; inventory: string; packs: string[] };
  options: { keepUnobserved: boolean; minFill: number; endpoints: string[] | null };
  endpoints: EndpointScope[];
  rules: TightRule[];
  unobserved: UnobservedFlow[];
  counts: RuleSetCounts;
}

/** One side of an observed connection group, as load.ts reads it. */
export interface ObservedSide {
  family: Family | null;
  /** Null for aggregated flow-log rows that name workloads, not addresses. */
  ip: string | null;
  num: bigint | null;
  endpoint: string | null;
  identity: K8sIdentity | null;
}

export type Verdict = 'documented' | 'unexpected' | 'denied' | 'unanswered';

/** Connections alike in everything tighten looks at, with how many there were. */
export interface ObservedGroup {
  verdict: Verdict;
  flows: string[];
  proto: number;
  /** Server port (ICMP: the code); null for port-less protocols. */
  port: number | null;
  client: ObservedSide;
  server: ObservedSide;
  connections: number;
}

export const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** Protocols whose connections have server ports rules can filter on. */
export function hasPorts(proto: number | null): boolean {
  return proto === 6 || proto === 17 || proto === 132;
}

export function cidrText(c: Cidr): string {
  return `${formatAddressNumber(c.base, c.family)}/${c.prefix}`;
}

function cidrEnd(c: Cidr): bigint {
  return c.base + (1n << BigInt(BITS[c.family] - c.prefix)) - 1n;
}

export function cidrContains(c: Cidr, family: Family | null, num: bigint | null): boolean {
  return family === c.family && num !== null && num >= c.base && num <= cidrEnd(c);
}

export function intervalsContain(intervals: readonly Interval[], family: Family | null, num: bigint | null): boolean {
  return num !== null && intervals.some((i) => i.family === family && num >= i.lo && num <= i.hi);
}

function portsContain(ports: readonly PortRange[] | null, port: number | null): boolean {
  return ports === null || (port !== null && ports.some((r) => port >= r.lo && port <= r.hi));
}

export function formatPorts(ports: readonly PortRange[] | null): string {
  return ports === null ? 'any port' : ports.map(formatPortRange).join(', ');
}

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 4: 'ipencap', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 58: 'icmpv6', 112: 'vrrp', 132: 'sctp' };

export function protoName(proto: number | null): string {
  return proto === null ? 'any protocol' : (PROTO_NAMES[proto] ?? `protocol ${proto}`);
}

/** `apic-firewall/api-request 12, apic-firewall/x 3`; a kept flow has no count (nothing was observed). */
export function provenanceText(rule: TightRule): string {
  return rule.provenance.map((p) => (rule.kept ? p.flow : `${p.flow} ${p.connections}`)).join(', ');
}

/** Connections the groups stand for (an aggregated row stands for several). */
export function connectionCount(groups: readonly Pick<ObservedGroup, 'connections'>[]): number {
  return groups.reduce((n, g) => n + g.connections, 0);
}

/** The names of the endpoints the rule set governs: the ones its rules are rendered for. */
export function governedNames(ruleSet: Pick<RuleSet, 'endpoints'>): Set<string | null> {
  return new Set(ruleSet.endpoints.filter((e) => e.governed).map((e) => e.name));
}

/** The local side of a connection for a rule of this direction, and the peer. */
export function sidesFor(direction: RuleDirection, group: Pick<ObservedGroup, 'client' | 'server'>): { local: ObservedSide; peer: ObservedSide } {
  return direction === 'ingress' ? { local: group.server, peer: group.client } : { local: group.client, peer: group.server };
}

/** Whether the rule admits the connection's peer, protocol and port (the local side is the caller's business). */
export function ruleAdmits(rule: TightRule, group: Pick<ObservedGroup, 'proto' | 'port' | 'client' | 'server'>): boolean {
  if (rule.proto !== null && rule.proto !== group.proto) return false;
  if (hasPorts(rule.proto) && !portsContain(rule.ports, group.port)) return false;
  const { peer } = sidesFor(rule.direction, group);
  if (rule.peers.any) return true;
  if (rule.peers.cidrs.some((c) => cidrContains(c, peer.family, peer.num))) return true;
  return rule.peers.selector !== null && selectorMatches(rule.peers.selector, peer.identity);
}

/**
 * Whether the rule set lets the connection through: at each governed endpoint it touches (by the
 * classifier's endpoint names), some rule of that endpoint and direction admits it.
 */
export function ruleSetAdmits(ruleSet: RuleSet, group: Pick<ObservedGroup, 'proto' | 'port' | 'client' | 'server'>): boolean {
  const governed = governedNames(ruleSet);
  for (const direction of ['ingress', 'egress'] as const) {
    const { local } = sidesFor(direction, group);
    if (local.endpoint === null || !governed.has(local.endpoint)) continue;
    if (!ruleSet.rules.some((r) => r.direction === direction && r.endpoint === local.endpoint && ruleAdmits(r, group))) return false;
  }
  return true;
}

/**
 * A side's pod identity: the one its source recorded, else — when its endpoint's pods are known
 * from the inventory — the labels the inventory's selector requires (so captures without identity
 * can still be judged against policies that select pods).
 */
export function sideIdentity(side: ObservedSide, scopes: readonly EndpointScope[]): K8sIdentity | null {
  if (side.identity) return side.identity;
  const scope = scopes.find((s) => s.name !== null && s.name === side.endpoint);
  const selector = scope?.selectorSource === 'inventory' ? scope.selectors.find((s) => s.namespace !== null) : undefined;
  if (!selector) return null;
  const labels: Record<string, string> = { ...selector.labels };
  for (const e of selector.expressions) {
    if (e.operator === 'In' && e.values[0] !== undefined) labels[e.key] = e.values[0];
    if (e.operator === 'Exists') labels[e.key] = 'true';
  }
  return { namespace: selector.namespace!, labels };
}

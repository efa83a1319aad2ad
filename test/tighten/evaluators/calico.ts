/**
 * A Calico (projectcalico.org/v3) policy evaluator for what flowaudit emits: NetworkPolicy and
 * GlobalNetworkPolicy, enforcing or staged (a staged policy is judged as if it were enforced: what
 * it *would* do is the point of staging), Allow rules with protocol, ipVersion, nets, selector +
 * namespaceSelector and destination ports, and the selector syntax subset flowaudit writes
 * (`k == 'v'`, `k in {…}`, `k not in {…}`, `has(k)`, `!has(k)`, `all()`, joined by &&).
 * An endpoint with a policy applying in a direction takes only what an Allow rule of such a policy
 * matches (the end-of-tier default deny).
 */
import { bothEnds, inBlock, parseYamlObjects } from './common.js';
import type { Connection, Decision } from './common.js';
import type { ObservedSide } from '../../../src/tighten/model.js';

/** A workload (pod) or a host endpoint, with its labels. */
export type CalicoEndpoint = { kind: 'pod'; namespace: string; labels: Readonly<Record<string, string>> } | { kind: 'host'; labels: Readonly<Record<string, string>> };

export type EndpointOf = (side: ObservedSide) => CalicoEndpoint | null;

interface EntityRule {
  nets?: string[];
  selector?: string;
  namespaceSelector?: string;
  ports?: (number | string)[];
}

interface CalicoRule {
  action: string;
  protocol?: string | number;
  ipVersion?: 4 | 6;
  source?: EntityRule;
  destination?: EntityRule;
  metadata?: { annotations?: Record<string, string> };
}

export interface CalicoPolicy {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: { selector: string; types: string[]; ingress?: CalicoRule[]; egress?: CalicoRule[]; stagedAction?: string };
}

const KINDS = ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy'];
const PROTOCOLS: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132, ICMP: 1, ICMPv6: 58 };

export function parseCalico(text: string): CalicoPolicy[] {
  return parseYamlObjects<CalicoPolicy>(text, 'calico', KINDS);
}

const unquote = (s: string): string => s.trim().replace(/^'(.*)'$|^"(.*)"$/, '$1$2');

/** A Calico selector as a predicate over labels. */
export function parseSelector(text: string): (labels: Readonly<Record<string, string>>) => boolean {
  const terms = text.split(' && ').map((term): ((labels: Readonly<Record<string, string>>) => boolean) => {
    let m: RegExpExecArray | null;
    if (term === 'all()') return () => true;
    if ((m = /^(!?)has\(([^)]+)\)$/.exec(term))) {
      const [negate, key] = [m[1] === '!', m[2]!];
      return (l) => Object.hasOwn(l, key) !== negate;
    }
    if ((m = /^(\S+) == (.+)$/.exec(term))) {
      const [key, value] = [m[1]!, unquote(m[2]!)];
      return (l) => l[key] === value;
    }
    if ((m = /^(\S+) (not in|in) \{(.*)\}$/.exec(term))) {
      const [key, negate] = [m[1]!, m[2] === 'not in'];
      const values = m[3]!.split(',').map(unquote);
      return (l) => (Object.hasOwn(l, key) && values.includes(l[key]!)) !== negate;
    }
    throw new Error(`calico evaluator: cannot read selector term "${term}"`);
  });
  return (labels) => terms.every((t) => t(labels));
}

function applies(p: CalicoPolicy, e: CalicoEndpoint | null): boolean {
  if (e === null) return false;
  const namespaced = p.kind === 'NetworkPolicy' || p.kind === 'StagedNetworkPolicy';
  if (namespaced && (e.kind !== 'pod' || e.namespace !== (p.metadata.namespace ?? 'default'))) return false;
  return parseSelector(p.spec.selector)(e.labels);
}

function entityMatches(p: CalicoPolicy, entity: EntityRule | undefined, ip: string | null, e: CalicoEndpoint | null): boolean {
  if (entity === undefined) return true;
  if (entity.nets && !entity.nets.some((n) => inBlock(n, ip))) return false;
  if (entity.selector !== undefined || entity.namespaceSelector !== undefined) {
    if (e === null) return false;
    if (entity.namespaceSelector !== undefined) {
      if (e.kind !== 'pod' || !parseSelector(entity.namespaceSelector)({ 'projectcalico.org/name': e.namespace })) return false;
    } else if ((p.kind === 'NetworkPolicy' || p.kind === 'StagedNetworkPolicy') && (e.kind !== 'pod' || e.namespace !== p.metadata.namespace)) {
      return false;
    }
    if (entity.selector !== undefined && !parseSelector(entity.selector)(e.labels)) return false;
  }
  return true;
}

function ruleMatches(p: CalicoPolicy, rule: CalicoRule, direction: 'Ingress' | 'Egress', c: Connection, peer: { ip: string | null; e: CalicoEndpoint | null }): boolean {
  if (rule.action !== 'Allow') throw new Error(`calico evaluator: action ${rule.action}`);
  if (rule.protocol !== undefined && (PROTOCOLS[String(rule.protocol)] ?? Number(rule.protocol)) !== c.proto) return false;
  if (rule.ipVersion !== undefined && rule.ipVersion !== c.client.family) return false;
  const peerEntity = direction === 'Ingress' ? rule.source : rule.destination;
  if (!entityMatches(p, peerEntity, peer.ip, peer.e)) return false;
  const ports = rule.destination?.ports;
  if (ports === undefined) return true;
  return (
    c.port !== null &&
    ports.some((port) => {
      const [lo, hi] = String(port).split(':').map(Number);
      return c.port! >= lo! && c.port! <= (hi ?? lo!);
    })
  );
}

function directionAllows(policies: readonly CalicoPolicy[], direction: 'Ingress' | 'Egress', local: CalicoEndpoint | null, c: Connection, peer: { ip: string | null; e: CalicoEndpoint | null }): boolean | null {
  const applying = policies.filter((p) => p.spec.types.includes(direction) && applies(p, local));
  if (applying.length === 0) return null;
  return applying.some((p) => ((direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? []).some((rule) => ruleMatches(p, rule, direction, c, peer)));
}

export function decideCalico(policies: readonly CalicoPolicy[], c: Connection, endpointOf: EndpointOf): Decision {
  const client = endpointOf(c.client);
  const server = endpointOf(c.server);
  if ((c.client.ip === null && client?.kind !== 'pod') || (c.server.ip === null && server?.kind !== 'pod')) return 'unjudgeable';
  const ingress = directionAllows(policies, 'Ingress', server, c, { ip: c.client.ip, e: client });
  const egress = directionAllows(policies, 'Egress', client, c, { ip: c.server.ip, e: server });
  return bothEnds(ingress, egress);
}

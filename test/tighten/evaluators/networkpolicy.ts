/**
 * A Kubernetes NetworkPolicy evaluator, written from the API's documented semantics: a pod selected
 * by a policy with Ingress (Egress) in its policyTypes is isolated in that direction and takes
 * only what some rule of such a policy allows; peers are pods (podSelector, namespaceSelector —
 * namespaces known by their kubernetes.io/metadata.name label) or ipBlocks; ports default to TCP.
 * Which sides are pods is the caller's to say (`podOf`): flow logs carry identities, captures not.
 */
import { bothEnds, inBlock, parseYamlObjects } from './common.js';
import type { Connection, Decision } from './common.js';
import type { ObservedSide } from '../../../src/tighten/model.js';

export interface Pod {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

export type PodOf = (side: ObservedSide) => Pod | null;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyRule {
  from?: Peer[];
  to?: Peer[];
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
}

export interface NetworkPolicy {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: { podSelector: LabelSelector; policyTypes?: string[]; ingress?: PolicyRule[]; egress?: PolicyRule[] };
}

export function parseNetworkPolicies(text: string): NetworkPolicy[] {
  return parseYamlObjects<NetworkPolicy>(text, 'networkpolicy', ['NetworkPolicy']);
}

function selectorMatches(s: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (s === undefined) return true;
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (s.matchExpressions ?? []).every((e) => {
    const has = Object.hasOwn(labels, e.key);
    switch (e.operator) {
      case 'In':
        return has && e.values!.includes(labels[e.key]!);
      case 'NotIn':
        return !has || !e.values!.includes(labels[e.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        throw new Error(`networkpolicy evaluator: operator ${e.operator}`);
    }
  });
}

const PROTOCOLS: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };

function types(p: NetworkPolicy): string[] {
  return p.spec.policyTypes ?? (p.spec.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress']);
}

function selects(p: NetworkPolicy, pod: Pod | null): boolean {
  return pod !== null && (p.metadata.namespace ?? 'default') === pod.namespace && selectorMatches(p.spec.podSelector, pod.labels);
}

function peerMatches(policy: NetworkPolicy, peer: Peer, ip: string | null, pod: Pod | null): boolean {
  if (peer.ipBlock) return inBlock(peer.ipBlock.cidr, ip) && !(peer.ipBlock.except ?? []).some((e) => inBlock(e, ip));
  if (pod === null) return false;
  const namespaceOk =
    peer.namespaceSelector === undefined ? pod.namespace === (policy.metadata.namespace ?? 'default') : selectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': pod.namespace });
  return namespaceOk && selectorMatches(peer.podSelector, pod.labels);
}

function portsMatch(rule: PolicyRule, c: Connection): boolean {
  if (rule.ports === undefined || rule.ports.length === 0) return true;
  return rule.ports.some((p) => {
    if (PROTOCOLS[p.protocol ?? 'TCP'] !== c.proto) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') throw new Error('networkpolicy evaluator: named ports are not emitted by flowaudit');
    return c.port !== null && c.port >= p.port && c.port <= (p.endPort ?? p.port);
  });
}

/** Whether the direction lets the connection through at `pod` (the isolated side), from or to the other side. */
function directionAllows(policies: readonly NetworkPolicy[], direction: 'Ingress' | 'Egress', pod: Pod | null, c: Connection, other: { ip: string | null; pod: Pod | null }): boolean | null {
  const applying = policies.filter((p) => types(p).includes(direction) && selects(p, pod));
  if (applying.length === 0) return null;
  return applying.some((p) =>
    (direction === 'Ingress' ? (p.spec.ingress ?? []) : (p.spec.egress ?? [])).some((rule) => {
      const peers = direction === 'Ingress' ? rule.from : rule.to;
      const peerOk = peers === undefined || peers.length === 0 || peers.some((peer) => peerMatches(p, peer, other.ip, other.pod));
      return peerOk && portsMatch(rule, c);
    }),
  );
}

export function decideNetworkPolicy(policies: readonly NetworkPolicy[], c: Connection, podOf: PodOf): Decision {
  const client = podOf(c.client);
  const server = podOf(c.server);
  // Without addresses, only sides the policies know as pods can be judged.
  if ((c.client.ip === null && client === null) || (c.server.ip === null && server === null)) return 'unjudgeable';
  const ingress = directionAllows(policies, 'Ingress', server, c, { ip: c.client.ip, pod: client });
  const egress = directionAllows(policies, 'Egress', client, c, { ip: c.server.ip, pod: server });
  return bothEnds(ingress, egress);
}

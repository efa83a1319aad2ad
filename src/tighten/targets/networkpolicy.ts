/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1): one policy per governed endpoint whose pods are
 * known (per namespace of its selectors), isolating them both ways. Peers are pods by namespace
 * and labels where the connections carried a pod identity, ipBlocks otherwise. Every policy also
 * allows DNS to kube-dns: isolating egress without it breaks name resolution in the pod, which no
 * capture of the pod's own traffic shows as a documented flow.
 */
import { cidrText, protoName } from '../model.js';
import type { EndpointScope, RuleSet, TightRule } from '../model.js';
import { headerLines, ruleSummary, selectorText } from '../header.js';
import { renderYaml } from '../yaml-output.js';
import { slug } from './slug.js';
import type { YamlComment, YamlDocument } from '../yaml-output.js';
import type { K8sSelector } from '../../rules/types.js';

export interface NetworkPolicyOptions {
  /** Lines of the --current comparison, for the header. */
  comparison: string[];
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const K8S_PROTOCOLS: Record<number, string> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

const KUBE_DNS_NOTE =
  'DNS: every policy restricts egress, so each also allows UDP and TCP 53 to kube-dns (namespace kube-system, k8s-app: kube-dns) — without it the pods cannot resolve names.';

type Obj = Record<string, unknown>;

function labelSelector(s: Pick<K8sSelector, 'labels' | 'expressions'>): Obj {
  const out: Obj = {};
  if (Object.keys(s.labels).length > 0) out.matchLabels = { ...s.labels };
  if (s.expressions.length > 0) {
    out.matchExpressions = s.expressions.map((e) => (e.values.length > 0 ? { key: e.key, operator: e.operator, values: [...e.values] } : { key: e.key, operator: e.operator }));
  }
  return out;
}

export function policyName(endpoint: string, index: number): string {
  const base = `flowaudit-${slug(endpoint, '-')}`.slice(0, 240);
  return index === 0 ? base : `${base}-${index + 1}`;
}

/** The peers of a rule, or why it cannot be written. */
function peers(rule: TightRule): Obj[] | null | string {
  if (rule.peers.any) return null;
  const s = rule.peers.selector;
  if (s !== null) {
    return [{ namespaceSelector: s.namespace === null ? {} : { matchLabels: { [NAMESPACE_NAME_LABEL]: s.namespace } }, podSelector: labelSelector(s) }];
  }
  if (rule.peers.cidrs.length === 0) return 'its peers have neither addresses nor a pod identity';
  return rule.peers.cidrs.map((c) => ({ ipBlock: { cidr: cidrText(c) } }));
}

function ports(rule: TightRule): Obj[] | null | string {
  if (rule.proto === null) return null;
  const protocol = K8S_PROTOCOLS[rule.proto];
  if (!protocol) return `NetworkPolicy cannot filter ${protoName(rule.proto)}`;
  if (rule.ports === null) return [{ protocol }];
  return rule.ports.map((r) => (r.lo === r.hi ? { protocol, port: r.lo } : { protocol, port: r.lo, endPort: r.hi }));
}

/** The NetworkPolicy rule for a tightened rule, or why it cannot be written. */
function policyRule(rule: TightRule): Obj | string {
  const from = peers(rule);
  const to = ports(rule);
  if (typeof from === 'string') return from;
  if (typeof to === 'string') return to;
  const item: Obj = {};
  if (from !== null) item[rule.direction === 'ingress' ? 'from' : 'to'] = from;
  if (to !== null) item.ports = to;
  return item;
}

interface WrittenRule {
  rule: TightRule;
  item: Obj;
  summary: string;
}

function policy(scope: EndpointScope, selector: K8sSelector, index: number, rules: readonly WrittenRule[]): YamlDocument {
  const name = scope.name!;
  const comments: YamlComment[] = [];
  const spec: Obj = { podSelector: labelSelector(selector), policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] };
  for (const { rule, item, summary } of rules) {
    const list = spec[rule.direction] as Obj[];
    comments.push({ path: ['spec', rule.direction, list.length], text: summary });
    list.push(item);
  }
  const egress = spec.egress as Obj[];
  comments.push({ path: ['spec', 'egress', egress.length], text: 'DNS to kube-dns, added by flowaudit: egress is restricted, and pods must still resolve names' });
  egress.push({
    to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  });
  return {
    value: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: policyName(name, index),
        namespace: selector.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'flowaudit' },
        annotations: {
          'flowaudit.io/endpoint': name,
          'flowaudit.io/provenance': rules.length > 0 ? rules.map((r) => r.summary).join('\n') : 'no observed documented traffic: everything but DNS is denied',
        },
      },
      spec,
    },
    comments: [{ path: ['metadata'], text: `endpoint ${name}: pods ${selectorText(selector)}` }, ...comments],
  };
}

export function networkPolicyTarget(ruleSet: RuleSet, options: NetworkPolicyOptions): string {
  const docs: YamlDocument[] = [];
  const notes: string[] = [KUBE_DNS_NOTE];
  for (const scope of ruleSet.endpoints.filter((e) => e.governed)) {
    const rules = ruleSet.rules.filter((r) => r.endpoint === scope.name);
    const namespaced = scope.selectors.filter((s) => s.namespace !== null);
    if (namespaced.length === 0) {
      const why = scope.selectors.length > 0 ? 'its pod selector names no namespace, and a NetworkPolicy lives in one' : 'no pod identity is known for it (neither the inventory nor the data gives one)';
      notes.push(`Endpoint ${scope.name}: not written — ${why}; its ${rules.length} rule(s) need another target (calico, aws-sg, nftables).`);
      continue;
    }
    // Made once per endpoint: every policy of the endpoint (one per namespace) carries the same rules.
    const written: WrittenRule[] = [];
    for (const rule of rules) {
      const item = policyRule(rule);
      if (typeof item === 'string') notes.push(`Endpoint ${scope.name}: ${rule.id} not written: ${item} (${ruleSummary(rule)})`);
      else written.push({ rule, item, summary: ruleSummary(rule) });
    }
    namespaced.forEach((selector, index) => docs.push(policy(scope, selector, index, written)));
  }
  return renderYaml(headerLines(ruleSet, 'networkpolicy', notes, options.comparison), docs);
}

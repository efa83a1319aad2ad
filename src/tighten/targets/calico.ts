/**
 * Calico policies (projectcalico.org/v3): a namespaced NetworkPolicy per governed endpoint whose
 * pods are known, a GlobalNetworkPolicy for one whose selector spans namespaces, and for an
 * endpoint known by address only a GlobalNetworkPolicy selecting its host endpoints by a label the
 * user puts on them (`flowaudit.io/endpoint: NAME`; Calico policies cannot select the endpoint
 * they apply to by address). `--staged` emits the Staged kinds, which Calico evaluates and reports
 * on without enforcing: the way to try a tightened policy on live traffic first.
 *
 * Each rule carries its provenance in the rule's own metadata.annotations. Pod policies allow DNS
 * to kube-dns, as the NetworkPolicy target does and for the same reason.
 */
import { cidrText, hasPorts } from '../model.js';
import type { Cidr, EndpointScope, RuleSet, TightRule } from '../model.js';
import { headerLines, ruleSummary, selectorText } from '../header.js';
import { policyName } from './networkpolicy.js';
import { renderYaml } from '../yaml-output.js';
import type { YamlComment, YamlDocument } from '../yaml-output.js';
import type { K8sSelector } from '../../rules/types.js';

export interface CalicoOptions {
  comparison: string[];
  /** StagedNetworkPolicy / StagedGlobalNetworkPolicy instead of the enforcing kinds. */
  staged: boolean;
}

/** The label host endpoints of an address-only endpoint are expected to carry. */
export const ENDPOINT_LABEL = 'flowaudit.io/endpoint';
const CALICO_PROTOCOLS: Record<number, string> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP', 1: 'ICMP', 58: 'ICMPv6' };

type Obj = Record<string, unknown>;

function quote(value: string): string {
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

/** A Kubernetes label selector in Calico's selector syntax. */
export function calicoSelector(s: Pick<K8sSelector, 'labels' | 'expressions'>): string {
  const terms = [
    ...Object.entries(s.labels).map(([k, v]) => `${k} == ${quote(v)}`),
    ...s.expressions.map((e) => {
      const set = `{${e.values.map(quote).join(', ')}}`;
      switch (e.operator) {
        case 'In':
          return `${e.key} in ${set}`;
        case 'NotIn':
          return `${e.key} not in ${set}`;
        case 'Exists':
          return `has(${e.key})`;
        case 'DoesNotExist':
          return `!has(${e.key})`;
      }
    }),
  ];
  return terms.length === 0 ? 'all()' : terms.join(' && ');
}

export function namespaceSelector(namespace: string | null): string {
  return namespace === null ? 'all()' : `projectcalico.org/name == ${quote(namespace)}`;
}

/** Calico rules for one tightened rule: one per address family when the peers are addresses. */
function calicoRules(rule: TightRule): Obj[] | string {
  const base = (): Obj => {
    const out: Obj = { action: 'Allow' };
    if (rule.proto !== null) out.protocol = CALICO_PROTOCOLS[rule.proto] ?? rule.proto;
    return out;
  };
  const withPorts = (r: Obj, peer: Obj | null): Obj => {
    const destination: Obj = rule.direction === 'egress' && peer ? { ...peer } : {};
    if (rule.ports !== null && hasPorts(rule.proto)) {
      destination.ports = rule.ports.map((p) => (p.lo === p.hi ? p.lo : `${p.lo}:${p.hi}`));
    }
    if (rule.direction === 'ingress' && peer) r.source = peer;
    if (Object.keys(destination).length > 0) r.destination = destination;
    r.metadata = { annotations: { 'flowaudit.io/rule': rule.id, 'flowaudit.io/provenance': ruleSummary(rule) } };
    return r;
  };
  if (rule.peers.any) return [withPorts(base(), null)];
  const s = rule.peers.selector;
  if (s !== null) return [withPorts(base(), { selector: calicoSelector(s), namespaceSelector: namespaceSelector(s.namespace) })];
  if (rule.peers.cidrs.length === 0) return `${rule.id}: its peers have neither addresses nor a pod identity`;
  return ([4, 6] as const)
    .map((family) => rule.peers.cidrs.filter((c: Cidr) => c.family === family))
    .filter((cidrs) => cidrs.length > 0)
    .map((cidrs) => withPorts({ ...base(), ipVersion: cidrs[0]!.family }, { nets: cidrs.map(cidrText) }));
}

const DNS_RULES: Obj[] = ['UDP', 'TCP'].map((protocol) => ({
  action: 'Allow',
  protocol,
  destination: { selector: "k8s-app == 'kube-dns'", namespaceSelector: "projectcalico.org/name == 'kube-system'", ports: [53] },
  metadata: { annotations: { 'flowaudit.io/rule': `dns-${protocol.toLowerCase()}`, 'flowaudit.io/provenance': 'added by flowaudit: egress is restricted, and pods must still resolve names' } },
}));

interface Applied {
  kind: 'NetworkPolicy' | 'GlobalNetworkPolicy';
  namespace: string | null;
  selector: string;
  pods: boolean;
  description: string;
}

/** Where a scope's policies apply: per namespaced selector, per cluster-wide selector, or by the endpoint label. */
function appliedTo(scope: EndpointScope): Applied[] {
  if (scope.selectors.length === 0) {
    return [
      {
        kind: 'GlobalNetworkPolicy',
        namespace: null,
        selector: `${ENDPOINT_LABEL} == ${quote(scope.name!)}`,
        pods: false,
        description: `host endpoints labelled ${ENDPOINT_LABEL}: ${scope.name} (no pod identity is known for it: label the HostEndpoints of its hosts)`,
      },
    ];
  }
  return scope.selectors.map((s) => ({
    kind: s.namespace === null ? 'GlobalNetworkPolicy' : 'NetworkPolicy',
    namespace: s.namespace,
    selector: calicoSelector(s),
    pods: true,
    description: `pods ${selectorText(s)}`,
  }));
}

export function calicoTarget(ruleSet: RuleSet, options: CalicoOptions): string {
  const docs: YamlDocument[] = [];
  const notes: string[] = [
    'DNS: pod policies also allow UDP and TCP 53 to kube-dns (namespace kube-system, k8s-app: kube-dns): egress is restricted, and pods must still resolve names.',
    `Endpoints known by address only are selected by the label ${ENDPOINT_LABEL} on their HostEndpoints: put it there, or these policies select nothing.`,
  ];
  if (options.staged) notes.push('Staged policies: Calico reports what they would allow or deny without enforcing them.');
  for (const scope of ruleSet.endpoints.filter((e) => e.governed)) {
    // Made once per endpoint: every policy of the endpoint carries the same rules.
    const written: { rule: TightRule; made: Obj[] }[] = [];
    for (const rule of ruleSet.rules.filter((r) => r.endpoint === scope.name)) {
      const made = calicoRules(rule);
      if (typeof made === 'string') notes.push(`Endpoint ${scope.name}: ${made}; not written.`);
      else written.push({ rule, made });
    }
    appliedTo(scope).forEach((applied, index) => {
      const comments: YamlComment[] = [{ path: ['metadata'], text: `endpoint ${scope.name}: ${applied.description}` }];
      const spec: Obj = { selector: applied.selector, types: ['Ingress', 'Egress'], ingress: [], egress: [] };
      for (const { rule, made } of written) {
        const list = spec[rule.direction] as Obj[];
        comments.push({ path: ['spec', rule.direction, list.length], text: ruleSummary(rule) });
        list.push(...made);
      }
      if (applied.pods) (spec.egress as Obj[]).push(...DNS_RULES);
      if (options.staged) spec.stagedAction = 'Set';
      const metadata: Obj = { name: policyName(scope.name!, index) };
      if (applied.namespace !== null) metadata.namespace = applied.namespace;
      metadata.labels = { 'app.kubernetes.io/managed-by': 'flowaudit' };
      metadata.annotations = { 'flowaudit.io/endpoint': scope.name };
      docs.push({ value: { apiVersion: 'projectcalico.org/v3', kind: `${options.staged ? 'Staged' : ''}${applied.kind}`, metadata, spec }, comments });
    });
  }
  return renderYaml(headerLines(ruleSet, options.staged ? 'calico --staged' : 'calico', notes, options.comparison), docs);
}

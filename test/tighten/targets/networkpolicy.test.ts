/**
 * The NetworkPolicy target over the classified fixture: the evaluator proves the policies admit
 * every documented connection (flow-log ones by pod identity, capture ones by the inventory's
 * selectors and ipBlocks) and deny every unexpected one that touches a pod; the objects pass the
 * structural check and the published schema (kubernetes-models).
 */
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRuleSet } from '../../../src/tighten/build.js';
import type { RuleSet } from '../../../src/tighten/model.js';
import { networkPolicyTarget } from '../../../src/tighten/targets/networkpolicy.js';
import { tally } from '../evaluators/common.js';
import { podOf } from '../evaluators/identity.js';
import { decideNetworkPolicy, parseNetworkPolicies } from '../evaluators/networkpolicy.js';
import { BUILD_OPTIONS, classifiedFixture, KEEP_UNOBSERVED } from '../fixture.js';
import type { Classified } from '../fixture.js';
import { networkPolicyProblems } from '../k8s-structure.js';

let f: Classified;
let ruleSet: RuleSet;
let text: string;

beforeAll(async () => {
  f = await classifiedFixture();
  ruleSet = buildRuleSet(f.input, BUILD_OPTIONS);
  text = networkPolicyTarget(ruleSet, { comparison: [] });
});
afterAll(() => f.t.close());

/** The published Kubernetes schema, as the kubernetes-models package (a devDependency) carries it. */
const validate = (doc: unknown): void => new NetworkPolicy(doc as INetworkPolicy).validate();

describe('networkpolicy target', () => {
  it('admits all 43 documented connections and denies the 5 unexpected ones that touch a pod', () => {
    const policies = parseNetworkPolicies(text);
    const pods = podOf(ruleSet);
    const result = tally(f.input.groups, (c) => decideNetworkPolicy(policies, c, pods));
    expect(result.wrong).toEqual([]);
    expect(result.documented.deny).toBe(0);
    // protected → management and public → gateway have one pod side each; all judged, none ungoverned.
    expect(result.documented.allow + result.documented.ungoverned).toBe(43);
    expect(result.unexpected).toEqual({ allow: 0, deny: 5, ungoverned: 1, unjudgeable: 0 });
  });

  it('writes one policy per endpoint whose pods are known, isolating both ways, with DNS to kube-dns', () => {
    const policies = parseNetworkPolicies(text);
    expect(policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['apic/flowaudit-gateway', 'apic/flowaudit-management']);
    for (const p of policies) {
      expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(p.spec.egress!.at(-1)).toEqual({
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      });
    }
    expect(text).toMatch(/# DNS: every policy restricts egress/);
    expect(text).toMatch(/Endpoint portal: not written — no pod identity is known/);
  });

  it('uses pod selectors for peers that carried an identity, ipBlocks for the rest, and says where each rule comes from', () => {
    const gateway = parseNetworkPolicies(text)[0]!;
    expect(gateway.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apic' } }, podSelector: { matchLabels: { 'app.kubernetes.io/component': 'management' } } }],
      ports: [{ protocol: 'TCP', port: 3000 }],
    });
    expect(gateway.spec.ingress).toContainEqual({
      from: ['10.10.5.0/30', '10.10.5.5/32', '10.10.5.6/31'].map((cidr) => ({ ipBlock: { cidr } })),
      ports: [
        { protocol: 'TCP', port: 22 },
        { protocol: 'TCP', port: 9090 },
      ],
    });
    expect(gateway.spec.ingress).toContainEqual({
      from: [{ ipBlock: { cidr: '10.20.1.5/32' } }],
      ports: [
        { protocol: 'TCP', port: 16380, endPort: 16381 },
        { protocol: 'TCP', port: 16383 },
      ],
    });
    expect(text).toMatch(/# gateway\/ingress-\d: from protected, tcp 22, 9090 — apic-firewall\/datapower-administration 7, apic-firewall\/gateway-web-gui 1\n/);
    expect((gateway.metadata as { annotations?: Record<string, string> }).annotations?.['flowaudit.io/provenance']).toMatch(/apic-firewall\/api-request 14/);
  });

  it('passes the structural check', () => {
    for (const doc of parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown> | null)) {
      if (doc) expect(networkPolicyProblems(doc)).toEqual([]);
    }
  });

  it('with --keep-unobserved: still sound and well-formed, kept rules marked', () => {
    const kept = networkPolicyTarget(buildRuleSet(f.input, KEEP_UNOBSERVED), { comparison: [] });
    const policies = parseNetworkPolicies(kept);
    const pods = podOf(ruleSet);
    const result = tally(f.input.groups, (c) => decideNetworkPolicy(policies, c, pods));
    expect([result.wrong, result.documented.deny, result.unexpected.allow]).toEqual([[], 0, 0]);
    for (const doc of parseAllDocuments(kept).map((d) => d.toJS() as Record<string, unknown> | null)) if (doc) expect(networkPolicyProblems(doc)).toEqual([]);
    expect(kept).toMatch(/# management\/ingress-\d+: from any address, tcp 22 — kept, never observed: apic-firewall\/common-ssh\n/);
  });

  it('validates against the published schema (kubernetes-models)', () => {
    for (const doc of parseAllDocuments(text).map((d) => d.toJS() as unknown)) if (doc) validate(doc);
  });
});

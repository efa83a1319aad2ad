/**
 * The Calico target over the classified fixture: the evaluator proves the policies — pod policies
 * by namespace and selector, host-endpoint policies by the flowaudit.io/endpoint label — admit
 * every documented connection and deny every unexpected one touching a governed endpoint, staged
 * or not; the objects pass the structural check (no published Calico schema exists on npm).
 */
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRuleSet } from '../../../src/tighten/build.js';
import type { RuleSet } from '../../../src/tighten/model.js';
import { calicoSelector, calicoTarget } from '../../../src/tighten/targets/calico.js';
import { decideCalico, parseCalico, parseSelector } from '../evaluators/calico.js';
import { tally } from '../evaluators/common.js';
import { calicoEndpointOf } from '../evaluators/identity.js';
import { BUILD_OPTIONS, classifiedFixture, KEEP_UNOBSERVED } from '../fixture.js';
import type { Classified } from '../fixture.js';
import { calicoProblems } from '../k8s-structure.js';

let f: Classified;
let ruleSet: RuleSet;

beforeAll(async () => {
  f = await classifiedFixture();
  ruleSet = buildRuleSet(f.input, BUILD_OPTIONS);
});
afterAll(() => f.t.close());

describe.each([false, true])('calico target (staged: %s)', (staged) => {
  it('admits all 43 documented connections and denies the 5 unexpected ones touching a governed endpoint', () => {
    const policies = parseCalico(calicoTarget(ruleSet, { comparison: [], staged }));
    const endpointOf = calicoEndpointOf(ruleSet);
    const result = tally(f.input.groups, (c) => decideCalico(policies, c, endpointOf));
    expect(result.wrong).toEqual([]);
    expect(result.documented).toEqual({ allow: 43, deny: 0, ungoverned: 0, unjudgeable: 0 });
    expect(result.unexpected).toEqual({ allow: 0, deny: 5, ungoverned: 1, unjudgeable: 0 });
  });

  it('writes the right kinds, and passes the structural check', () => {
    const text = calicoTarget(ruleSet, { comparison: [], staged });
    const docs = parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>).filter(Boolean);
    const prefix = staged ? 'Staged' : '';
    expect(docs.map((d) => `${String(d.kind)} ${(d.metadata as { name: string }).name}`)).toEqual([
      `${prefix}GlobalNetworkPolicy flowaudit-analytics`,
      `${prefix}NetworkPolicy flowaudit-gateway`,
      `${prefix}NetworkPolicy flowaudit-management`,
      `${prefix}GlobalNetworkPolicy flowaudit-portal`,
      `${prefix}GlobalNetworkPolicy flowaudit-protected`,
    ]);
    for (const doc of docs) expect(calicoProblems(doc)).toEqual([]);
    expect(text).toContain(`--target calico${staged ? ' --staged' : ''}`);
  });
});

describe('calico details', () => {
  it('with --keep-unobserved: still sound and well-formed', () => {
    const kept = calicoTarget(buildRuleSet(f.input, KEEP_UNOBSERVED), { comparison: [], staged: false });
    const policies = parseCalico(kept);
    const endpointOf = calicoEndpointOf(ruleSet);
    const result = tally(f.input.groups, (c) => decideCalico(policies, c, endpointOf));
    expect([result.wrong, result.documented.deny, result.unexpected.allow]).toEqual([[], 0, 0]);
    for (const doc of parseAllDocuments(kept).map((d) => d.toJS() as Record<string, unknown> | null)) if (doc) expect(calicoProblems(doc)).toEqual([]);
  });

  it('carries provenance in each rule, allows DNS from pods only, and quotes port ranges', () => {
    const text = calicoTarget(ruleSet, { comparison: [], staged: false });
    const policies = parseCalico(text);
    const gateway = policies.find((p) => p.metadata.name === 'flowaudit-gateway')!;
    const peering = gateway.spec.ingress!.find((r) => r.destination?.ports?.includes('16380:16381'))!;
    expect(peering.metadata?.annotations?.['flowaudit.io/provenance']).toMatch(/apic-firewall\/gateway-peering 3/);
    expect(text).toContain('- "16380:16381"');
    const dns = (p: (typeof policies)[number]): boolean => (p.spec.egress ?? []).some((r) => r.destination?.selector === "k8s-app == 'kube-dns'");
    expect(policies.filter(dns).map((p) => p.metadata.name)).toEqual(['flowaudit-gateway', 'flowaudit-management']);
  });

  it('writes selectors its evaluator reads back as the Kubernetes selector they came from', () => {
    const selector = {
      labels: { app: 'web' },
      expressions: [
        { key: 'tier', operator: 'NotIn' as const, values: ['canary', 'test'] },
        { key: 'team', operator: 'Exists' as const, values: [] },
        { key: 'replica', operator: 'DoesNotExist' as const, values: [] },
        { key: 'zone', operator: 'In' as const, values: ['a'] },
      ],
    };
    const text = calicoSelector(selector);
    expect(text).toBe("app == 'web' && tier not in {'canary', 'test'} && has(team) && !has(replica) && zone in {'a'}");
    const matches = parseSelector(text);
    expect(matches({ app: 'web', team: 'x', zone: 'a' })).toBe(true);
    expect(matches({ app: 'web', team: 'x', zone: 'a', tier: 'canary' })).toBe(false);
    expect(matches({ app: 'web', team: 'x', zone: 'a', replica: '1' })).toBe(false);
    expect(matches({ app: 'web', zone: 'a' })).toBe(false);
    expect(calicoSelector({ labels: {}, expressions: [] })).toBe('all()');
  });
});

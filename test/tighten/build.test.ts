/**
 * The rule set built from the classified fixture: what each rule admits and why (provenance),
 * merging stopped by unexpected connections and only by them, governed endpoints, unobserved
 * flows kept or dropped, and a conflict the rules cannot avoid reported rather than hidden.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/classify/classify.js';
import { ConfigError } from '../../src/errors.js';
import { buildRuleSet } from '../../src/tighten/build.js';
import { loadTightenInput } from '../../src/tighten/load.js';
import { cidrText, formatPorts, ruleSetAdmits } from '../../src/tighten/model.js';
import type { RuleSet, TightRule } from '../../src/tighten/model.js';
import { insertConnections, scratch } from '../classify/fixtures.js';
import { BUILD_OPTIONS as OPTIONS, classifiedFixture, INVENTORY, RULES } from './fixture.js';
import type { Classified } from './fixture.js';

let f: Classified;
let ruleSet: RuleSet;

beforeAll(async () => {
  f = await classifiedFixture();
  ruleSet = buildRuleSet(f.input, OPTIONS);
});
afterAll(() => f.t.close());

const find = (rs: RuleSet, endpoint: string, direction: string, peer: string): TightRule =>
  rs.rules.find((r) => r.endpoint === endpoint && r.direction === direction && r.peerEndpoint === peer && !r.kept)!;
const cidrs = (r: TightRule): string[] => r.peers.cidrs.map(cidrText);

describe('rules from observed documented traffic', () => {
  it('counts what was observed, and admits no unexpected connection', () => {
    expect(ruleSet.counts).toEqual({
      documented: 43,
      unexpected: 6,
      denied: 1,
      unanswered: 1,
      unexpectedAdmitted: 0,
      unexpectedUngoverned: 1,
      documentedWithoutAddress: 5,
      unclassified: 0,
    });
    for (const g of f.input.groups.filter((g) => g.verdict === 'documented')) expect(ruleSetAdmits(ruleSet, g)).toBe(true);
    for (const g of f.input.groups.filter((g) => g.verdict !== 'documented' && g.client.endpoint !== 'public')) expect(ruleSetAdmits(ruleSet, g)).toBe(false);
  });

  it('merges addresses and ports around the unexpected connections in their gaps', () => {
    const operators = find(ruleSet, 'gateway', 'ingress', 'protected');
    expect([cidrs(operators), formatPorts(operators.ports)]).toEqual([['10.10.5.0/30', '10.10.5.5/32', '10.10.5.6/31'], '22, 9090']);
    expect(cidrs(find(ruleSet, 'gateway', 'ingress', 'public'))).toEqual(['198.51.100.7/32', '203.0.113.10/31', '203.0.113.12/31']);
    expect(formatPorts(find(ruleSet, 'gateway', 'ingress', 'gateway').ports)).toBe('16380-16381, 16383');
  });

  it('merges through the same gaps once the unexpected connections are gone', async () => {
    const gaps = new Set(['10.10.5.4', '203.0.113.14']);
    const g = await classifiedFixture({ drop: (c) => gaps.has(c.client) || c.serverPort === 16382 });
    try {
      const rs = buildRuleSet(g.input, OPTIONS);
      expect(cidrs(find(rs, 'gateway', 'ingress', 'protected'))).toEqual(['10.10.5.0/29']);
      expect(cidrs(find(rs, 'gateway', 'ingress', 'public'))).toEqual(['198.51.100.7/32', '203.0.113.8/29']);
      expect(formatPorts(find(rs, 'gateway', 'ingress', 'gateway').ports)).toBe('16380-16383');
    } finally {
      g.t.close();
    }
  });

  it('carries provenance: every flow and how many connections it gave', () => {
    const fromManagement = ruleSet.rules.find((r) => r.endpoint === 'gateway' && r.direction === 'ingress' && r.ports?.[0]?.lo === 3000)!;
    expect(fromManagement.provenance).toEqual([
      { flow: 'apic-firewall/gateway-service-port', connections: 8 },
      { flow: 'apic-firewall/management-gateway-configuration', connections: 8 },
    ]);
    expect(fromManagement.peers.selector).toEqual({ namespace: 'apic', labels: { 'app.kubernetes.io/component': 'management' }, expressions: [] });
    expect(cidrs(fromManagement)).toEqual(['10.244.2.10/31']);
    expect(ruleSet.rules.map((r) => r.id)).toContain('gateway/ingress-1');
  });

  it('governs the inventory endpoints, not the rest of the world; --endpoint narrows it', () => {
    expect(ruleSet.endpoints.map((e) => `${e.name}:${e.governed}`)).toEqual(['analytics:true', 'gateway:true', 'management:true', 'portal:true', 'protected:true', 'public:false']);
    expect(ruleSet.endpoints.find((e) => e.name === 'public')!.reason).toMatch(/rest of the world/);
    const narrow = buildRuleSet(f.input, { ...OPTIONS, endpoints: ['gateway'] });
    expect(narrow.endpoints.filter((e) => e.governed).map((e) => e.name)).toEqual(['gateway']);
    expect(() => buildRuleSet(f.input, { ...OPTIONS, endpoints: ['gatewya'] })).toThrow(ConfigError);
  });
});

describe('documented flows never observed', () => {
  it('lists them as dropped by default', () => {
    expect(ruleSet.unobserved.length).toBe(24);
    expect(ruleSet.unobserved.every((u) => !u.kept)).toBe(true);
    expect(ruleSet.rules.some((r) => r.kept)).toBe(false);
  });

  it('keeps them as rules from their documented endpoints and ports with --keep-unobserved, where they can be', () => {
    const kept = buildRuleSet(f.input, { ...OPTIONS, keepUnobserved: true });
    const admin = kept.unobserved.find((u) => u.flow === 'apic-firewall/portal-administration')!;
    expect(admin).toMatchObject({ kept: true, note: null });
    const rule = kept.rules.find((r) => r.kept && r.endpoint === 'portal' && r.provenance[0]!.flow === 'apic-firewall/portal-administration')!;
    expect([cidrs(rule), formatPorts(rule.ports), rule.connections]).toEqual([['10.10.0.0/16'], '22, 443', 0]);
    expect(kept.unobserved.find((u) => u.flow === 'apic-firewall/analytics-dns')).toMatchObject({ kept: false, note: expect.stringMatching(/apic.analytics_dns_port has no value/) as unknown });
    expect(kept.counts.unexpectedAdmitted).toBe(0);
  });
});

describe('a conflict no rule can avoid', () => {
  it('is counted on the rule and in the totals', async () => {
    const t = await scratch('flowaudit-tighten-conflict-');
    try {
      await insertConnections(t.store, [
        { id: 1, client: '10.10.7.20', server: '10.20.2.10' }, // protected → management:443, documented
        // A gateway pod at a management address: by identity it is the gateway, which protected may not reach on 443.
        { id: 2, client: '10.10.7.20', server: '10.20.2.11', serverIdentity: { namespace: 'apic', labels: { 'app.kubernetes.io/component': 'gateway' } } },
      ]);
      await classify(t.store, { rules: RULES, inventory: t.file('inventory.yaml', INVENTORY), params: {} });
      const rs = buildRuleSet(await loadTightenInput(t.store, 'conflict.duckdb'), OPTIONS);
      const rule = find(rs, 'management', 'ingress', 'protected');
      expect(rule.unexpectedAdmitted).toBe(1);
      expect(rs.counts.unexpectedAdmitted).toBe(1);
      // By endpoint (security groups, pod selectors) the gateway pod is still refused.
      const unexpected = (await loadTightenInput(t.store, 'conflict.duckdb')).groups.find((g) => g.verdict === 'unexpected')!;
      expect(ruleSetAdmits(rs, unexpected)).toBe(false);
    } finally {
      t.close();
    }
  });
});

/**
 * The rule tables classify loads: disjoint address segments, and flow rows compiled per endpoint
 * pair instead of per binding pair (the inventory's sides come from compileRules itself).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareTables } from '../../src/classify/prepare.js';
import { segmentIntervals } from '../../src/classify/segments.js';
import { compileRules, loadInventory, loadRulePacks } from '../../src/rules/index.js';
import { packageRoot } from '../../src/rules/package-root.js';

const ROOT = packageRoot();

describe('segmentIntervals', () => {
  it('cuts overlapping intervals into disjoint pieces, each with every interval holding it', () => {
    const segments = segmentIntervals([
      { family: 4, lo: 0n, hi: 99n, binding: 1 },
      { family: 4, lo: 10n, hi: 19n, binding: 2 },
      { family: 4, lo: 15n, hi: 30n, binding: 3 },
      { family: 4, lo: 200n, hi: 200n, binding: 4 },
      { family: 6, lo: 0n, hi: (1n << 128n) - 1n, binding: 5 },
    ]);
    expect(segments).toEqual([
      { family: 4, lo: 0n, hi: 9n, bindings: [1] },
      { family: 4, lo: 10n, hi: 14n, bindings: [1, 2] },
      { family: 4, lo: 15n, hi: 19n, bindings: [1, 2, 3] },
      { family: 4, lo: 20n, hi: 30n, bindings: [1, 3] },
      { family: 4, lo: 31n, hi: 99n, bindings: [1] },
      { family: 4, lo: 200n, hi: 200n, bindings: [4] },
      { family: 6, lo: 0n, hi: (1n << 128n) - 1n, bindings: [5] },
    ]);
  });

  it('leaves nothing for no intervals', () => {
    expect(segmentIntervals([])).toEqual([]);
  });
});

describe('prepareTables', () => {
  it('compiles one row per endpoint pair where compileRules gives one per binding pair', async () => {
    const rules = await loadRulePacks([join(ROOT, 'rules', 'apic-firewall.yaml')]);
    const inventory = await loadInventory(join(ROOT, 'fixtures', 'inventory', 'apic.yaml'));
    const tables = prepareTables(rules, inventory, {});
    const compiled = compileRules(rules, inventory, {});
    expect(tables.flowRows.length).toBeLessThan(compiled.rows.length);
    // api-request: public (0.0.0.0/0 and ::/0, carved into pieces) → gateway (two CIDRs), tcp/443.
    expect(compiled.rows.filter((r) => r.flow === 'apic-firewall/api-request').length).toBeGreaterThan(4);
    expect(tables.flowRows.filter((r) => r.flow === 'apic-firewall/api-request')).toEqual([
      { flow: 'apic-firewall/api-request', direction: 'forward', proto: 6, portLo: 443, portHi: 443, clientEndpoint: 'inventory:public', serverEndpoint: 'inventory:gateway' },
    ]);
    // The bindings of an inventory endpoint are exactly the sides compileRules gives it.
    const gatewaySides = compiled.rows.filter((r) => r.flow === 'apic-firewall/api-request').map((r) => `${r.server.lo}-${r.server.hi}`);
    const gatewayBindings = tables.bindings.filter((b) => b.endpointKey === 'inventory:gateway').map((b) => `${b.lo}-${b.hi}`);
    expect(new Set(gatewayBindings)).toEqual(new Set(gatewaySides));
    // management's selector is a binding too, with its label as an In term.
    const selector = tables.bindings.find((b) => b.endpointKey === 'inventory:management' && b.kind === 'k8s')!;
    expect(tables.terms.filter((t) => t.bindingId === selector.bindingId)).toEqual([
      { bindingId: selector.bindingId, key: 'app.kubernetes.io/component', operator: 'In', values: ['management'] },
    ]);
  });

  it('binds every inventory endpoint, used by a rule or not, and marks flows that cannot match', async () => {
    const rules = await loadRulePacks([join(ROOT, 'rules', 'apic-inter-subsystem.yaml')]);
    const inventory = await loadInventory(join(ROOT, 'fixtures', 'inventory', 'apic.yaml'));
    const tables = prepareTables(rules, inventory, { 'apic.platform_api_port': '2443' });
    expect(new Set(tables.bindings.map((b) => b.endpointKey))).toEqual(
      new Set(['public', 'protected', 'gateway', 'management', 'portal', 'analytics'].map((n) => `inventory:${n}`)),
    );
    const bound = Object.fromEntries(tables.flows.map((f) => [f.flow, f.bound]));
    expect(bound['apic-inter-subsystem/jwks-lookup']).toBe(true);
    expect(bound['apic-inter-subsystem/analytics-ingestion']).toBe(false);
    expect(tables.params.find((p) => p.name === 'apic.platform_api_port')).toEqual({ name: 'apic.platform_api_port', value: [{ lo: 2443, hi: 2443 }], source: 'cli' });
  });

  it('keys a pack endpoint by its pack, and hosts written in rules by name', async () => {
    const rules = await loadRulePacks([join(ROOT, 'rules', 'iks-firewall.yaml'), join(ROOT, 'rules', 'apigee-hybrid.yaml')]);
    const tables = prepareTables(rules, null, {});
    const keys = new Set(tables.bindings.map((b) => b.endpointKey));
    expect(keys.has('pack:iks-firewall/master')).toBe(true);
    expect(keys.has('host:*.containers.cloud.ibm.com')).toBe(true);
    expect(keys.has('any')).toBe(true);
    expect([...keys].some((k) => k.startsWith('inventory:'))).toBe(false);
  });
});

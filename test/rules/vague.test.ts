/**
 * A rule for a flow the document leaves vague ("Standard NTP", a port it never gives) must never
 * match on a port nobody supplied — even with every endpoint bound to every address — and must
 * say why it is unbound. Once a value is supplied it matches like any other rule.
 */
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../src/rules/cidr.js';
import { compileRules } from '../../src/rules/compile.js';
import { loadRulePacks } from '../../src/rules/load.js';
import { matchConnection } from '../../src/rules/match.js';
import { protocolNumber } from '../../src/rules/ports.js';
import type { CidrBlock, Inventory, LoadedRules, Rule } from '../../src/rules/types.js';

const EVERYWHERE: CidrBlock[] = ['0.0.0.0/0', '::/0'].map((text) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.block;
});

/** Every endpoint name any rule uses, bound to every address: only the ports can keep a rule from matching. */
function bindEverything(rules: LoadedRules): Inventory {
  const names = new Set(rules.packs.flatMap((p) => p.rules.flatMap((r) => [...r.from, ...r.to]).flatMap((ref) => (ref.kind === 'name' ? [ref.name] : []))));
  return {
    file: 'everything.yaml',
    endpoints: [...names].map((name) => ({ name, cidrs: EVERYWHERE, except: [], k8s: [], hosts: [], description: null, location: { file: 'everything.yaml', line: 1, column: 1 } })),
    params: new Map(),
  };
}

const PROBE_PORTS = [0, 1, 22, 53, 80, 123, 161, 443, 2379, 3000, 8080, 8443, 9092, 16380, 44135, 65535];

function vagueParams(rule: Rule): string[] {
  return rule.ports.kind === 'list' ? rule.ports.specs.flatMap((spec) => (spec.kind === 'param' ? [spec.param] : [])) : [];
}

describe('vague rules', async () => {
  const rules = await loadRulePacks([]);
  const inventory = bindEverything(rules);
  const vague = rules.packs.flatMap((pack) => pack.rules.filter((r) => r.vague !== null).map((rule) => ({ flow: `${pack.id}/${rule.id}`, rule })));

  it('exist in the shipped packs, each with a port param', () => {
    expect(vague.length).toBeGreaterThan(0);
    for (const { rule } of vague) expect(vagueParams(rule).length).toBeGreaterThan(0);
  });

  it('compile to no rows and say which param is missing', () => {
    const compiled = compileRules(rules, inventory);
    for (const { flow, rule } of vague) {
      expect(compiled.rows.filter((row) => row.flow === flow)).toEqual([]);
      const info = compiled.flows.find((f) => f.flow === flow)!;
      expect(info.bound).toBe(false);
      for (const param of vagueParams(rule)) expect(info.unresolved.join('\n')).toContain(param);
    }
  });

  it('never match a connection on any port, protocol or address', () => {
    const compiled = compileRules(rules, inventory);
    const matched = new Set<string>();
    for (const { rule } of vague) {
      for (const protocol of rule.protocols) {
        for (const port of PROBE_PORTS) {
          for (const [client, server] of [['10.1.1.1', '10.2.2.2'], ['fd00::1', 'fd00::2']] as const) {
            const conn = { proto: protocolNumber(protocol) ?? 6, client: { ip: client, port: 40000 }, server: { ip: server, port } };
            for (const flow of matchConnection(compiled, conn)) matched.add(flow);
          }
        }
      }
    }
    expect(vague.filter(({ flow }) => matched.has(flow)).map(({ flow }) => flow)).toEqual([]);
  });

  it('match once their params are given', () => {
    const params = Object.fromEntries(vague.flatMap(({ rule }) => vagueParams(rule)).map((name) => [name, '7777']));
    const compiled = compileRules(rules, inventory, params);
    for (const { flow, rule } of vague) {
      const conn = { proto: protocolNumber(rule.protocols[0]!) ?? 6, client: { ip: '10.1.1.1', port: 40000 }, server: { ip: '10.2.2.2', port: 7777 } };
      expect(matchConnection(compiled, conn)).toContain(flow);
    }
  });
});

/**
 * Inventories: CIDRs (IPv4 and IPv6) as integer intervals, longest prefix wins, an exact tie is a
 * configuration error naming both places, host names only through names evidence, Kubernetes
 * identity over address, and params: --param over inventory over pack default.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseCidr, subtractIntervals } from '../../src/rules/cidr.js';
import { compileRules } from '../../src/rules/compile.js';
import { loadInventory } from '../../src/rules/inventory.js';
import { loadRulePacks } from '../../src/rules/load.js';
import { matchConnection } from '../../src/rules/match.js';
import { parseParamArgs, resolveParams } from '../../src/rules/params.js';

const dir = mkdtempSync(join(tmpdir(), 'flowaudit-inv-'));
let counter = 0;
function file(text: string): string {
  const path = join(dir, `inventory-${++counter}.yaml`);
  writeFileSync(path, text);
  return path;
}

const PACK = `pack: demo
title: Demo
document: { title: Demo doc, file: demo.txt }
params:
  demo.admin_port: { default: 9090, description: Admin console port. }
rules:
  - id: public-to-gateway
    title: Users call the gateway
    from: public
    to: gateway
    protocols: [tcp]
    ports: [443]
    direction: one-way
    requirement: required
    citation: { section: Table 1, row: 1 }
  - id: admin
    title: Operators reach the admin console
    from: operators
    to: gateway
    protocols: [tcp]
    ports: [{ param: demo.admin_port }]
    direction: one-way
    requirement: required
    citation: { section: Table 1, row: 2 }
  - id: registry
    title: The gateway pulls from the registry
    from: gateway
    to: registry
    protocols: [tcp]
    ports: [443]
    direction: one-way
    requirement: required
    citation: { section: Table 1, row: 3 }
`;

const tcp = (client: string, server: string, port: number, extra: { names?: string[]; k8s?: { namespace: string; labels: Record<string, string> } } = {}) => ({
  proto: 6,
  client: { ip: client, port: 50000, k8s: extra.k8s ?? null },
  server: { ip: server, port, names: extra.names ?? [] },
});

describe('CIDRs', () => {
  it('parse IPv4 and IPv6 into integer intervals with their prefix length', () => {
    expect(parseCidr('10.20.1.0/24')).toEqual({ ok: true, block: { text: '10.20.1.0/24', family: 4, prefix: 24, start: 0x0a140100n, end: 0x0a1401ffn } });
    expect(parseCidr('FD00:20:1::/64')).toEqual({ ok: true, block: { text: 'fd00:20:1::/64', family: 6, prefix: 64, start: 0xfd000020000100000000000000000000n, end: 0xfd00002000010000ffffffffffffffffn } });
    expect(parseCidr('192.0.2.7')).toMatchObject({ ok: true, block: { text: '192.0.2.7/32', prefix: 32 } });
    expect(parseCidr('::/0')).toMatchObject({ ok: true, block: { start: 0n, end: (1n << 128n) - 1n } });
    expect(parseCidr('10.0.0.0/33')).toMatchObject({ ok: false, hint: 'use a prefix length from 0 to 32' });
    expect(parseCidr('10.0.0.1/8')).toMatchObject({ ok: false, hint: 'write the network address: 10.0.0.0/8' });
    expect(parseCidr('gateway')).toMatchObject({ ok: false });
  });

  it('subtract into disjoint intervals', () => {
    const v4 = (lo: number, hi: number) => ({ family: 4 as const, lo: BigInt(lo), hi: BigInt(hi) });
    expect(subtractIntervals([v4(0, 100)], [v4(10, 19), v4(50, 200), { family: 6, lo: 0n, hi: 100n }])).toEqual([v4(0, 9), v4(20, 49)]);
  });
});

describe('inventory', () => {
  it('lets the longest prefix win where CIDRs overlap, in IPv4 and IPv6', async () => {
    const rules = await loadRulePacks([file(PACK)]);
    const inventory = await loadInventory(
      file(`endpoints:
  public: { cidrs: [0.0.0.0/0, "::/0"] }
  operators: { cidrs: [10.10.0.0/16, "fd00:10::/32"] }
  gateway: { cidrs: [10.20.1.0/24, "fd00:20:1::/64"] }
`),
    );
    const compiled = compileRules(rules, inventory);
    expect(matchConnection(compiled, tcp('198.51.100.1', '10.20.1.5', 443))).toEqual(['demo/public-to-gateway']);
    expect(matchConnection(compiled, tcp('10.10.3.3', '10.20.1.5', 443))).toEqual([]);
    expect(matchConnection(compiled, tcp('2001:db8::1', 'fd00:20:1::5', 443))).toEqual(['demo/public-to-gateway']);
    expect(matchConnection(compiled, tcp('fd00:10::3', 'fd00:20:1::5', 443))).toEqual([]);
    expect(matchConnection(compiled, tcp('fd00:10::3', 'fd00:20:1::5', 9090))).toEqual(['demo/admin']);
  });

  it('rejects the same CIDR under two endpoints, naming both places', async () => {
    const path = file(`endpoints:
  gateway: { cidrs: [10.20.1.0/24] }
  portal:
    cidrs:
      - 10.20.2.0/24
      - 10.20.1.0/24
`);
    const error = await loadInventory(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).toLine()).toBe(
      `${path}:6:9: 10.20.1.0/24 is bound to both "gateway" (${path}:2:22) and "portal" — an address must belong to one endpoint: remove one, or make one of them a longer (more specific) prefix`,
    );
  });

  it('matches host names only through names evidence, never a lookup', async () => {
    const rules = await loadRulePacks([file(PACK)]);
    const inventory = await loadInventory(file('endpoints:\n  gateway: { cidrs: [10.20.1.0/24] }\n  registry: { hosts: [icr.io, "*.icr.io"] }\n'));
    const compiled = compileRules(rules, inventory);
    expect(matchConnection(compiled, tcp('10.20.1.5', '104.0.0.1', 443))).toEqual([]);
    expect(matchConnection(compiled, tcp('10.20.1.5', '104.0.0.1', 443, { names: ['ICR.io.'] }))).toEqual(['demo/registry']);
    expect(matchConnection(compiled, tcp('10.20.1.5', '104.0.0.1', 443, { names: ['us.icr.io'] }))).toEqual(['demo/registry']);
    expect(matchConnection(compiled, tcp('10.20.1.5', '104.0.0.1', 443, { names: ['icr.io.example.net'] }))).toEqual([]);
  });

  it('places a side by its Kubernetes identity before its address', async () => {
    const rules = await loadRulePacks([file(PACK)]);
    const inventory = await loadInventory(
      file(`endpoints:
  public: { cidrs: [0.0.0.0/0] }
  operators: { k8s: { namespace: ops, labels: { team: sre } } }
  gateway: { cidrs: [10.20.1.0/24] }
`),
    );
    const compiled = compileRules(rules, inventory);
    const sre = { namespace: 'ops', labels: { team: 'sre', extra: 'x' } };
    expect(matchConnection(compiled, tcp('10.99.0.4', '10.20.1.5', 9090, { k8s: sre }))).toEqual(['demo/admin']);
    expect(matchConnection(compiled, tcp('10.99.0.4', '10.20.1.5', 443, { k8s: sre }))).toEqual([]);
    expect(matchConnection(compiled, tcp('10.99.0.4', '10.20.1.5', 443, { k8s: { namespace: 'ops', labels: { team: 'web' } } }))).toEqual(['demo/public-to-gateway']);
  });

  it('reports schema problems at file:line:column', async () => {
    const path = file('endpoints:\n  Gateway: { cidrs: [10.20.1.0/24] }\n');
    await expect(loadInventory(path)).rejects.toThrow(/"Gateway" is not a valid name in endpoints/);
    const error = (await loadInventory(path).catch((e: unknown) => e)) as ConfigError;
    expect(error.location).toBe(`${path}:2:3`);
  });

  it('rejects an endpoint that binds nothing', async () => {
    await expect(loadInventory(file('endpoints:\n  gateway: { description: TBD }\n'))).rejects.toThrow('endpoint "gateway" binds nothing');
  });
});

describe('params', () => {
  it('take --param over the inventory over the pack default', async () => {
    const rules = await loadRulePacks([file(PACK)]);
    const base = 'endpoints:\n  operators: { cidrs: [10.10.0.0/16] }\n  gateway: { cidrs: [10.20.1.0/24] }\n';
    const withParam = await loadInventory(file(`${base}params:\n  demo.admin_port: "9091-9092"\n`));
    const admin = (port: number, compiled: ReturnType<typeof compileRules>) => matchConnection(compiled, tcp('10.10.0.1', '10.20.1.1', port));

    expect(admin(9090, compileRules(rules, await loadInventory(file(base))))).toEqual(['demo/admin']);
    expect(admin(9090, compileRules(rules, withParam))).toEqual([]);
    expect(admin(9092, compileRules(rules, withParam))).toEqual(['demo/admin']);
    expect(admin(9092, compileRules(rules, withParam, { 'demo.admin_port': '8443' }))).toEqual([]);
    expect(admin(8443, compileRules(rules, withParam, { 'demo.admin_port': '8443' }))).toEqual(['demo/admin']);
    expect(resolveParams(rules.params, withParam, {}).get('demo.admin_port')).toEqual({ name: 'demo.admin_port', value: [{ lo: 9091, hi: 9092 }], source: 'inventory' });
  });

  it('reject a name no loaded pack declares, from the inventory or the command line', async () => {
    const rules = await loadRulePacks([file(PACK)]);
    const path = file('endpoints:\n  gateway: { cidrs: [10.20.1.0/24] }\nparams:\n  demo.admin_prot: 1\n');
    const inventory = await loadInventory(path);
    expect(() => compileRules(rules, inventory)).toThrow(new ConfigError('no loaded rule pack declares param "demo.admin_prot"', 'params under demo.: demo.admin_port', `${path}:4:3`));
    expect(() => compileRules(rules, null, { 'other.port': '1' })).toThrow('no loaded rule pack declares param "other.port"');
    expect(() => compileRules(rules, null, { 'demo.admin_port': 'http' })).toThrow('--param demo.admin_port: "http" is not a port or port range');
  });

  it('parse NAME=VALUE arguments', () => {
    expect(parseParamArgs(['apic.gateway_service_port=3001', 'iks.nodeport_range = 30000-30100'])).toEqual({ 'apic.gateway_service_port': '3001', 'iks.nodeport_range': '30000-30100' });
    expect(() => parseParamArgs(['apic.gateway_service_port'])).toThrow('--param "apic.gateway_service_port" is not NAME=VALUE');
  });
});

describe('example inventories', () => {
  it('load without problems against the shipped packs', async () => {
    const rules = await loadRulePacks();
    for (const name of ['apic', 'apigee', 'iks', 'sidecar']) {
      const inventory = await loadInventory(join(import.meta.dirname, '../../fixtures/inventory', `${name}.yaml`));
      expect(compileRules(rules, inventory).rows.length).toBeGreaterThan(0);
    }
  });
});

/**
 * `flowaudit rules list | show ID | validate`: the pure formatters, and the commander wiring with
 * stdout captured. A validation problem ends in a FlowauditError, which the CLI turns into exit 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRule, formatRule, formatRuleList, formatValidation, rulesCommand } from '../../src/cli/rules.js';
import { FlowauditError } from '../../src/errors.js';
import type { ConfigError } from '../../src/errors.js';
import { loadRulePacks } from '../../src/rules/load.js';
import { packageRoot } from '../../src/rules/package-root.js';
import { runInProcess } from '../helpers/cli.js';

const options = { cwd: packageRoot() };

const run = (...args: string[]) => runInProcess(rulesCommand(), args);

describe('rules list', () => {
  it('prints one aligned line per rule: id, title, from → to, protocols/ports, requirement', async () => {
    const text = formatRuleList(await loadRulePacks(), options);
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('97 rules in 5 packs (rules/apic-firewall.yaml, rules/apic-inter-subsystem.yaml, rules/apigee-hybrid.yaml, rules/http-sidecar.yaml, rules/iks-firewall.yaml)');
    const line = (id: string): string => lines.find((l) => l.startsWith(`${id} `))!.replace(/ {2,}/g, ' | ');
    expect(line('apic-firewall/management-gateway-configuration')).toBe(
      'apic-firewall/management-gateway-configuration | Management and gateway servers push configuration and webhooks to each other | management ↔ gateway | tcp/{apic.gateway_service_port=3000},443 | required',
    );
    expect(line('apic-firewall/gateway-peering')).toBe(
      'apic-firewall/gateway-peering | Gateway servers of one cluster reach each other to synchronise invocation counts | gateway ↔ gateway | tcp,udp/{apic.gateway_peer_port=?} | required [vague]',
    );
    expect(line('iks-firewall/workers-vrrp')).toBe('iks-firewall/workers-vrrp | VRRP between worker nodes, for load balancer IP addresses | workers ↔ workers | vrrp | when you use load balancer services');
  });

  it('loads --rules instead of the shipped packs', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'flowaudit-cli-')), 'policy.yaml');
    writeFileSync(path, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: deny }\nspec:\n  podSelector: {}\n  egress:\n  - ports: [{ protocol: UDP, port: 53 }]\n');
    const { out, error } = await run('list', '--rules', path);
    expect(error).toBeNull();
    expect(out).toContain('networkpolicy.deny/egress-1-udp  Egress rule 1 of NetworkPolicy deny (UDP)  deny-pods → any  udp/53  optional\n1 rule in 1 pack');
  });
});

describe('rules show', () => {
  it('prints the whole rule with its citation', async () => {
    const loaded = await loadRulePacks();
    const { pack, rule } = findRule(loaded, 'management-gateway-configuration');
    const text = formatRule(pack, rule, loaded, options);
    expect(text).toBe(`apic-firewall/management-gateway-configuration
  title:       Management and gateway servers push configuration and webhooks to each other
  from:        management (bound by the inventory)
  to:          gateway (bound by the inventory)
  direction:   both ways (either side may start the connection)
  protocols:   tcp
  ports:       param apic.gateway_service_port (default 3000), 443
  requirement: required
  security:    tls
  citation:    ibm-api-connect-firewall-kubernetes.txt (Firewall requirements on Kubernetes), Table 1, row 7
  notes:       The row gives 3000 or 443 depending on configuration; 3000 is the gateway service port of Table 3.
  defined at:  rules/apic-firewall.yaml:${rule.location.line}:${rule.location.column}
`);
  });

  it('shows what a vague rule lacks, and the pack data behind an endpoint name', async () => {
    const { out } = await run('show', 'iks-firewall/calicoctl-to-etcd');
    expect(out).toContain('  to:          master (the pack binds 50 CIDRs; the inventory may rebind it), *.containers.cloud.ibm.com\n');
    expect(out).toContain('  ports:       param iks.etcd_port (no default: set it with --param or in the inventory)\n');
    expect(out).toContain('  vague:       The etcd port is read from the cluster');
    expect(out).toContain('firewall_calicoctl, step 1\n               ibm-cloud-kubernetes-firewall.md');
  });

  it('asks for the pack when a rule id is in several, and says when there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowaudit-cli-'));
    const packText = (id: string): string =>
      `pack: ${id}\ntitle: T\ndocument: { title: D, file: d.txt }\nrules:\n  - { id: web, title: W, from: any, to: any, protocols: [tcp], ports: [443], direction: one-way, requirement: required, citation: { section: S, row: 1 } }\n`;
    writeFileSync(join(dir, 'a.yaml'), packText('one'));
    writeFileSync(join(dir, 'b.yaml'), packText('two'));
    const ambiguous = await run('show', 'web', '--rules', dir);
    expect((ambiguous.error as ConfigError).toLine()).toBe('rule id "web" is in several packs — name one: one/web, two/web');
    const missing = await run('show', 'nope', '--rules', dir);
    expect((missing.error as ConfigError).toLine()).toBe('no rule "nope" — run flowaudit rules list to see the rule ids');
    expect((await run('show', 'two/web', '--rules', dir)).out).toMatch(/^two\/web\n/);
  });
});

describe('rules validate', () => {
  it('prints a summary when everything is fine', async () => {
    const { out, error } = await run('validate');
    expect(error).toBeNull();
    expect(out).toBe('5 files, 97 rules: ok\n');
  });

  it('prints file:line:column: message — hint per problem, then fails with exit-2 error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowaudit-cli-'));
    const path = join(dir, 'inventory.yaml');
    writeFileSync(path, 'endpoints:\n  gateway: { cidr: [10.0.0.0/8] }\n  portal: { hosts: [portal.example.com], ports: [443] }\n');
    const { out, error } = await run('validate', path);
    expect(out).toBe(`${path}:2:14: unknown key "cidr" in endpoints.gateway — did you mean "cidrs"? Allowed keys: description, cidrs, except, k8s, hosts
${path}:3:42: unknown key "ports" in endpoints.portal — remove it; allowed keys: description, cidrs, except, k8s, hosts
`);
    expect(error).toBeInstanceOf(FlowauditError);
    expect((error as FlowauditError).toLine()).toBe('2 problems found — fix them and run flowaudit rules validate again');
  });

  it('formats a report as pure text', () => {
    const report = { files: 1, rules: 0, diagnostics: [{ file: join(options.cwd, 'rules', 'x.yaml'), line: 3, column: 7, message: 'm', hint: 'h' }] };
    expect(formatValidation(report, options)).toBe('rules/x.yaml:3:7: m — h\n');
  });
});

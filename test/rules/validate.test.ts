/**
 * `rules validate` and loading: every problem comes back as file:line:column with what is wrong and
 * what to do — unknown keys, duplicate ids, bad values, misplaced files — and loading throws the
 * first as a one-line ConfigError.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadRulePacks } from '../../src/rules/load.js';
import { validate } from '../../src/rules/validate.js';
import type { Diagnostic } from '../../src/rules/types.js';

const dir = mkdtempSync(join(tmpdir(), 'flowaudit-rules-'));
let counter = 0;
function file(text: string, name = `f${++counter}.yaml`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const HEADER = `pack: demo
title: Demo
document: { title: Demo doc, file: demo.txt }
`;

/** A one-rule pack; `extra` is added to the rule, indented as a rule key. */
function pack(extra = '', header = HEADER): string {
  return `${header}rules:
  - id: web
    title: Web
    from: any
    to: gateway
    protocols: [tcp]
    ports: [443]
    direction: one-way
    requirement: required
    citation: { section: Table 1, row: 1 }
${extra}`;
}

async function problems(path: string): Promise<Diagnostic[]> {
  return (await validate([path])).diagnostics;
}

function where(d: Diagnostic): string {
  return `${d.line}:${d.column}`;
}

describe('rules validate', () => {
  it('finds no problem in the shipped packs', async () => {
    const report = await validate();
    expect(report.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message} — ${d.hint}`)).toEqual([]);
    expect(report).toMatchObject({ files: 5, rules: 97 });
  });

  it('accepts a correct pack and counts its rules', async () => {
    const report = await validate([file(pack())]);
    expect(report).toMatchObject({ files: 1, rules: 1, diagnostics: [] });
  });

  it('reports an unknown key at the key, with the spelling it probably meant', async () => {
    const [d, ...rest] = await problems(file(pack('    protocol: [udp]\n')));
    expect(rest).toEqual([]);
    expect(where(d!)).toBe('14:5');
    expect(d!.message).toBe('unknown key "protocol" in rules[0]');
    expect(d!.hint).toContain('did you mean "protocols"?');
  });

  it('reports unknown top-level keys too', async () => {
    const [d] = await problems(file(`${HEADER}colour: blue\nrules: []\n`));
    expect(d!.message).toContain('unknown key "colour"');
    expect(where(d!)).toBe('4:1');
  });

  it('reports a duplicate rule id at the second, naming the first', async () => {
    const path = file(`${pack()}  - id: web
    title: Web again
    from: any
    to: gateway
    protocols: [tcp]
    ports: [8443]
    direction: one-way
    requirement: required
    citation: { section: Table 1, row: 2 }
`);
    const [d, ...rest] = await problems(path);
    expect(rest).toEqual([]);
    expect(d!.message).toBe(`duplicate rule id "web" (first at ${path}:5:9)`);
    expect(where(d!)).toBe('14:9');
  });

  it('reports a duplicate YAML key as a syntax problem', async () => {
    const [d] = await problems(file(pack('    title: Again\n')));
    expect(d!.message).toMatch(/^YAML syntax: Map keys must be unique/);
    expect(d!.hint).toContain('keep one of the two keys');
  });

  it('explains values that fit none of the accepted forms', async () => {
    const diagnostics = await problems(file(pack().replace('ports: [443]', 'ports: [443, "20000:32767", { parm: x }]').replace('requirement: required', 'requirement: mandatory')));
    expect(diagnostics.map((d) => `${where(d)} ${d.message}`)).toEqual([
      '10:18 rules[0].ports[1] is "20000:32767", not in the expected form',
      '10:33 rules[0].ports[2] is missing "param"',
      '10:35 unknown key "parm" in rules[0].ports[2]',
      '12:18 rules[0].requirement is "mandatory"',
    ]);
    expect(diagnostics[3]!.hint).toBe('use one of: "required", "optional"');
  });

  it('checks what a schema cannot: ranges, endpoint refs, params, port-less protocols, unused data', async () => {
    const text = pack()
      .replace('ports: [443]', 'ports: ["9000-8000", { param: demo.missing }]')
      .replace('to: gateway', 'to: Gateway_1')
      .concat(`  - id: vrrp
    title: VRRP
    from: any
    to: any
    protocols: [vrrp]
    ports: [112]
    direction: both-ways
    requirement: required
    citation: { section: Step, step: "6" }
`)
      .concat('params:\n  demo.unused: { default: 1, description: Unused. }\n');
    const messages = (await problems(file(text))).map((d) => d.message);
    expect(messages).toEqual([
      '"Gateway_1" is not an endpoint name, CIDR or host name',
      'range "9000-8000" runs backwards',
      'param "demo.missing" is not declared in this pack',
      'protocols vrrp have no ports',
      'param "demo.unused" is declared but no rule uses it',
    ]);
  });

  it('keeps vague rules from matching on an invented port', async () => {
    const params = 'params:\n  demo.peer: { default: 9000, description: Peer port. }\n';
    const vagueWithDefault = pack('    vague: The document gives no port.\n').replace('ports: [443]', 'ports: [{ param: demo.peer }]') + params;
    expect((await problems(file(vagueWithDefault))).map((d) => d.message)).toEqual(['vague rule "web" uses param "demo.peer", which has a default']);
    const vagueWithPort = pack('    vague: The document gives no port.\n');
    expect((await problems(file(vagueWithPort))).map((d) => d.message)).toEqual(['vague rule "web" lists a fixed port']);
    const nullWithoutVague = pack().replace('ports: [443]', 'ports: [{ param: demo.peer }]') + params.replace('9000', 'null');
    expect((await problems(file(nullWithoutVague))).map((d) => d.message)).toEqual(['param "demo.peer" has no default, so rule "web" cannot match as written']);
    const vagueVrrp = pack('    vague: The document gives no port.\n').replace('ports: [443]', 'ports: [{ param: demo.peer }]').replace('protocols: [tcp]', 'protocols: [tcp, vrrp]') + params.replace('9000', 'null');
    expect((await problems(file(vagueVrrp))).map((d) => d.message)).toEqual(['vague rule "web" lists a protocol without ports']);
  });

  it('reports a bad CIDR in pack data with the network address to write', async () => {
    const text = pack().replace('to: gateway', 'to: registry') + 'endpoints:\n  registry: { cidrs: [161.202.146.86/29] }\n';
    const [d] = await problems(file(text));
    expect(d!.message).toBe('"161.202.146.86/29" has host bits set');
    expect(d!.hint).toBe('write the network address: 161.202.146.80/29');
  });

  it('rejects two packs with one id and params with different defaults', async () => {
    const params = (value: number): string => `params:\n  demo.port: { default: ${value}, description: Port. }\n`;
    const a = file(pack().replace('ports: [443]', 'ports: [{ param: demo.port }]') + params(1));
    const b = file(pack().replace('ports: [443]', 'ports: [{ param: demo.port }]') + params(2));
    const messages = (await validate([a, b])).diagnostics.map((d) => d.message);
    expect(messages).toEqual([`pack id "demo" is also used at ${a}:1:7`, `param "demo.port" has a different default than at ${a}:15:3`]);
  });

  it('validates inventories too, and their params against the packs given with them', async () => {
    const inventory = file(`endpoints:
  gateway: { cidrs: [10.0.0.0/8], colour: red }
params:
  demo.nope: 1
`);
    const messages = (await validate([file(pack()), inventory])).diagnostics.map((d) => `${where(d)} ${d.message}`);
    expect(messages).toEqual(['2:35 unknown key "colour" in endpoints.gateway']);
    const clean = file('endpoints:\n  gateway: { cidrs: [10.0.0.0/8] }\nparams:\n  demo.nope: 1\n');
    const [d] = (await validate([file(pack()), clean])).diagnostics;
    expect(`${where(d!)} ${d!.message}`).toBe('4:3 no loaded rule pack declares param "demo.nope"');
  });

  it('says what to do with a file that is no rule source', async () => {
    const [d] = await problems(file('just: text\n'));
    expect(d!.message).toBe('not a rule pack or NetworkPolicy');
    const [e] = await problems(file('pack: demo\ncases: []\n'));
    expect(e!.message).toBe('this is a rule pack test file, not a rule source');
    const [f] = await problems(file('# nothing yet\n'));
    expect(f!.message).toBe('the file holds no YAML document');
  });

  it('passes over pack test files when walking a folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'flowaudit-walk-'));
    writeFileSync(join(folder, 'demo.yaml'), pack());
    writeFileSync(join(folder, 'demo.test.yaml'), 'pack: demo\ncases: []\n');
    expect(await validate([folder])).toMatchObject({ files: 1, rules: 1, diagnostics: [] });
  });
});

describe('loadRulePacks', () => {
  it('throws the first problem as a one-line ConfigError at file:line:column', async () => {
    const path = file(pack('    protocol: [udp]\n    colour: red\n'));
    const error = await loadRulePacks([path]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).toLine()).toBe(
      `${path}:14:5: unknown key "protocol" in rules[0] (and 1 more problem) — did you mean "protocols"? Allowed keys: id, title, from, to, protocols, ports, direction, requirement, security, citation, vague, notes; run flowaudit rules validate to list them all`,
    );
  });

  it('loads the shipped packs by default', async () => {
    const loaded = await loadRulePacks();
    expect(loaded.packs.map((p) => p.id).sort()).toEqual(['apic-firewall', 'apic-inter-subsystem', 'apigee-hybrid', 'http-sidecar', 'iks-firewall']);
  });

  it('refuses an inventory passed as rules', async () => {
    const path = file('endpoints:\n  gateway: { cidrs: [10.0.0.0/8] }\n');
    await expect(loadRulePacks([path])).rejects.toThrow('this is an inventory, not a rule source');
  });
});

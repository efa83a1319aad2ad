/**
 * Each shipped pack has a test file beside it (rules/<pack>.test.yaml), in the style of
 * semgrep-rules: connections that must match a given rule id and connections that must not. Every
 * rule has a matching case; every vague rule also has a case showing it does not match as shipped.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/rules/compile.js';
import { loadInventory } from '../../src/rules/inventory.js';
import { loadRulePacks } from '../../src/rules/load.js';
import { matchConnection } from '../../src/rules/match.js';
import type { ConnectionSide, ConnectionToMatch } from '../../src/rules/match.js';
import { shippedRulesDir } from '../../src/rules/package-root.js';
import type { CompiledRules, Inventory, LoadedRules } from '../../src/rules/types.js';

interface PackCase {
  conn: string;
  client_k8s?: { namespace: string; labels?: Record<string, string> };
  server_k8s?: { namespace: string; labels?: Record<string, string> };
  client_names?: string[];
  server_names?: string[];
  params?: Record<string, string | number>;
  match?: string[];
  no_match?: string[];
  /** The matched rule ids must be exactly `match` (an empty `match`: the connection is unexpected). */
  exact?: boolean;
}

interface PackTestFile {
  pack: string;
  inventory?: string;
  cases: PackCase[];
}

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, vrrp: 112, ipencap: 4 };

/** `tcp 10.0.0.1:40000 -> [fd00::1]:443`; port-less protocols leave the ports out. */
function parseConn(text: string, c: PackCase): ConnectionToMatch {
  const match = /^(\w+)\s+(\S+)\s+->\s+(\S+)$/.exec(text.trim());
  if (!match) throw new Error(`bad conn "${text}": write "tcp 10.0.0.1:40000 -> 10.0.0.2:443"`);
  const proto = PROTOCOLS[match[1]!];
  if (proto === undefined) throw new Error(`bad conn "${text}": unknown protocol ${match[1]}`);
  const side = (endpoint: string, k8s: PackCase['client_k8s'], names: string[] | undefined): ConnectionSide => {
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(endpoint);
    const v4 = /^([\d.]+)(?::(\d+))?$/.exec(endpoint);
    const parts = v6 ?? v4;
    if (!parts) throw new Error(`bad endpoint "${endpoint}" in "${text}"`);
    return {
      ip: parts[1]!,
      port: parts[2] === undefined ? null : Number(parts[2]),
      k8s: k8s ? { namespace: k8s.namespace, labels: k8s.labels ?? {} } : null,
      names: names ?? [],
    };
  };
  return { proto, client: side(match[2]!, c.client_k8s, c.client_names), server: side(match[3]!, c.server_k8s, c.server_names) };
}

const testFiles = readdirSync(shippedRulesDir())
  .filter((name) => name.endsWith('.test.yaml'))
  .sort();

it('every shipped pack has a test file beside it', () => {
  const packs = readdirSync(shippedRulesDir()).filter((name) => name.endsWith('.yaml') && !name.endsWith('.test.yaml'));
  expect(packs.map((name) => name.replace(/\.yaml$/, '.test.yaml')).sort()).toEqual(testFiles);
});

describe.each(testFiles)('%s', (testFileName) => {
  const testFile = join(shippedRulesDir(), testFileName);
  const setup = (async () => {
    const spec = parse(await readFile(testFile, 'utf8')) as PackTestFile;
    const rules = await loadRulePacks([testFile.replace(/\.test\.yaml$/, '.yaml')]);
    const inventory = spec.inventory ? await loadInventory(resolve(dirname(testFile), spec.inventory)) : null;
    return { spec, rules, inventory };
  })();
  const compiled = new Map<string, CompiledRules>();
  const compileFor = (rules: LoadedRules, inventory: Inventory | null, params: PackCase['params']): CompiledRules => {
    const key = JSON.stringify(params ?? {});
    let result = compiled.get(key);
    if (!result) {
      result = compileRules(rules, inventory, Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, String(v)])));
      compiled.set(key, result);
    }
    return result;
  };

  it('names its pack and known rule ids only', async () => {
    const { spec, rules } = await setup;
    const pack = rules.packs[0]!;
    expect(spec.pack).toBe(pack.id);
    const ids = new Set(pack.rules.map((r) => r.id));
    const unknown = spec.cases.flatMap((c) => [...(c.match ?? []), ...(c.no_match ?? [])]).filter((id) => !ids.has(id));
    expect(unknown).toEqual([]);
  });

  it('has a matching case for every rule, and a not-matching case for every vague rule as shipped', async () => {
    const { spec, rules } = await setup;
    const pack = rules.packs[0]!;
    const matched = new Set(spec.cases.flatMap((c) => c.match ?? []));
    const notMatchedAsShipped = new Set(spec.cases.filter((c) => !c.params).flatMap((c) => c.no_match ?? []));
    expect(pack.rules.filter((r) => !matched.has(r.id)).map((r) => r.id)).toEqual([]);
    expect(pack.rules.filter((r) => r.vague !== null && !notMatchedAsShipped.has(r.id)).map((r) => r.id)).toEqual([]);
  });

  it('matches and does not match as the cases say', async () => {
    const { spec, rules, inventory } = await setup;
    const pack = rules.packs[0]!.id;
    const failures: string[] = [];
    for (const c of spec.cases) {
      const got = matchConnection(compileFor(rules, inventory, c.params), parseConn(c.conn, c)).map((flow) => flow.slice(pack.length + 1));
      const params = c.params ? ` with ${JSON.stringify(c.params)}` : '';
      for (const id of c.match ?? []) if (!got.includes(id)) failures.push(`${c.conn}${params}: should match ${id}, matched [${got.join(', ')}]`);
      for (const id of c.no_match ?? []) if (got.includes(id)) failures.push(`${c.conn}${params}: should not match ${id}`);
      if (c.exact && [...got].sort().join() !== [...(c.match ?? [])].sort().join()) failures.push(`${c.conn}${params}: matched exactly [${got.join(', ')}]`);
    }
    expect(failures).toEqual([]);
  });
});

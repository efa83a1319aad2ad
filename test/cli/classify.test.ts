/**
 * `flowaudit classify`: the summary it prints, in process and as a user runs it (a child process
 * on dist/), and its exit codes — 0 after classifying, 2 for a bad inventory, param or option.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyCommand, formatClassifySummary } from '../../src/cli/classify.js';
import { packageRoot } from '../../src/rules/package-root.js';
import { Store } from '../../src/store/store.js';
import { runCli, runInProcess } from '../helpers/cli.js';
import { insertConnections, scratch } from '../classify/fixtures.js';
import type { Scratch } from '../classify/fixtures.js';

const ROOT = packageRoot();
const INVENTORY = join(ROOT, 'fixtures', 'inventory', 'apic.yaml');
const RULES = join(ROOT, 'rules', 'apic-firewall.yaml');

let t: Scratch;
let db: string;

beforeAll(async () => {
  t = await scratch('flowaudit-cli-classify-');
  await insertConnections(t.store, [
    { id: 1, client: '203.0.113.10', server: '10.20.1.5', serverPort: 443 },
    { id: 2, client: '10.20.2.10', server: '10.20.1.5', serverPort: 3000, state: 'S0', serverPackets: 0 },
    { id: 3, client: '198.51.100.20', server: '10.20.1.5', serverPort: 8080 },
  ]);
  t.store.close();
  db = join(t.dir, 'test.duckdb');
});

afterAll(() => t.close());

const inProcess = (...args: string[]) => runInProcess(classifyCommand(), args);

describe('classify summary', () => {
  it('prints connections by verdict and flows by status', async () => {
    const { out, error } = await inProcess('--db', db, '--inventory', INVENTORY, '--rules', RULES);
    expect(error).toBeNull();
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^classified 3 connections against 34 documented flows \\(1 pack, inventory ${INVENTORY.replaceAll('/', '\\/')}\\) in \\d+\\.\\d s$`));
    expect(lines.slice(1)).toEqual([
      'connections: 1 documented, 1 unexpected, 0 denied, 1 unanswered',
      'flows: 1 observed, 0 denied, 2 unanswered, 21 unobserved, 10 not covered',
    ]);
    const store = await Store.open(db);
    try {
      const [run] = await store.queryRows<{ n: bigint }>('SELECT count(*) AS n FROM classify_runs');
      expect(run!.n).toBeGreaterThan(0n);
    } finally {
      store.close();
    }
  });

  it('formats singular counts', () => {
    const text = formatClassifySummary({
      runId: 1, inventory: 'inv.yaml', ruleFiles: [], packs: ['p'], connections: 1, durationMs: 120, timings: [],
      verdicts: { documented: 1, unexpected: 0, denied: 0, unanswered: 0 },
      flows: { observed: 1, unobserved: 0, not_covered: 0, denied: 0, unanswered: 0 },
    });
    expect(text).toBe('classified 1 connection against 1 documented flow (1 pack, inventory inv.yaml) in 0.1 s\n' +
      'connections: 1 documented, 0 unexpected, 0 denied, 0 unanswered\nflows: 1 observed, 0 denied, 0 unanswered, 0 unobserved, 0 not covered\n');
  });
});

describe('flowaudit classify (the built CLI)', () => {
  it('classifies and exits 0', async () => {
    const result = await runCli(['classify', '--db', db, '--inventory', INVENTORY, '--rules', RULES, '--param', 'apic.gateway_service_port=3001']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(1, 3)).toEqual([
      'connections: 1 documented, 2 unexpected, 0 denied, 0 unanswered',
      'flows: 1 observed, 0 denied, 0 unanswered, 23 unobserved, 10 not covered',
    ]);
  });

  it('exits 2 with one line for a bad inventory', async () => {
    const bad = t.file('bad-inventory.yaml', 'endpoints:\n  gateway: { cidrs: [10.20.1.1/24] }\n');
    const result = await runCli(['classify', '--db', db, '--inventory', bad, '--rules', RULES]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^flowaudit: .*bad-inventory\.yaml:2:\d+: "10\.20\.1\.1\/24" has host bits set .*— write the network address: 10\.20\.1\.0\/24\n$/);
  });

  it('exits 2 for a param no pack declares', async () => {
    const result = await runCli(['classify', '--db', db, '--inventory', INVENTORY, '--rules', RULES, '--param', 'apic.nope=1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^flowaudit: --param: no loaded rule pack declares param "apic.nope" — params under apic\.: /);
  });

  it('exits 2 without --inventory', async () => {
    const result = await runCli(['classify', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--inventory <file>' not specified");
  });
});

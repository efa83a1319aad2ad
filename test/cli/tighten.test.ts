/**
 * `flowaudit tighten` spawned as a user runs it (the compiled CLI): every target to stdout or -o,
 * --current and --keep-unobserved in the header, and one-line errors with exit code 2 for a
 * database that is missing or was never classified and for options that do not fit the target.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { runCli } from '../helpers/cli.js';
import { classifiedFixture, CURRENT } from '../tighten/fixture.js';
import type { Classified } from '../tighten/fixture.js';
import { nftCheck, skipNft } from '../tighten/nft-check.js';

let f: Classified;

beforeAll(async () => {
  f = await classifiedFixture();
  // The CLI runs in another process: it can open the file only once this one lets go of it.
  f.t.store.close();
});
afterAll(() => rmSync(f.t.dir, { recursive: true, force: true }));

const oneLineError = (stderr: string): void => {
  expect(stderr).toMatch(/^flowaudit: [^\n]+\n$/);
};

describe('flowaudit tighten', () => {
  it.each([
    ['networkpolicy', [], /^# flowaudit tighten --target networkpolicy\n[\s\S]*\nkind: NetworkPolicy\n/],
    ['calico', ['--staged'], /^# flowaudit tighten --target calico --staged\n[\s\S]*\nkind: StagedNetworkPolicy\n/],
    ['aws-sg', ['--aws-format', 'terraform', '--sg', 'gateway=sg-0123456789abcdef0'], /^# flowaudit tighten --target aws-sg --aws-format terraform\n[\s\S]*security_group_id = "sg-0123456789abcdef0"/],
    ['aws-sg', [], /^\{\n {2}"flowaudit": \[\n {4}"flowaudit tighten --target aws-sg --aws-format cli"/],
    ['nftables', [], /^#!\/usr\/sbin\/nft -f\n# flowaudit tighten --target nftables\n[\s\S]*\ntable inet flowaudit \{\n/],
  ])('--target %s %j writes the rules to stdout', async (target, extra, pattern) => {
    const r = await runCli(['tighten', '--db', f.db, '--target', target, ...extra]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(pattern);
  });

  it.skipIf(skipNft)('-o writes the file and says what is in it; nft accepts the ruleset', async () => {
    const out = join(f.t.dir, 'rules.nft');
    const r = await runCli(['tighten', '--db', f.db, '--target', 'nftables', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${out}: nftables, 19 rules on 5 endpoints for 43 documented connections; 0 of 6 unexpected admitted; 24 unobserved flows dropped\n`);
    expect(nftCheck(readFileSync(out, 'utf8'))).toBe('');
  });

  it('--current and --keep-unobserved say what they did in the header', async () => {
    const current = f.t.file('current.yaml', CURRENT);
    const r = await runCli(['tighten', '--db', f.db, '--target', 'networkpolicy', '--current', current, '--keep-unobserved']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n# Documented flows never observed: 24 flows, KEPT \(--keep-unobserved\)/);
    expect(r.stdout).toMatch(/\n# Compared with the current policy .*current\.yaml:\n# \(a\) its rules that allowed nothing observed: 1\n/);
    expect(r.stdout).toMatch(/\n# \(c\) what the tightened rules break compared with it/);
    const out = join(f.t.dir, 'policies.yaml');
    const written = await runCli(['tighten', '--db', f.db, '--target', 'networkpolicy', '--current', current, '-o', out]);
    expect(written.stdout).toMatch(/; current policy: 1 rules unused, 9 observed connections denied, 4 would be cut off \(0 documented\) — see the header\n$/);
  });

  it('refuses a database that does not exist, in one line', async () => {
    const r = await runCli(['tighten', '--db', join(f.t.dir, 'nope.duckdb'), '--target', 'calico']);
    expect(r.code).toBe(2);
    oneLineError(r.stderr);
    expect(r.stderr).toMatch(/nope\.duckdb: no such database — ingest and classify first/);
  });

  it('refuses a database that was never classified, in one line telling to run classify', async () => {
    const db = join(f.t.dir, 'unclassified.duckdb');
    (await Store.open(db)).close();
    const r = await runCli(['tighten', '--db', db, '--target', 'nftables']);
    expect(r.code).toBe(2);
    oneLineError(r.stderr);
    expect(r.stderr).toMatch(/the database has no classification results — run flowaudit classify --db .* --inventory FILE first/);
  });

  it.each([
    [['--target', 'networkpolicy', '--staged'], /--staged applies to --target calico only/],
    [['--target', 'nftables', '--sg', 'gateway=sg-0123456789abcdef0'], /--sg applies to --target aws-sg only/],
    [['--target', 'aws-sg', '--sg', 'gateway=sg-xyz'], /--sg gateway=sg-xyz is not ENDPOINT=sg-ID/],
    [['--target', 'aws-sg', '--sg', 'public=sg-0123456789abcdef0'], /--sg public: the rules do not govern it/],
    [['--target', 'nftables', '--endpoint', 'gatewya'], /--endpoint gatewya: the inventory of the classify run has no such endpoint — choose from: analytics, gateway/],
    [['--target', 'nftables', '--min-fill', '150'], /--min-fill 150 is not a percentage/],
    [['--target', 'networkpolicy', '--current', 'missing.yaml'], /missing\.yaml: cannot read the file/],
  ])('refuses %j in one line, exit 2', async (args, message) => {
    const r = await runCli(['tighten', '--db', f.db, ...args]);
    expect(r.code).toBe(2);
    oneLineError(r.stderr);
    expect(r.stderr).toMatch(message);
  });

  it('refuses an unknown target with the choices (commander)', async () => {
    const r = await runCli(['tighten', '--db', f.db, '--target', 'iptables']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are networkpolicy, calico, aws-sg, nftables/);
  });
});

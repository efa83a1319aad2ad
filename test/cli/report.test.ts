/**
 * `flowaudit report` and `flowaudit audit` spawned as a user runs them: exit codes 0/1/2 with
 * --fail-on, one-line errors, and names carrying markup (from DNS answers and TLS SNI in a capture)
 * rendered inert in html, markdown and csv.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ethernet, ipv4, tcp, TcpFlag, udp } from '../helpers/packet-builder.js';
import { writePcap } from '../helpers/pcap-writer.js';
import { a, clientHello, dnsMessage } from '../ingest/pcap/names/message-builders.js';

const INVENTORY = `endpoints:
  public: { cidrs: [198.51.100.0/24] }
  gateway: { cidrs: [10.20.1.0/24] }
`;
const HOSTILE_DNS = '<img src=x onerror=alert(1)>.example';
const HOSTILE_SNI = '=HYPERLINK("http://evil.example")|[x](javascript:alert(1))';

/** A TCP handshake, one data segment each way and a FIN, as frames. */
function tcpSession(client: string, server: string, sport: number, dport: number, payload?: Uint8Array): Uint8Array[] {
  const c = (flags: number, data?: Uint8Array): Uint8Array =>
    ethernet(ipv4({ src: client, dst: server, proto: 6, payload: tcp({ srcPort: sport, dstPort: dport, flags, ...(data ? { payload: data } : {}) }) }));
  const s = (flags: number, data?: Uint8Array): Uint8Array =>
    ethernet(ipv4({ src: server, dst: client, proto: 6, payload: tcp({ srcPort: dport, dstPort: sport, flags, ...(data ? { payload: data } : {}) }) }));
  return [
    c(TcpFlag.SYN),
    s(TcpFlag.SYN | TcpFlag.ACK),
    c(TcpFlag.ACK),
    c(TcpFlag.ACK | TcpFlag.PSH, payload ?? new Uint8Array(100)),
    s(TcpFlag.ACK | TcpFlag.PSH, new Uint8Array(400)),
    c(TcpFlag.FIN | TcpFlag.ACK),
    s(TcpFlag.FIN | TcpFlag.ACK),
  ];
}

let dir: string;
let capture: string;
let inventory: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowaudit-report-cli-'));
  const dns = dnsMessage({ answers: [a(HOSTILE_DNS, '203.0.113.66')] });
  const frames = [
    ethernet(ipv4({ src: '10.20.1.53', dst: '10.20.1.5', proto: 17, payload: udp({ srcPort: 53, dstPort: 40000, payload: dns }) })),
    // Documented: an API call from a consumer to the gateway.
    ...tcpSession('198.51.100.7', '10.20.1.5', 50000, 443),
    // Unexpected: the gateway talks to an internet host whose names carry markup.
    ...tcpSession('10.20.1.5', '203.0.113.66', 50001, 443, clientHello({ sni: HOSTILE_SNI })),
  ];
  capture = join(dir, 'hostile.pcap');
  writeFileSync(capture, writePcap(frames.map((data, i) => ({ data, tsSec: 1_700_000_000 + i }))));
  inventory = join(dir, 'inventory.yaml');
  writeFileSync(inventory, INVENTORY);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('flowaudit audit', () => {
  it('exits 1 on unexpected traffic by default and 0 with --fail-on none; stdout holds only the report', async () => {
    const failing = await runCli(['audit', '--inventory', inventory, '--format', 'json', capture]);
    expect(failing.code, failing.stderr).toBe(1);
    const report = JSON.parse(failing.stdout) as { summary: { unexpected: number; documented: number } };
    expect(report.summary.unexpected).toBeGreaterThan(0);
    expect(report.summary.documented).toBeGreaterThan(0);
    expect(failing.stderr).toMatch(/classified \d+ connections/);
    const passing = await runCli(['audit', '--inventory', inventory, '--fail-on', 'none', '--format', 'table', capture]);
    expect(passing.code, passing.stderr).toBe(0);
    expect(passing.stdout).not.toContain('\x1b[');
    expect((await runCli(['audit', '--inventory', inventory, '--fail-on', 'unobserved', '--format', 'json', capture])).code).toBe(1);
  });

  it('renders names with markup inert in html, markdown and csv', async () => {
    const out = (format: string): string => join(dir, `hostile.${format}`);
    for (const format of ['html', 'markdown', 'csv']) {
      const result = await runCli(['audit', '--inventory', inventory, '--fail-on', 'none', '--format', format, '-o', out(format), capture]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`wrote ${out(format)}`);
    }
    const html = readFileSync(out('html'), 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.example');

    // Markdown shows names in code spans, where GitHub renders neither HTML nor links.
    const markdown = readFileSync(out('markdown'), 'utf8');
    expect(markdown).toContain('img src=x onerror=alert(1)');
    const outsideCode = markdown.replace(/`[^`\n]*`/g, '');
    expect(outsideCode).not.toContain('<img');
    expect(outsideCode).not.toContain('](javascript:');

    const rows = parse(readFileSync(out('csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const exfil = rows.find((r) => r.server_ip === '203.0.113.66');
    expect(exfil?.verdict).toBe('unexpected');
    expect(exfil?.server_names).toContain(HOSTILE_DNS);
    // The SNI starts with '=': a spreadsheet must see text, not a formula.
    expect(exfil?.server_names.startsWith('=')).toBe(false);
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('keeps the database with --db, and report reads it again', async () => {
    const db = join(dir, 'kept.duckdb');
    expect((await runCli(['audit', '--inventory', inventory, '--db', db, '--fail-on', 'none', '--format', 'csv', capture])).code).toBe(0);
    const again = await runCli(['report', '--db', db, '--format', 'json', '--fail-on', 'denied']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { inputs: { path: string }[] }).inputs.map((i) => i.path)).toEqual([capture]);
  });

  it('compares with a baseline JSON report: everything unchanged, --fail-on new passes', async () => {
    const baseline = join(dir, 'baseline.json');
    const first = await runCli(['audit', '--inventory', inventory, '--fail-on', 'none', '--format', 'json', '-o', baseline, capture]);
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(['audit', '--inventory', inventory, '--baseline', baseline, '--fail-on', 'new', '--format', 'json', capture]);
    expect(second.code, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout) as { baseline: { findings: Record<string, number> } };
    expect(report.baseline.findings.new).toBe(0);
    expect(report.baseline.findings.unchanged).toBeGreaterThan(0);
  });
});

describe('one-line errors, exit code 2', () => {
  const expectOneLine = (result: { code: number | null; stderr: string }, pattern: RegExp): void => {
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  };

  it('an unknown --fail-on kind', async () => {
    expectOneLine(await runCli(['audit', '--inventory', inventory, '--fail-on', 'unexpected,bogus', capture]), /--fail-on .*unknown kind bogus — use a comma-separated list/);
  });

  it('--fail-on new without a baseline', async () => {
    expectOneLine(await runCli(['audit', '--inventory', inventory, '--fail-on', 'new', capture]), /--fail-on new compares with a previous run — add --baseline/);
  });

  it('a baseline that is neither a database nor a JSON report', async () => {
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'not a report\n');
    expectOneLine(await runCli(['audit', '--inventory', inventory, '--baseline', junk, capture]), /junk\.txt: the baseline is neither/);
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"schema": "something/else"}');
    expectOneLine(await runCli(['audit', '--inventory', inventory, '--baseline', other, capture]), /schema is "something\/else", not "flowaudit\/report@1"/);
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ schema: 'flowaudit/report@1', findings: [{ connections: 'many' }], flows: [] }));
    expectOneLine(await runCli(['audit', '--inventory', inventory, '--baseline', tampered, capture]), /tampered\.json: the baseline does not follow flowaudit\/report@1: /);
  });

  it('report on a database that was never classified', async () => {
    const db = join(dir, 'unclassified.duckdb');
    expect((await runCli(['ingest', '--db', db, capture])).code).toBe(0);
    expectOneLine(await runCli(['report', '--db', db]), /has not been classified.*run `flowaudit classify/);
  });

  it('audit with a missing inventory', async () => {
    expectOneLine(await runCli(['audit', '--inventory', join(dir, 'missing.yaml'), capture]), /missing\.yaml/);
  });
});

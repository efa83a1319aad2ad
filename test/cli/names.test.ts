/** `flowaudit names`: the formatting (a pure function) and the command over an ingested capture. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { escapeForTerminal, formatNames, TABLE_NAME_WIDTH } from '../../src/cli/format-names.js';
import type { NameEvidence } from '../../src/cli/format-names.js';
import { namesCommand } from '../../src/cli/names.js';
import { FlowauditError } from '../../src/errors.js';
import { pcapIngester } from '../../src/ingest/pcap/index.js';
import { Store } from '../../src/store/store.js';
import { ethernet, ipv4, tcp, TcpFlag, udp } from '../helpers/packet-builder.js';
import { writePcap } from '../helpers/pcap-writer.js';
import { a, clientHello, dnsMessage } from '../ingest/pcap/names/message-builders.js';

/** Whether `text` holds a control character other than the newlines that end lines. */
function hasRawControl(text: string): boolean {
  return [...text].some((ch) => {
    const c = ch.charCodeAt(0);
    return (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f);
  });
}

const T = Date.UTC(2026, 0, 2, 3, 4, 5) * 1000;

function row(o: Partial<NameEvidence>): NameEvidence {
  return { address: '192.0.2.1', name: 'icr.io', evidence: 'dns', firstSeenMicros: T, lastSeenMicros: T + 60_000_000, timesSeen: 3, connections: 2, suspicious: false, ...o };
}

describe('escapeForTerminal', () => {
  it('shows every byte outside printable ASCII as \\xNN and doubles backslashes', () => {
    expect(escapeForTerminal('plain.example')).toBe('plain.example');
    expect(escapeForTerminal('a\x1b[2Jb\x07\x00\n\x7f\x9b\xff\\')).toBe('a\\x1b[2Jb\\x07\\x00\\x0a\\x7f\\x9b\\xff\\\\');
    expect(escapeForTerminal('\u202e')).toBe('\\u{202e}');
  });
});

describe('formatNames', () => {
  it('prints an aligned table with times in UTC and a count', () => {
    const out = formatNames([row({}), row({ address: '2001:db8::1', name: 'iam.cloud.ibm.com', evidence: 'sni', timesSeen: 12, suspicious: true })], { format: 'table' });
    expect(out).toBe(
      [
        'ADDRESS      NAME               EVIDENCE  FIRST SEEN           LAST SEEN            TIMES  CONNS  NOTE',
        '192.0.2.1    icr.io             dns       2026-01-02 03:04:05  2026-01-02 03:05:05      3      2',
        '2001:db8::1  iam.cloud.ibm.com  sni       2026-01-02 03:04:05  2026-01-02 03:05:05     12      2  suspicious',
        '2 names',
        '',
      ].join('\n'),
    );
  });

  it('never lets a hostile name reach the terminal raw, and cuts a very long one in the table', () => {
    const hostile = row({ name: '<b>x</b>\x1b]0;pwned\x07\r\n', suspicious: true });
    const table = formatNames([hostile], { format: 'table' });
    expect(table).toContain('<b>x</b>\\x1b]0;pwned\\x07\\x0d\\x0a');
    expect(table.split('\n')).toHaveLength(4);
    expect(hasRawControl(table)).toBe(false);
    const long = 'a'.repeat(400);
    expect(formatNames([row({ name: long })], { format: 'table' })).toContain(`${'a'.repeat(TABLE_NAME_WIDTH)}...(+300 more, see --format json)`);
  });

  it('prints JSON with every name whole and no raw control character', () => {
    const names = ['\x1b[31mred\x9b', 'x'.repeat(300)];
    const out = formatNames(names.map((name) => row({ name, suspicious: true })), { format: 'json' });
    expect(hasRawControl(out)).toBe(false);
    const parsed = JSON.parse(out) as { schema: string; names: { name: string; first_seen: string }[] };
    expect(parsed.schema).toBe('flowaudit/names@1');
    expect(parsed.names.map((n) => n.name)).toEqual(names);
    expect(parsed.names[0]!.first_seen).toBe('2026-01-02T03:04:05.000Z');
    expect(JSON.parse(formatNames([], { format: 'json' }))).toEqual({ schema: 'flowaudit/names@1', names: [] });
  });
});

describe('flowaudit names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowaudit-names-'));
  const db = join(dir, 'names.duckdb');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]): Promise<string> {
    const { out, error } = await runInProcess(namesCommand(), args);
    if (error !== null) throw error;
    return out;
  }

  it('lists the evidence of an ingested capture, filtered by address or name', async () => {
    const dns = dnsMessage({ answers: [a('apigee.googleapis.com', '142.250.1.1'), a('iam.cloud.ibm.com', '104.18.1.1')] });
    const frames = [
      ethernet(ipv4({ src: '10.0.0.53', dst: '10.0.0.1', proto: 17, payload: udp({ srcPort: 53, dstPort: 40000, payload: dns }) })),
      ethernet(ipv4({ src: '10.0.0.1', dst: '104.18.1.1', proto: 6, payload: tcp({ srcPort: 40001, dstPort: 443, flags: TcpFlag.ACK | TcpFlag.PSH, payload: clientHello({ sni: 'iam.cloud.ibm.com\x1b[0m' }) }) })),
    ];
    const capture = join(dir, 'c.pcap');
    writeFileSync(capture, writePcap(frames.map((data) => ({ data }))));
    const store = await Store.open(db);
    await pcapIngester.ingest(store, capture, {});
    store.close();

    const all = (await run(['--db', db])).split('\n');
    expect(all[0]).toMatch(/^ADDRESS\s+NAME\s+EVIDENCE/);
    expect(all.slice(1, 4).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['104.18.1.1', 'iam.cloud.ibm.com', 'dns'],
      ['104.18.1.1', 'iam.cloud.ibm.com\\x1b[0m', 'sni'],
      ['142.250.1.1', 'apigee.googleapis.com', 'dns'],
    ]);
    expect(all[2]).toMatch(/suspicious$/);

    const byName = JSON.parse(await run(['--db', db, '--name', '*.GOOGLEAPIS.com', '--format', 'json'])) as { names: { address: string }[] };
    expect(byName.names.map((n) => n.address)).toEqual(['142.250.1.1']);
    const byAddress = JSON.parse(await run(['--db', db, '--address', '104.18.1.1', '--format', 'json'])) as { names: unknown[] };
    expect(byAddress.names).toHaveLength(2);
    expect(JSON.parse(await run(['--db', db, '--name', 'iam_cloud%', '--format', 'json']))).toMatchObject({ names: [] });
  });

  it('refuses a missing database and a bad address with one-line errors', async () => {
    await expect(run(['--db', join(dir, 'missing.duckdb')])).rejects.toThrow(FlowauditError);
    await expect(run(['--db', db, '--address', 'not-an-ip'])).rejects.toThrow(/not an IPv4 or IPv6 address/);
  });
});

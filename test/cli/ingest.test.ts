/** `flowaudit ingest` as a user runs it: a child process, NO_COLOR=1, no terminal. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { writePcap } from '../helpers/pcap-writer.js';
import { ethernet, ipv4, tcp, udp, TcpFlag } from '../helpers/packet-builder.js';
import { Store } from '../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'flowaudit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A TCP handshake with data and teardown, a DNS query and answer, and one truncated IP packet. */
function smallCapture(): Uint8Array {
  const c = { src: '10.0.0.1', dst: '10.0.0.2' };
  const s = { src: '10.0.0.2', dst: '10.0.0.1' };
  const frames = [
    ethernet(ipv4({ ...c, proto: 6, payload: tcp({ srcPort: 40000, dstPort: 443, flags: TcpFlag.SYN }) })),
    ethernet(ipv4({ ...s, proto: 6, payload: tcp({ srcPort: 443, dstPort: 40000, flags: TcpFlag.SYN | TcpFlag.ACK }) })),
    ethernet(ipv4({ ...c, proto: 6, payload: tcp({ srcPort: 40000, dstPort: 443, flags: TcpFlag.ACK, payload: new Uint8Array(100) }) })),
    ethernet(ipv4({ ...c, proto: 6, payload: tcp({ srcPort: 40000, dstPort: 443, flags: TcpFlag.FIN | TcpFlag.ACK }) })),
    ethernet(ipv4({ ...s, proto: 6, payload: tcp({ srcPort: 443, dstPort: 40000, flags: TcpFlag.FIN | TcpFlag.ACK }) })),
    ethernet(ipv4({ src: '10.0.0.1', dst: '10.0.0.53', proto: 17, payload: udp({ srcPort: 5353, dstPort: 53, payload: new Uint8Array(30) }) })),
    ethernet(ipv4({ src: '10.0.0.53', dst: '10.0.0.1', proto: 17, payload: udp({ srcPort: 53, dstPort: 5353, payload: new Uint8Array(46) }) })),
  ];
  // An IPv4 header announcing more bytes than the frame holds: a truncated_IP anomaly, rejected.
  const broken = ethernet(ipv4({ src: '10.9.9.9', dst: '10.0.0.1', proto: 17, payload: udp({ srcPort: 1, dstPort: 2 }) }));
  broken[14 + 2] = 0x05;
  return writePcap([...frames, broken].map((data) => ({ data })));
}

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

async function query<T>(db: string, sql: string): Promise<T[]> {
  const store = await Store.open(db);
  try {
    return await store.queryRows<T>(sql);
  } finally {
    store.close();
  }
}

describe('flowaudit ingest', () => {
  it('prints one summary line per input and stores connections, rejects and anomalies', async () => {
    const db = join(dir, 'one.duckdb');
    const path = file('one.pcap', smallCapture());
    const r = await runCli(['ingest', '--db', db, path]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${path}: pcap, 8 packets (7 used, 1 rejected), 2 connections, 1 anomalies, 0 gaps\n`);
    const conns = await query<Record<string, unknown>>(db, `SELECT proto, client_ip, client_port, server_ip, server_port, state, history, initiator_evidence
      FROM connections ORDER BY proto`);
    expect(conns).toEqual([
      { proto: 6, client_ip: '10.0.0.1', client_port: 40000, server_ip: '10.0.0.2', server_port: 443, state: 'SF', history: 'ShDFf', initiator_evidence: 'syn' },
      { proto: 17, client_ip: '10.0.0.1', client_port: 5353, server_ip: '10.0.0.53', server_port: 53, state: 'SF', history: null, initiator_evidence: 'port-heuristic' },
    ]);
    expect(await query(db, 'SELECT location, reason FROM rejects')).toEqual([{ location: 'frame 8', reason: 'truncated_IP' }]);
    expect(await query(db, 'SELECT name, count::INTEGER AS count FROM anomalies')).toEqual([{ name: 'truncated_IP', count: 1 }]);
    expect(await query(db, 'SELECT kind, records_read::INTEGER AS r, records_used::INTEGER AS u, records_rejected::INTEGER AS x FROM sources')).toEqual([
      { kind: 'pcap', r: 8, u: 7, x: 1 },
    ]);
  });

  it('says so and writes nothing when the same bytes are ingested again', async () => {
    const db = join(dir, 'dup.duckdb');
    const path = file('dup.pcap', smallCapture());
    await runCli(['ingest', '--db', db, path]);
    const again = await runCli(['ingest', '--db', db, file('dup-copy.pcap', smallCapture())]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already ingested as source 1 \(.*dup\.pcap\); nothing written/);
    expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM connections')).toEqual([{ n: 2 }]);
  });

  it('reads gzip and standard input, detected by content whatever the name', async () => {
    const db = join(dir, 'gz.duckdb');
    const gz = file('capture.txt', gzipSync(smallCapture()));
    const fromFile = await runCli(['ingest', '--db', db, gz]);
    expect(fromFile.stdout).toContain('pcap, 8 packets');
    const fromStdin = await runCli(['ingest', '--db', join(dir, 'stdin.duckdb'), '-'], { stdin: smallCapture() });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe('-: pcap, 8 packets (7 used, 1 rejected), 2 connections, 1 anomalies, 0 gaps\n');
  });

  it('walks directories and skips files of no known format inside them', async () => {
    const root = join(dir, 'tree');
    file('tree/a/first.pcap', smallCapture());
    file('tree/b/notes.txt', 'not a capture\n');
    const r = await runCli(['ingest', '--db', join(dir, 'tree.duckdb'), root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('first.pcap: pcap, 8 packets');
    expect(r.stderr).toMatch(/notes\.txt: skipped — not a capture or flow log/);
  });

  it('keeps everything before a cut and records the cut as a gap', async () => {
    const whole = smallCapture();
    const path = file('cut.pcap', whole.subarray(0, whole.length - 20));
    const db = join(dir, 'cut.duckdb');
    const r = await runCli(['ingest', '--db', db, path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('7 packets');
    expect(r.stderr).toMatch(/warning: .*cut\.pcap: capture cut short at byte \d+/);
    expect(await query(db, "SELECT kind FROM gaps")).toEqual([{ kind: 'truncated_capture' }]);
  });

  it('exits 2 with one line for a file that is not a capture, and for a missing path', async () => {
    const bad = await runCli(['ingest', '--db', join(dir, 'bad.duckdb'), file('junk.bin', 'hello world, no magic here')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/junk\.bin: not a format flowaudit reads .* — check the file/);
    const missing = await runCli(['ingest', '--db', join(dir, 'bad.duckdb'), join(dir, 'nope.pcap')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.pcap: no such file or directory — check the path/);
  });

  it('exits 2 on a usage error and 0 for --help', async () => {
    expect((await runCli(['ingest', '--no-such-flag', 'x'])).code).toBe(2);
    const help = await runCli(['ingest', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--db <file>');
  });
});

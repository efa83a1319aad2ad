/**
 * A small API Connect deployment end to end: a capture built here is ingested by the pcap ingester,
 * a rejected flow-log connection and a NODATA gap are added, and classification against the apic
 * packs and fixtures/inventory/apic.yaml is held against test/classify/golden/apic-capture.json
 * (written once with FLOWAUDIT_UPDATE_GOLDEN=1, then reviewed by hand: see the notes in the file).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/classify/classify.js';
import type { ClassifySummary } from '../../src/classify/classify.js';
import { pcapIngester } from '../../src/ingest/pcap/index.js';
import { packageRoot } from '../../src/rules/package-root.js';
import { Store } from '../../src/store/store.js';
import { TcpFlag, ethernet, icmp, ipv4, ipv6, tcp, udp } from '../helpers/packet-builder.js';
import { writePcap } from '../helpers/pcap-writer.js';
import type { PcapRecord } from '../helpers/pcap-writer.js';

const ROOT = packageRoot();
const GOLDEN = join(ROOT, 'test', 'classify', 'golden', 'apic-capture.json');
const RULES = [join(ROOT, 'rules', 'apic-firewall.yaml'), join(ROOT, 'rules', 'apic-inter-subsystem.yaml')];
const INVENTORY = join(ROOT, 'fixtures', 'inventory', 'apic.yaml');
const T0 = 1_700_000_000;

interface Packet {
  at: number;
  frame: Uint8Array;
}

function ip(src: string, dst: string, proto: number, payload: Uint8Array): Uint8Array {
  return ethernet(src.includes(':') ? ipv6({ src, dst, proto, payload }) : ipv4({ src, dst, proto, payload }));
}

type TcpKind = 'SF' | 'S0' | 'REJ';

/** A TCP conversation starting at `at` seconds: a full one, a SYN nobody answers, or a SYN answered by RST. */
function tcpSession(at: number, client: string, clientPort: number, server: string, serverPort: number, kind: TcpKind): Packet[] {
  const c = (flags: number, seq: number, ack: number, payload?: Uint8Array): Uint8Array =>
    ip(client, server, 6, tcp({ srcPort: clientPort, dstPort: serverPort, flags, seq, ack, ...(payload ? { payload } : {}) }));
  const s = (flags: number, seq: number, ack: number, payload?: Uint8Array): Uint8Array =>
    ip(server, client, 6, tcp({ srcPort: serverPort, dstPort: clientPort, flags, seq, ack, ...(payload ? { payload } : {}) }));
  const frames: Uint8Array[] =
    kind === 'S0'
      ? [c(TcpFlag.SYN, 100, 0), c(TcpFlag.SYN, 100, 0)]
      : kind === 'REJ'
        ? [c(TcpFlag.SYN, 100, 0), s(TcpFlag.RST | TcpFlag.ACK, 0, 101)]
        : [
            c(TcpFlag.SYN, 100, 0),
            s(TcpFlag.SYN | TcpFlag.ACK, 300, 101),
            c(TcpFlag.ACK, 101, 301),
            c(TcpFlag.PSH | TcpFlag.ACK, 101, 301, new TextEncoder().encode('hello')),
            s(TcpFlag.PSH | TcpFlag.ACK, 301, 106, new TextEncoder().encode('world')),
            c(TcpFlag.FIN | TcpFlag.ACK, 106, 306),
            s(TcpFlag.FIN | TcpFlag.ACK, 306, 107),
            c(TcpFlag.ACK, 107, 307),
          ];
  return frames.map((frame, i) => ({ at: at + i * 0.1, frame }));
}

function udpExchange(at: number, client: string, clientPort: number, server: string, serverPort: number, answered: boolean): Packet[] {
  const out = [{ at, frame: ip(client, server, 17, udp({ srcPort: clientPort, dstPort: serverPort, payload: new Uint8Array(12) })) }];
  if (answered) out.push({ at: at + 0.1, frame: ip(server, client, 17, udp({ srcPort: serverPort, dstPort: clientPort, payload: new Uint8Array(20) })) });
  return out;
}

function ping(at: number, client: string, server: string): Packet[] {
  return [
    { at, frame: ip(client, server, 1, icmp({ type: 8, id: 7, seq: 1 })) },
    { at: at + 0.1, frame: ip(server, client, 1, icmp({ type: 0, id: 7, seq: 1 })) },
  ];
}

/** The capture: one conversation every 10 s. Comments say what each should be. */
function capture(): Uint8Array {
  const packets = [
    ...tcpSession(T0, '203.0.113.10', 40001, '10.20.1.5', 443, 'SF'), // public → gateway:443: api-request
    ...tcpSession(T0 + 10, '10.10.5.5', 40002, '10.20.2.10', 443, 'SF'), // protected → management:443
    ...tcpSession(T0 + 20, '10.20.2.10', 40003, '10.20.1.5', 3000, 'S0'), // management → gateway:3000, never answered
    ...tcpSession(T0 + 30, '10.20.1.5', 40004, '10.20.3.7', 443, 'REJ'), // gateway → portal:443, refused
    ...tcpSession(T0 + 40, '198.51.100.20', 40005, '10.20.1.5', 8080, 'SF'), // public → gateway:8080: no flow
    ...udpExchange(T0 + 50, '10.20.2.10', 40006, '10.99.0.53', 53, true), // management → DNS
    ...tcpSession(T0 + 60, 'fd00:20:2::10', 40007, 'fd00:20:1::5', 443, 'SF'), // IPv6 management → gateway:443
    ...udpExchange(T0 + 70, '10.20.1.5', 40008, '10.99.0.162', 162, false), // gateway SNMP trap, one-way by design
    ...ping(T0 + 80, '10.10.5.5', '10.20.1.5'), // protected pings gateway: no ICMP flow
    ...udpExchange(T0 + 90, '10.20.4.4', 40010, '10.99.0.123', 123, true), // analytics → NTP, inside the NODATA gap
  ];
  const records: PcapRecord[] = packets.map((p) => ({ data: p.frame, tsSec: Math.floor(p.at), tsFrac: Math.round((p.at % 1) * 1e6) }));
  return writePcap(records);
}

interface Golden {
  notes: string[];
  summary: { verdicts: ClassifySummary['verdicts']; flows: ClassifySummary['flows'] };
  verdicts: Record<string, unknown>[];
  flows: Record<string, unknown>[];
}

const plain = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v)));

let dir: string;
let store: Store;
let summary: ClassifySummary;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowaudit-golden-'));
  const path = join(dir, 'apic.pcap');
  writeFileSync(path, capture());
  store = await Store.open(join(dir, 'test.duckdb'));
  await pcapIngester.ingest(store, path, {});
  // A VPC flow-log record the capture did not see: portal → management:443, rejected.
  await store.conn.run(`INSERT INTO sources (id, path, kind, records_read, records_used, records_rejected, non_ip_records, connections, ingested_at)
    VALUES (2, 'flowlogs.log', 'vpc', 1, 1, 0, 0, 1, TIMESTAMP '2023-11-14 22:15:00')`);
  await store.conn.run(`INSERT INTO connections (id, source_id, first_seen, last_seen, proto, ip_family, client_ip, client_ip_num, client_port,
      server_ip, server_ip_num, server_port, client_packets, client_bytes, server_packets, server_bytes, action, client_action, initiator_evidence)
    SELECT max(id) + 1, 2, TIMESTAMP '2023-11-14 22:15:00', TIMESTAMP '2023-11-14 22:16:00', 6, 4, '10.20.3.7', 169083655, 40011,
      '10.20.2.10', 169083402, 443, 3, 180, 0, 0, 'REJECT', 'REJECT', 'flow-direction' FROM connections`);
  // The capture saw nothing of its interface from 22:14:50 to 22:15:00: the analytics NTP exchange falls inside.
  await store.conn.run(`INSERT INTO gaps (source_id, kind, interface_id, start_time, end_time, detail)
    VALUES (1, 'nodata', NULL, TIMESTAMP '2023-11-14 22:14:50', TIMESTAMP '2023-11-14 22:15:00', 'test')`);
  summary = await classify(store, { rules: RULES, inventory: INVENTORY, params: {} });
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('classify: a small API Connect capture', () => {
  it('matches the golden verdicts and flow statuses', async () => {
    const verdicts = await store.queryRows(`
      SELECT c.id, CASE c.proto WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp' WHEN 1 THEN 'icmp' ELSE CAST(c.proto AS VARCHAR) END AS proto,
        c.client_ip || ' → ' || c.server_ip || coalesce(':' || c.server_port, '') AS connection, coalesce(c.state, c.action) AS state,
        v.verdict, v.flows, v.client_endpoint, v.server_endpoint
      FROM connections c JOIN verdicts v ON v.connection_id = c.id ORDER BY c.id`);
    const flows = await store.queryRows(`
      SELECT flow, status, connections, documented, denied, unanswered,
        strftime(first_seen, '%Y-%m-%dT%H:%M:%S') AS first_seen, strftime(last_seen, '%Y-%m-%dT%H:%M:%S') AS last_seen, reason
      FROM flow_status ORDER BY flow`);
    const actual = { summary: { verdicts: summary.verdicts, flows: summary.flows }, verdicts: plain(verdicts), flows: plain(flows) };
    if (process.env.FLOWAUDIT_UPDATE_GOLDEN === '1') {
      const previous = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;
      writeFileSync(GOLDEN, `${JSON.stringify({ notes: previous.notes, ...actual }, null, 2)}\n`);
    }
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;
    expect(actual).toEqual({ summary: golden.summary, verdicts: golden.verdicts, flows: golden.flows });
  });

  it('records the run', async () => {
    const [run] = await store.queryRows<{ inventory: string; packs: string[]; connections: bigint; flows: number; last_connection_id: bigint }>(
      'SELECT inventory, packs, connections, flows, last_connection_id FROM classify_runs',
    );
    expect(plain(run)).toEqual({ inventory: INVENTORY, packs: ['apic-firewall', 'apic-inter-subsystem'], connections: 11, flows: 39, last_connection_id: 11 });
  });
});

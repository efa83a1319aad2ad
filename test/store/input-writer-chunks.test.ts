import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import type { ConnectionRow, NameRow, SourceSummary } from '../../src/store/input-writer.js';

/** InputWriter buffers rows and appends them 2048 at a time: these cross chunk boundaries. */
const ROWS = 2 * 2048 + 300;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function openStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'flowaudit-chunks-'));
  dirs.push(dir);
  return Store.open(join(dir, 'test.duckdb'));
}

const summary: SourceSummary = {
  formatDetail: null, sizeBytes: null, sha256: null, recordsRead: ROWS, recordsUsed: ROWS, recordsRejected: 0, nonIpRecords: 0,
  firstSeenMicros: null, lastSeenMicros: null,
};

/**
 * Optional columns change per chunk: VLAN and tunnel only in the first, labels and VPC metadata
 * only in the second, details only in part of the third; counts past 32 bits, fractional times.
 */
function connection(id: number, i: number): ConnectionRow {
  const chunk = Math.floor(i / 2048);
  const v6 = i % 3 === 0;
  return {
    id, firstSeenMicros: 1_700_000_000_000_000 + i * 10 + 0.75, lastSeenMicros: 1_700_000_000_000_000 + i * 10 + 5,
    proto: v6 ? 58 : 6, ipFamily: v6 ? 6 : 4,
    clientIp: v6 ? `2001:db8::${i.toString(16)}` : `10.0.${i >> 8}.${i & 255}`,
    clientIpNum: v6 ? (0x20010db8n << 96n) + BigInt(i) : 0x0a000000n + BigInt(i),
    clientPort: v6 ? null : 40_000 + (i % 1000), serverIp: '192.0.2.1', serverIpNum: 0xc0000201n, serverPort: v6 ? null : 443,
    clientPackets: i, clientBytes: 2 ** 40 + i, serverPackets: i % 2, serverBytes: i === 7 ? Number.MAX_SAFE_INTEGER : 0,
    state: i % 5 === 0 ? null : 'SF', history: v6 ? null : i % 7 === 0 ? '' : 'ShADadFf', action: null, clientAction: null,
    serverAction: null, initiatorEvidence: 'syn',
    encapsulation: chunk === 0 && i % 11 === 0 ? 'vxlan' : null, tunnelId: chunk === 0 && i % 11 === 0 ? 4242 : null,
    outerConnectionId: chunk === 0 && i % 11 === 0 ? 1 : null, vlan: chunk === 0 && i % 4 === 0 ? 100 : null, numFlows: 1,
    ...(chunk === 1 && i % 2 === 0 ? { client: { namespace: 'shop', name: `pod-${i}`, labels: i % 4 === 0 ? { app: 'web', tier: `t${i}` } : null, endpointType: 'wep' } } : {}),
    ...(chunk === 1 && i % 3 === 0 ? { vpc: { interfaceId: 'eni-1', vpcId: null, subnetId: null, instanceId: null, accountId: '0123', region: 'us-east-1', azId: null, flowDirection: 'ingress', trafficPath: i % 8 } } : {}),
    ...(chunk === 2 && i % 2 === 0 ? { details: { n: i, tags: ['a'] } } : {}),
  };
}

/** What `connection` should read back as, in the column order of the query below. */
function expected(c: ConnectionRow): unknown[] {
  const labels = c.client?.labels;
  return [
    c.id, 1, Math.floor(c.firstSeenMicros), c.lastSeenMicros, c.proto, c.ipFamily, c.clientIp, String(c.clientIpNum), c.clientPort,
    c.serverIp, String(c.serverIpNum), c.serverPort, c.clientPackets, c.clientBytes, c.serverPackets, c.serverBytes, c.state,
    c.history, c.action, c.initiatorEvidence, c.encapsulation, c.tunnelId, c.outerConnectionId, c.vlan, c.numFlows,
    c.client?.namespace ?? null, c.client?.name ?? null,
    labels ? `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}}` : null, c.client?.endpointType ?? null,
    c.server?.namespace ?? null, c.vpc?.interfaceId ?? null, c.vpc?.accountId ?? null, c.vpc?.vpcId ?? null, c.vpc?.trafficPath ?? null,
    c.details ? JSON.stringify(c.details) : null,
  ];
}

const READ_BACK = `SELECT id::DOUBLE, source_id, epoch_us(first_seen)::DOUBLE, epoch_us(last_seen)::DOUBLE, proto, ip_family, client_ip,
  client_ip_num::VARCHAR, client_port, server_ip, server_ip_num::VARCHAR, server_port, client_packets::DOUBLE, client_bytes::DOUBLE,
  server_packets::DOUBLE, server_bytes::DOUBLE, state, history, action, initiator_evidence, encapsulation, tunnel_id::DOUBLE,
  outer_connection_id::DOUBLE, vlan, num_flows::DOUBLE, client_namespace, client_name, client_labels::VARCHAR, client_endpoint_type,
  server_namespace, interface_id, account_id, vpc_id, traffic_path, details::VARCHAR
  FROM connections ORDER BY id`;

describe('InputWriter in data chunks', () => {
  it('writes every value and every NULL as given, across chunk boundaries', async () => {
    const store = await openStore();
    const w = await store.beginInput({ path: 'a.pcap', kind: 'pcap' });
    const rows = Array.from({ length: ROWS }, (_, i) => connection(w.allocateConnectionId(), i));
    for (const row of rows) w.appendConnection(row);
    expect(await w.finish(summary)).toEqual({ committed: true, sourceId: 1, connections: ROWS });
    const got = (await store.conn.runAndReadAll(READ_BACK)).getRowsJS();
    expect(got).toEqual(rows.map(expected));
    store.close();
  });

  it('writes names across chunk boundaries, NULL times and connections included', async () => {
    const store = await openStore();
    const w = await store.beginInput({ path: 'a.pcap', kind: 'pcap' });
    const names: NameRow[] = Array.from({ length: ROWS }, (_, i) => ({
      address: `10.0.${i >> 8}.${i & 255}`, name: i === 5 ? 'a\u0000b' : `host-${i}.example`, evidence: i % 2 === 0 ? 'dns' : 'sni',
      firstSeenMicros: i % 3 === 0 ? null : 1_700_000_000_000_000 + i, lastSeenMicros: i % 3 === 0 ? null : 1_700_000_000_000_000 + i,
      connectionId: i % 4 === 0 ? null : i, suspicious: i % 5 === 0, timesSeen: i + 1,
    }));
    for (const n of names) w.appendName(n);
    await w.finish(summary);
    const got = (await store.conn.runAndReadAll(
      `SELECT address, name, evidence, epoch_us(first_seen)::DOUBLE, epoch_us(last_seen)::DOUBLE, connection_id::DOUBLE, suspicious,
        times_seen::DOUBLE FROM names ORDER BY times_seen`,
    )).getRowsJS();
    expect(got).toEqual(names.map((n) => [n.address, n.name, n.evidence, n.firstSeenMicros, n.lastSeenMicros, n.connectionId, n.suspicious, n.timesSeen]));
    store.close();
  });

  it('refuses a fractional count, and the input rolls back', async () => {
    const store = await openStore();
    const w = await store.beginInput({ path: 'a.pcap', kind: 'pcap' });
    w.appendConnection({ ...connection(w.allocateConnectionId(), 1), clientBytes: 2.5 });
    await expect(w.finish(summary)).rejects.toThrow(/not an integer/);
    await w.abort();
    expect(await store.queryRows('SELECT (SELECT count(*) FROM connections)::INTEGER AS c, (SELECT count(*) FROM sources)::INTEGER AS s')).toEqual([{ c: 0, s: 0 }]);
    store.close();
  });

  it('leaves nothing of an aborted input, whether appended or still buffered', async () => {
    const store = await openStore();
    const w = await store.beginInput({ path: 'a.pcap', kind: 'pcap' });
    for (let i = 0; i < ROWS; i++) w.appendConnection(connection(w.allocateConnectionId(), i));
    await w.abort();
    const next = await store.beginInput({ path: 'b.pcap', kind: 'pcap' });
    next.appendConnection(connection(next.allocateConnectionId(), 1));
    await next.finish(summary);
    expect(await store.queryRows('SELECT count(*)::INTEGER AS n FROM connections')).toEqual([{ n: 1 }]);
    store.close();
  });
});

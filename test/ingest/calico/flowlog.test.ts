import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Store } from '../../../src/store/store.js';
import { calicoIngester } from '../../../src/ingest/calico/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowaudit-calico-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store; its connections accept aggregated rows without addresses (migration 3). */
async function openStore(dir: string): Promise<Store> {
  const store = await Store.open(join(dir, 'test.duckdb'));
  return store;
}

/** A flows.log line with the fields of Calico's documented example, aggregation level 0. */
function flowLine(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    start_time: 1597166083,
    end_time: 1597166383,
    source_ip: '192.168.47.9',
    source_name: 'access-6b687c8dcb-zn5s2',
    source_name_aggr: 'access-6b687c8dcb-*',
    source_namespace: 'policy-demo',
    source_port: 42106,
    source_type: 'wep',
    source_labels: { labels: ['pod-template-hash=6b687c8dcb', 'app=access'] },
    dest_ip: '192.168.138.79',
    dest_name: 'nginx-86c57db685-h6792',
    dest_name_aggr: 'nginx-86c57db685-*',
    dest_namespace: 'policy-demo',
    dest_port: 80,
    dest_type: 'wep',
    dest_labels: { labels: ['pod-template-hash=86c57db685', 'app=nginx'] },
    proto: 'tcp',
    action: 'allow',
    reporter: 'dst',
    policies: {
      all_policies: ['0|default|policy-demo/default.access-nginx|allow|2'],
      enforced_policies: ['0|default|policy-demo/default.access-nginx|allow|2'],
      pending_policies: ['0|default|policy-demo/default.access-nginx|allow|2'],
    },
    bytes_in: 388,
    bytes_out: 1113,
    num_flows: 1,
    num_flows_started: 1,
    num_flows_completed: 1,
    packets_in: 6,
    packets_out: 5,
    http_requests_allowed_in: 0,
    http_requests_denied_in: 0,
    original_source_ips: null,
    num_original_source_ips: 0,
    host: 'node-1',
    '@timestamp': 1597166383000,
    ...over,
  });
}

/** The source node's record of the same flow: its bytes out are the destination's bytes in. */
const srcView = (over: Record<string, unknown> = {}): string =>
  flowLine({ reporter: 'src', bytes_in: 1113, bytes_out: 388, packets_in: 5, packets_out: 6, host: 'node-2', ...over });

async function ingest(lines: string[] | Buffer, name = 'flows.log') {
  const dir = tempDir();
  const path = join(dir, name);
  writeFileSync(path, Buffer.isBuffer(lines) ? lines : `${lines.join('\n')}\n`);
  const store = await openStore(dir);
  const report = await calicoIngester.ingest(store, path, {});
  return { store, report, path };
}

describe('Calico flows.log', () => {
  it('is told apart by the keys of its first line', () => {
    expect(calicoIngester.sniff(new Uint8Array(), `${flowLine()}\n`)).toBe(true);
    expect(calicoIngester.sniff(new Uint8Array(), 'version account-id interface-id\n')).toBe(false);
    expect(calicoIngester.sniff(new Uint8Array(), '{"a":1}\n')).toBe(false);
  });

  it('counts a flow reported by both nodes once, with both actions and the source view of the bytes', async () => {
    const { store, report } = await ingest([srcView({ action: 'allow' }), flowLine({ action: 'deny' })]);
    expect(report).toMatchObject({ kind: 'calico', recordsRead: 2, recordsUsed: 2, recordsRejected: 0, connections: 1 });
    const [c] = await store.queryRows<Record<string, unknown>>(`SELECT client_ip, client_port, server_ip, server_port, proto,
      client_bytes::INTEGER AS cb, server_bytes::INTEGER AS sb, client_packets::INTEGER AS cp, action, client_action, server_action,
      initiator_evidence, num_flows::INTEGER AS n, client_namespace, client_name, client_labels['app'] AS client_app,
      server_endpoint_type, server_labels['pod-template-hash'] AS hash, details->>'$.reporter' AS reporter,
      details->>'$.src.host' AS src_host, details->>'$.dst.policies.enforced[0].name' AS policy, epoch(first_seen)::INTEGER AS t0
      FROM connections`);
    expect(c).toEqual({
      client_ip: '192.168.47.9', client_port: 42106, server_ip: '192.168.138.79', server_port: 80, proto: 6,
      cb: 388, sb: 1113, cp: 6, action: 'deny', client_action: 'allow', server_action: 'deny',
      initiator_evidence: 'reporter', n: 1, client_namespace: 'policy-demo', client_name: 'access-6b687c8dcb-zn5s2', client_app: 'access',
      server_endpoint_type: 'wep', hash: '86c57db685', reporter: 'both', src_host: 'node-2',
      policy: 'policy-demo/default.access-nginx', t0: 1597166083,
    });
    store.close();
  });

  it('pairs each source record with the destination record whose window it overlaps most', async () => {
    const shifted = (start: number, reporter: 'src' | 'dst'): string =>
      (reporter === 'src' ? srcView : flowLine)({ start_time: start, end_time: start + 300 });
    const { store, report } = await ingest([shifted(1000, 'src'), shifted(1300, 'src'), shifted(1100, 'dst'), shifted(1400, 'dst'), shifted(1700, 'dst')]);
    expect(report.connections).toBe(3);
    const rows = await store.queryRows<{ reporter: string; t0: number }>(
      `SELECT details->>'$.reporter' AS reporter, epoch(first_seen)::INTEGER AS t0 FROM connections ORDER BY t0`);
    expect(rows).toEqual([{ reporter: 'both', t0: 1000 }, { reporter: 'both', t0: 1300 }, { reporter: 'dst', t0: 1700 }]);
    store.close();
  });

  it('pairs the identical aggregated records of many nodes one to one', async () => {
    const aggregated = { source_ip: null, source_port: null, source_name: '-', dest_ip: null, dest_name: '-' };
    const lines: string[] = [];
    for (let node = 0; node < 40; node++) lines.push(srcView({ ...aggregated, host: `node-${node}` }), flowLine({ ...aggregated, host: `node-${node + 40}` }));
    const { store, report } = await ingest(lines);
    expect(report).toMatchObject({ recordsRead: 80, recordsRejected: 0, connections: 40 });
    expect(await store.queryRows(`SELECT count(*)::INTEGER AS n FROM connections WHERE details->>'$.reporter' = 'both'`)).toEqual([{ n: 40 }]);
    store.close();
  });

  it('keeps aggregated rows as groups: no addresses or source ports, * names, pub buckets, num_flows', async () => {
    const level2 = flowLine({
      source_ip: null, source_port: null, source_name: '-', dest_ip: null, dest_name: '-', reporter: 'src',
      num_flows: 7, source_labels: null,
    });
    const toInternet = flowLine({
      source_ip: null, source_port: null, source_name: '-', dest_ip: null, dest_name: '-', dest_name_aggr: 'pub',
      dest_namespace: '-', dest_type: 'net', dest_labels: null, dest_port: 443, reporter: 'src', num_flows: 3,
    });
    const { store, report } = await ingest([level2, toInternet]);
    expect(report).toMatchObject({ recordsRead: 2, recordsRejected: 0, connections: 2 });
    const rows = await store.queryRows(`SELECT client_ip, client_port, client_name, client_labels IS NULL AS no_labels, server_ip, server_name,
      server_namespace, server_endpoint_type, server_port, num_flows::INTEGER AS n, ip_family FROM connections ORDER BY n`);
    expect(rows).toEqual([
      { client_ip: null, client_port: null, client_name: 'access-6b687c8dcb-*', no_labels: false, server_ip: null, server_name: 'pub',
        server_namespace: null, server_endpoint_type: 'net', server_port: 443, n: 3, ip_family: null },
      { client_ip: null, client_port: null, client_name: 'access-6b687c8dcb-*', no_labels: true, server_ip: null, server_name: 'nginx-86c57db685-*',
        server_namespace: 'policy-demo', server_endpoint_type: 'wep', server_port: 80, n: 7, ip_family: null },
    ]);
    store.close();
  });

  it('rejects a line with a trailing comma by its line number and reads the rest of the file', async () => {
    const documented = `${flowLine().slice(0, -1)}, "pending_policies": ["0|tier1|ns1/tier1.policy1|pass|3",       ]}`;
    const lines = [srcView(), '', documented, '   ', flowLine({ source_port: 1 }), '{not json', '{}', flowLine({ action: 'maybe' })];
    const { store, report } = await ingest(lines);
    expect(report).toMatchObject({ recordsRead: 6, recordsUsed: 2, recordsRejected: 4, connections: 2 });
    const rejects = await store.queryRows(`SELECT location, line::INTEGER AS line, reason, excerpt IS NOT NULL AS has_excerpt FROM rejects ORDER BY line`);
    expect(rejects).toEqual([
      { location: 'line 3', line: 3, reason: 'trailing_comma', has_excerpt: true },
      { location: 'line 6', line: 6, reason: 'malformed_json', has_excerpt: true },
      { location: 'line 7', line: 7, reason: 'not_a_flow_record', has_excerpt: true },
      { location: 'line 8', line: 8, reason: 'bad_action', has_excerpt: true },
    ]);
    const [source] = await store.queryRows(`SELECT records_read::INTEGER AS r, records_used::INTEGER AS u, records_rejected::INTEGER AS j FROM sources`);
    expect(source).toEqual({ r: 6, u: 2, j: 4 });
    store.close();
  });

  it('rejects bad addresses, ports and protocols, and reads protocols given as numbers', async () => {
    const { store, report } = await ingest([
      flowLine({ source_ip: '300.1.1.1' }),
      flowLine({ dest_port: 70000 }),
      flowLine({ proto: 'bogus' }),
      flowLine({ dest_ip: 'fd00::1' }),
      flowLine({ proto: 17 }),
      flowLine({ proto: 'icmp', source_port: null, dest_port: null }),
    ]);
    expect(report).toMatchObject({ recordsRead: 6, recordsRejected: 4, connections: 2 });
    expect(await store.queryRows('SELECT reason FROM rejects ORDER BY line')).toEqual([
      { reason: 'bad_address' }, { reason: 'bad_port' }, { reason: 'bad_proto' }, { reason: 'mixed_address_families' },
    ]);
    expect(await store.queryRows('SELECT proto, client_port, server_port FROM connections ORDER BY proto')).toEqual([
      { proto: 1, client_port: null, server_port: null }, { proto: 17, client_port: 42106, server_port: 80 },
    ]);
    store.close();
  });

  it('reads both policy string forms into one stored form', async () => {
    const older = { all_policies: ['0|default|policy-demo/default.access-nginx|allow'], enforced_policies: ['0|default|policy-demo/default.access-nginx|allow'] };
    const staged = {
      enforced_policies: ['1|default|policy-demo/default.access-nginx|allow|2', '0|tier1|ns1/tier1.policy1|pass|3'],
      pending_policies: ['0|tier1|ns1/tier1.policy1|pass|3', '1|tier2|ns2/staged:tier1.policy1|deny|-1'],
    };
    const { store } = await ingest([flowLine({ policies: older }), flowLine({ policies: staged, source_port: 2 })]);
    const rows = await store.queryRows<{ p: string }>(`SELECT (details->'$.dst.policies')::VARCHAR AS p FROM connections ORDER BY client_port DESC`);
    expect(rows.map((r) => JSON.parse(r.p) as unknown)).toEqual([
      { enforced: [{ index: 0, tier: 'default', name: 'policy-demo/default.access-nginx', action: 'allow', rule: null }] },
      {
        enforced: [
          { index: 0, tier: 'tier1', name: 'ns1/tier1.policy1', action: 'pass', rule: 3 },
          { index: 1, tier: 'default', name: 'policy-demo/default.access-nginx', action: 'allow', rule: 2 },
        ],
        pending: [
          { index: 0, tier: 'tier1', name: 'ns1/tier1.policy1', action: 'pass', rule: 3 },
          { index: 1, tier: 'tier2', name: 'ns2/staged:tier1.policy1', action: 'deny', rule: -1 },
        ],
      },
    ]);
    store.close();
  });

  it('puts pod names beside pod addresses and domains beside destinations into names', async () => {
    const { store } = await ingest([srcView({ dest_domains: ['nginx.example.com'] }), flowLine()]);
    expect(await store.queryRows('SELECT address, name, evidence, times_seen::INTEGER AS n FROM names ORDER BY name')).toEqual([
      { address: '192.168.138.79', name: 'nginx.example.com', evidence: 'dns', n: 1 },
      { address: '192.168.47.9', name: 'policy-demo/access-6b687c8dcb-zn5s2', evidence: 'flowlog', n: 2 },
      { address: '192.168.138.79', name: 'policy-demo/nginx-86c57db685-h6792', evidence: 'flowlog', n: 2 },
    ]);
    store.close();
  });

  it('reads gzip by its magic bytes, and an identical file again is a no-op', async () => {
    const gz = gzipSync(`${[srcView(), flowLine()].join('\n')}\n`);
    const { store, report } = await ingest(gz, 'flows.log.bin');
    expect(report).toMatchObject({ recordsRead: 2, connections: 1, duplicateOf: null });
    const dir = tempDir();
    writeFileSync(join(dir, 'copy'), gz);
    const again = await calicoIngester.ingest(store, join(dir, 'copy'), {});
    expect(again.duplicateOf).toEqual({ id: 1, path: expect.stringContaining('flows.log.bin') as string });
    expect(await store.queryRows(`SELECT kind, format_detail FROM sources`)).toEqual([{ kind: 'calico', format_detail: 'json lines, gzip' }]);
    store.close();
  });

  it('round-trips aggregated and non-aggregated rows: every record read is used or rejected', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) {
      lines.push(srcView({ source_port: 30000 + i }), flowLine({ source_port: 30000 + i }));
      lines.push(flowLine({ source_ip: null, source_port: null, source_name: '-', reporter: 'src', num_flows: i + 1, start_time: 2000 + i, end_time: 2300 + i }));
    }
    const { store, report } = await ingest(lines);
    expect(report).toMatchObject({ recordsRead: 150, recordsUsed: 150, recordsRejected: 0, connections: 100 });
    const [sum] = await store.queryRows(`SELECT sum(num_flows)::INTEGER AS flows, count(*) FILTER (WHERE client_ip IS NULL)::INTEGER AS aggregated FROM connections`);
    expect(sum).toEqual({ flows: 50 + (50 * 51) / 2, aggregated: 50 });
    store.close();
  });
});

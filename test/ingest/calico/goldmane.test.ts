import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../src/store/store.js';
import { calicoIngester } from '../../../src/ingest/calico/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Goldmane never has addresses: the store accepts connections without them (migration 3). */
async function ingest(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'flowaudit-goldmane-'));
  dirs.push(dir);
  const store = await Store.open(join(dir, 'test.duckdb'));
  const path = join(dir, 'flows.json');
  writeFileSync(path, text);
  return { store, report: await calicoIngester.ingest(store, path, {}) };
}

/** The emitter's form: Go field names, enums as numbers, zero values left out. */
function emitterFlow(reporter: 1 | 2, action: 1 | 2, over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Key: {
      source_name: 'client-7d9f8c-*', source_namespace: 'shop', source_type: 1,
      dest_name: 'api-5c6b7d-*', dest_namespace: 'shop', dest_type: 1, dest_port: 8080,
      dest_service_name: 'api', dest_service_namespace: 'shop', dest_service_port_name: 'http', dest_service_port: 80,
      proto: 'tcp', reporter, action,
      policies: { enforced_policies: [{ kind: 1, namespace: 'shop', name: 'allow-client', tier: 'default', action, rule_index: 1 }] },
    },
    start_time: 1700000000, end_time: 1700000015,
    source_labels: ['app=client', 'tier=web'], dest_labels: ['app=api'],
    packets_in: 4, packets_out: 6, bytes_in: 400, bytes_out: 900,
    num_connections_started: 2, num_connections_completed: 1, num_connections_live: 2,
    ...over,
  });
}

/** The gRPC API's form (grpcurl): protobuf JSON names, enum names, int64 as text, pretty-printed. */
const grpcFlowResult = (id: number, reporter: 'Src' | 'Dst'): string => JSON.stringify({
  id: String(id),
  flow: {
    Key: {
      sourceName: 'client-7d9f8c-*', sourceNamespace: 'shop', sourceType: 'WorkloadEndpoint',
      destName: 'db', destNamespace: '', destType: 'NetworkSet', destPort: '5432',
      proto: 'tcp', reporter, action: 'Deny',
      policies: { enforcedPolicies: [{ kind: 'GlobalNetworkPolicy', name: 'deny-db', tier: 'security', action: 'Deny', policyIndex: '0', ruleIndex: '-1' }] },
    },
    startTime: '1700000100', endTime: '1700000115',
    sourceLabels: ['app=client'],
    packetsOut: '3', bytesOut: '180', numConnectionsStarted: '3',
  },
}, null, 2);

/** Whisker's flow API: RFC 3339 times, enum names, labels joined by " | ". */
const whiskerItem = (reporter: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  start_time: '2023-11-14T22:13:20Z', end_time: '2023-11-14T22:13:35Z', action: 'Allow',
  source_name: 'client-7d9f8c-*', source_namespace: 'shop', source_labels: 'app=client | tier=web',
  dest_name: 'pub', dest_namespace: '-', dest_labels: '', protocol: 'udp', dest_port: 53, reporter,
  policies: { enforced: [{ kind: 'Profile', name: 'kns.shop', namespace: '', tier: '__PROFILE__', action: 'Allow', policy_index: 0, rule_index: 0, trigger: null }], pending: [] },
  packets_in: 2, packets_out: 2, bytes_in: 200, bytes_out: 120,
  ...over,
});

describe('Goldmane and Whisker exports', () => {
  it('reads the emitter\'s JSON lines, pairing the two reporters of a flow', async () => {
    const { store, report } = await ingest(`${emitterFlow(1, 1)}\n${emitterFlow(2, 2, { bytes_in: 900, bytes_out: 400 })}\n`);
    expect(report).toMatchObject({ kind: 'goldmane', recordsRead: 2, recordsUsed: 2, recordsRejected: 0, connections: 1 });
    const [c] = await store.queryRows<Record<string, unknown>>(`SELECT client_ip, server_ip, ip_family, server_port, proto,
      client_bytes::INTEGER AS cb, server_bytes::INTEGER AS sb, action, client_action, server_action, num_flows::INTEGER AS n,
      client_name, client_namespace, client_labels['tier'] AS tier, client_endpoint_type, server_name, initiator_evidence,
      details->>'$.dst.dest_service.name' AS service, details->>'$.src.policies.enforced[0].rule' AS rule,
      details->>'$.src.flows.live' AS live, epoch(last_seen)::INTEGER AS t1 FROM connections`);
    expect(c).toEqual({
      client_ip: null, server_ip: null, ip_family: null, server_port: 8080, proto: 6, cb: 900, sb: 400,
      action: 'deny', client_action: 'allow', server_action: 'deny', n: 3, client_name: 'client-7d9f8c-*', client_namespace: 'shop',
      tier: 'web', client_endpoint_type: 'wep', server_name: 'api-5c6b7d-*', initiator_evidence: 'reporter',
      service: 'api', rule: '1', live: '2', t1: 1700000015,
    });
    expect(await store.queryRows('SELECT kind FROM sources')).toEqual([{ kind: 'goldmane' }]);
    store.close();
  });

  it('reads the gRPC API\'s pretty-printed results, one after the other and as a list', async () => {
    const list = JSON.stringify({ meta: { totalPages: '1', totalResults: '1' }, flows: [JSON.parse(grpcFlowResult(3, 'Src')) as unknown] }, null, 2);
    const { store, report } = await ingest(`${grpcFlowResult(1, 'Src')}\n${grpcFlowResult(2, 'Dst')}\n${list}\n`);
    expect(report).toMatchObject({ kind: 'goldmane', recordsRead: 3, recordsRejected: 0, connections: 2 });
    const rows = await store.queryRows(`SELECT server_name, server_namespace, server_endpoint_type, server_port, action,
      num_flows::INTEGER AS n, details->>'$.reporter' AS reporter FROM connections ORDER BY reporter`);
    expect(rows).toEqual([
      { server_name: 'db', server_namespace: null, server_endpoint_type: 'ns', server_port: 5432, action: 'deny', n: 3, reporter: 'both' },
      { server_name: 'db', server_namespace: null, server_endpoint_type: 'ns', server_port: 5432, action: 'deny', n: 3, reporter: 'src' },
    ]);
    store.close();
  });

  it('reads a Whisker list response and Whisker server-sent events', async () => {
    const listed = await ingest(JSON.stringify({ total: 2, items: [whiskerItem('Src'), whiskerItem('Dst', { action: 'Deny' })] }, null, 2));
    expect(listed.report).toMatchObject({ kind: 'whisker', recordsRead: 2, recordsRejected: 0, connections: 1 });
    expect(await listed.store.queryRows(`SELECT proto, server_port, server_name, server_namespace, client_labels['app'] AS app,
      server_labels IS NULL AS no_labels, action, epoch(first_seen)::INTEGER AS t0 FROM connections`)).toEqual([
      { proto: 17, server_port: 53, server_name: 'pub', server_namespace: null, app: 'client', no_labels: true, action: 'deny', t0: 1700000000 },
    ]);
    listed.store.close();
    const streamed = await ingest(`data: ${JSON.stringify(whiskerItem('src'))}\n\ndata: ${JSON.stringify(whiskerItem('dst', { dest_port: 5353 }))}\n\n`);
    expect(streamed.report).toMatchObject({ kind: 'whisker', recordsRead: 2, connections: 2 });
    streamed.store.close();
  });

  it('rejects a broken or incomplete record by its line and reads on', async () => {
    const text = [emitterFlow(1, 1), '{"Key": {"proto": "tcp",}}', emitterFlow(1, 1, { Key: { proto: 'tcp', action: 1 } }), emitterFlow(1, 1, { start_time: 1700000015 })].join('\n');
    const { store, report } = await ingest(`${text}\n`);
    expect(report).toMatchObject({ recordsRead: 4, recordsUsed: 2, recordsRejected: 2, connections: 2 });
    expect(await store.queryRows('SELECT line::INTEGER AS line, reason FROM rejects ORDER BY line')).toEqual([
      { line: 2, reason: 'trailing_comma' },
      { line: 3, reason: 'bad_reporter' },
    ]);
    store.close();
  });
});

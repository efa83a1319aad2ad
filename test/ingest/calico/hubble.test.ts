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

async function ingest(lines: unknown[]) {
  const dir = mkdtempSync(join(tmpdir(), 'flowaudit-hubble-'));
  dirs.push(dir);
  const store = await Store.open(join(dir, 'test.duckdb'));
  const path = join(dir, 'events.log');
  writeFileSync(path, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return { store, report: await calicoIngester.ingest(store, path, {}) };
}

const frontend = {
  ID: 1501, identity: 39459, namespace: 'shop', pod_name: 'frontend-7d9f8c-q4tr9',
  labels: ['k8s:app=frontend', 'k8s:io.kubernetes.pod.namespace=shop'], workloads: [{ name: 'frontend', kind: 'Deployment' }],
};
const api = { ID: 2273, identity: 17221, namespace: 'shop', pod_name: 'api-6b5b78-ds4j4', labels: ['k8s:app=api'] };
const world = { identity: 2, labels: ['reserved:world'] };

interface Packet {
  ms: number;
  from: [string, number, object];
  to: [string, number, object];
  flags?: Record<string, boolean>;
  udp?: boolean;
  isReply?: boolean;
  verdict?: string;
  point?: string;
  extra?: Record<string, unknown>;
}

/** One Hubble flow event as `hubble observe -o json` prints it. */
function flow(p: Packet): Record<string, unknown> {
  const ports = { source_port: p.from[1], destination_port: p.to[1] };
  return {
    time: new Date(Date.UTC(2024, 0, 2, 15, 4, 5) + p.ms).toISOString().replace('Z', '123Z'),
    verdict: p.verdict ?? 'FORWARDED',
    IP: { source: p.from[0], destination: p.to[0], ipVersion: 'IPv4' },
    l4: p.udp ? { UDP: ports } : { TCP: { ...ports, flags: p.flags ?? { ACK: true } } },
    source: p.from[2],
    destination: p.to[2],
    Type: 'L3_L4',
    node_name: 'node-1',
    event_type: { type: 4 },
    trace_observation_point: p.point ?? 'TO_ENDPOINT',
    ...(p.isReply === undefined ? {} : { is_reply: p.isReply }),
    ...p.extra,
  };
}

/** The same event as `-o jsonpb` and the exporter write it. */
const wrapped = (p: Packet): Record<string, unknown> => ({ flow: flow(p), node_name: 'node-1', time: '2024-01-02T15:04:05Z' });

const C: [string, number, object] = ['10.0.1.5', 40000, frontend];
const S: [string, number, object] = ['10.0.2.7', 8080, api];

describe('Cilium Hubble exports', () => {
  it('aggregates events into a connection, the client told by TCP flags, the pods and labels on each side', async () => {
    const { store, report } = await ingest([
      flow({ ms: 1, from: S, to: C, flags: { SYN: true, ACK: true } }),
      flow({ ms: 0, from: C, to: S, flags: { SYN: true }, point: 'TO_STACK' }),
      flow({ ms: 0, from: C, to: S, flags: { SYN: true } }),
      flow({ ms: 2, from: C, to: S }),
      flow({ ms: 3, from: C, to: S, flags: { PSH: true, ACK: true } }),
      flow({ ms: 9, from: S, to: C, flags: { FIN: true, ACK: true } }),
    ]);
    expect(report).toMatchObject({ kind: 'hubble', recordsRead: 6, recordsUsed: 6, recordsRejected: 0, connections: 1 });
    const [c] = await store.queryRows<Record<string, unknown>>(`SELECT client_ip, client_port, server_ip, server_port, proto, ip_family,
      client_packets::INTEGER AS cp, server_packets::INTEGER AS sp, client_bytes::INTEGER AS cb, action, client_action, server_action,
      initiator_evidence, client_namespace, client_name, client_labels['app'] AS app, client_endpoint_type, server_name,
      details->>'$.hubble.client.workload' AS workload, (epoch_ms(last_seen) - epoch_ms(first_seen))::INTEGER AS ms FROM connections`);
    expect(c).toEqual({
      client_ip: '10.0.1.5', client_port: 40000, server_ip: '10.0.2.7', server_port: 8080, proto: 6, ip_family: 4,
      cp: 3, sp: 2, cb: 0, action: 'FORWARDED', client_action: 'FORWARDED', server_action: 'FORWARDED', initiator_evidence: 'tcp-flags',
      client_namespace: 'shop', client_name: 'frontend-7d9f8c-q4tr9', app: 'frontend', client_endpoint_type: 'pod', server_name: 'api-6b5b78-ds4j4',
      workload: 'frontend', ms: 9,
    });
    expect(await store.queryRows('SELECT address, name, evidence FROM names ORDER BY address')).toEqual([
      { address: '10.0.1.5', name: 'shop/frontend-7d9f8c-q4tr9', evidence: 'flowlog' },
      { address: '10.0.2.7', name: 'shop/api-6b5b78-ds4j4', evidence: 'flowlog' },
    ]);
    store.close();
  });

  it('takes the verdict as the action, and a SYN after the FIN as a new connection', async () => {
    const { store } = await ingest([
      wrapped({ ms: 0, from: C, to: S, flags: { SYN: true } }),
      wrapped({ ms: 1, from: S, to: C, flags: { RST: true, ACK: true } }),
      wrapped({ ms: 5, from: C, to: S, flags: { SYN: true }, verdict: 'DROPPED', extra: { drop_reason_desc: 'POLICY_DENIED' } }),
      wrapped({ ms: 6, from: C, to: S, flags: { SYN: true }, verdict: 'DROPPED', extra: { drop_reason_desc: 'POLICY_DENIED' } }),
    ]);
    expect(await store.queryRows(`SELECT action, client_action, server_action, client_packets::INTEGER AS cp, server_packets::INTEGER AS sp,
      details->'$.hubble.drop_reasons' AS reasons FROM connections ORDER BY first_seen`)).toEqual([
      { action: 'FORWARDED', client_action: 'FORWARDED', server_action: 'FORWARDED', cp: 1, sp: 1, reasons: '[]' },
      { action: 'DROPPED', client_action: 'DROPPED', server_action: null, cp: 2, sp: 0, reasons: '["POLICY_DENIED"]' },
    ]);
    store.close();
  });

  it('tells the client of UDP by is_reply, and puts DNS names into names', async () => {
    const dns: [string, number, object] = ['10.96.0.10', 53, { identity: 102, namespace: 'kube-system', pod_name: 'coredns-5d78c9869d-abcde', labels: ['k8s:k8s-app=kube-dns'] }];
    const out: [string, number, object] = ['93.184.216.34', 443, world];
    const { store, report } = await ingest([
      flow({ ms: 1, from: dns, to: C, udp: true, isReply: true, extra: { l7: { type: 'RESPONSE', dns: { query: 'api.example.com.', ips: ['93.184.216.34'], rcode: 0 } } } }),
      flow({ ms: 0, from: C, to: dns, udp: true, isReply: false }),
      flow({ ms: 2, from: C, to: out, udp: true, extra: { destination_names: ['api.example.com'] } }),
    ]);
    expect(report.connections).toBe(2);
    expect(await store.queryRows(`SELECT server_ip, initiator_evidence, server_endpoint_type, server_labels['reserved:world'] AS world
      FROM connections ORDER BY server_ip`)).toEqual([
      { server_ip: '10.96.0.10', initiator_evidence: 'is_reply', server_endpoint_type: 'pod', world: null },
      { server_ip: '93.184.216.34', initiator_evidence: 'port-heuristic', server_endpoint_type: 'world', world: '' },
    ]);
    expect(await store.queryRows(`SELECT name, times_seen::INTEGER AS n FROM names WHERE address = '93.184.216.34' AND evidence = 'dns'`))
      .toEqual([{ name: 'api.example.com', n: 2 }]);
    store.close();
  });

  it('reads the exporter\'s other events: lost events become a gap, agent events are used but no connection', async () => {
    const { store, report } = await ingest([
      wrapped({ ms: 0, from: C, to: S, flags: { SYN: true } }),
      { lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: '12', cpu: 1 }, node_name: 'node-1', time: '2024-01-02T15:04:06Z' },
      { agent_event: { type: 'ENDPOINT_CREATED', endpoint_update: { id: 1501 } }, node_name: 'node-1', time: '2024-01-02T15:04:06Z' },
      { flow: { time: '2024-01-02T15:04:07Z', verdict: 'FORWARDED', ethernet: { source: 'aa:bb:cc:dd:ee:ff' }, Type: 'L3_L4' } },
      '{"flow": {"time": "2024-01-02T15:04:07Z", "verdict": "FORWARDED",}}',
      { flow: { time: 'yesterday', verdict: 'FORWARDED', IP: { source: '10.0.0.1', destination: '10.0.0.2' }, l4: { UDP: {} } } },
    ]);
    expect(report).toMatchObject({ recordsRead: 6, recordsUsed: 4, recordsRejected: 2, connections: 1, gaps: 1 });
    expect(await store.queryRows('SELECT kind, detail FROM gaps')).toEqual([{ kind: 'capture_drops', detail: 'Hubble lost 12 events (HUBBLE_RING_BUFFER)' }]);
    expect(await store.queryRows('SELECT line::INTEGER AS line, reason FROM rejects ORDER BY line')).toEqual([
      { line: 5, reason: 'trailing_comma' }, { line: 6, reason: 'bad_time' },
    ]);
    expect(await store.queryRows('SELECT non_ip_records::INTEGER AS n FROM sources')).toEqual([{ n: 3 }]);
    store.close();
  });
});

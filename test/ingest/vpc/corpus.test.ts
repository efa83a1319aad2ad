import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../../src/store/store.js';
import { vpcIngester } from '../../../src/ingest/vpc/index.js';
import type { InputFormatError } from '../../../src/errors.js';

const corpus = process.env.FLOWAUDIT_CORPUS;
const title = corpus ? 'VPC flow-log corpus samples' : 'VPC flow-log corpus samples (skipped: set FLOWAUDIT_CORPUS to the corpus folder)';
const sample = (name: string) => join(corpus ?? '', 'vpc', name);

async function ingest(name: string, logFormat?: string) {
  const store = await Store.open(':memory:');
  try {
    const report = await vpcIngester.ingest(store, sample(name), logFormat === undefined ? {} : { logFormat });
    const connections = await store.queryRows<Record<string, unknown>>(`
      SELECT client_ip, client_port, server_ip, server_port, proto, client_packets::INTEGER AS client_packets,
        client_bytes::INTEGER AS client_bytes, action, initiator_evidence, interface_id, account_id, region,
        flow_direction, details::VARCHAR AS details, strftime(first_seen, '%Y-%m-%dT%H:%M:%S') AS first_seen
      FROM connections ORDER BY client_ip`);
    const gaps = await store.queryRows('SELECT kind, interface_id, epoch(start_time)::BIGINT AS s, epoch(end_time)::BIGINT AS e FROM gaps');
    return { report, connections, gaps };
  } finally {
    store.close();
  }
}

describe.skipIf(!corpus)(title, () => {
  it('finds the corpus folder', () => {
    expect(existsSync(join(corpus!, 'vpc')), `${corpus}/vpc is missing`).toBe(true);
  });

  it('default format with a header: one ACCEPT and one REJECT record', async () => {
    const { report, connections } = await ingest('otel_valid_vpc_flow_log_multi.log');
    expect(report).toMatchObject({ kind: 'vpc', recordsRead: 2, recordsUsed: 2, recordsRejected: 0, connections: 2 });
    expect(connections).toEqual([
      expect.objectContaining({
        client_ip: '172.31.16.139', client_port: 20641, server_ip: '172.31.16.21', server_port: 22, proto: 6,
        client_packets: 20, client_bytes: 4249, action: 'ACCEPT', interface_id: 'eni-1235b8ca123456789', account_id: '123456789010',
        first_seen: '2014-12-14T04:06:50',
      }),
      expect.objectContaining({ client_ip: '172.31.9.69', client_port: 49761, server_ip: '172.31.9.12', server_port: 3389, action: 'REJECT' }),
    ]);
  });

  it('a NODATA record becomes a gap, and counts as used', async () => {
    const { report, gaps } = await ingest('otel_valid_vpc_flow_log.log');
    expect(report).toMatchObject({ recordsRead: 1, recordsUsed: 1, connections: 0, gaps: 1 });
    expect(gaps).toEqual([{ kind: 'nodata', interface_id: 'eni-0eb1e4178af74336c', s: 1742570089n, e: 1742570142n }]);
  });

  it('ECS fields (version 7, in a record that says version 5) go into details', async () => {
    const { report, connections } = await ingest('otel_valid_vpc_flow_log_ecs.log');
    expect(report).toMatchObject({ recordsUsed: 1, connections: 1 });
    expect(connections[0]).toMatchObject({ client_ip: '10.0.1.100', server_port: 22, interface_id: 'eni-0abc1234def567890' });
    expect(JSON.parse(connections[0]!.details as string)).toEqual({
      'ecs-cluster-arn': 'arn:aws:ecs:us-east-1:123456789012:cluster/my-cluster',
      'ecs-cluster-name': 'my-cluster',
      'ecs-container-instance-arn': 'arn:aws:ecs:us-east-1:123456789012:container-instance/my-cluster/abcdef',
      'ecs-container-instance-id': 'abcdef1234567890',
      'ecs-container-id': 'container-1',
      'ecs-second-container-id': 'container-2',
      'ecs-service-name': 'my-service',
      'ecs-task-definition-arn': 'arn:aws:ecs:us-east-1:123456789012:task-definition/my-task:1',
      'ecs-task-arn': 'arn:aws:ecs:us-east-1:123456789012:task/my-cluster/abcdef',
      'ecs-task-id': 'abcdef1234567890',
    });
  });

  it('a Transit Gateway flow log in its own field order: TGW fields and packets-lost counters in details', async () => {
    const { report, connections } = await ingest('otel_valid_tgw_flow_log.log');
    expect(report).toMatchObject({ recordsUsed: 1, connections: 1 });
    expect(connections[0]).toMatchObject({
      client_ip: '10.0.0.1', client_port: 12345, server_ip: '10.0.1.1', server_port: 443, client_packets: 10, client_bytes: 1000,
      action: null, initiator_evidence: 'tcp-flags', interface_id: null, account_id: '123456789012', region: 'us-east-1',
    });
    expect(JSON.parse(connections[0]!.details as string)).toMatchObject({
      'tgw-id': 'tgw-0abc12345def67890', 'tgw-attachment-id': 'tgw-attach-0abc12345def67890', 'tgw-src-eni': 'eni-0abc12345def67890',
      type: 'IPv4', 'packets-lost-no-route': 1, 'packets-lost-blackhole': 2, 'packets-lost-mtu-exceeded': 3, 'packets-lost-ttl-expired': 4,
    });
  });

  it('a CloudWatch subscription payload of default-format records', async () => {
    const { report, connections } = await ingest('otel_valid_vpc_flow_cw.json');
    expect(report).toMatchObject({ kind: 'vpc-cloudwatch', recordsRead: 2, recordsUsed: 2, connections: 2 });
    expect(connections.map((c) => [c.client_ip, c.server_port, c.action])).toEqual([['172.31.16.139', 22, 'ACCEPT'], ['172.31.9.69', 3389, 'REJECT']]);
  });

  it('a CloudWatch payload of a 4-field custom format needs --log-format, then takes times from the events', async () => {
    const err = await ingest('otel_valid_vpc_flow_cw_custom.json').catch((e: unknown) => e);
    expect((err as InputFormatError).message).toBe('CloudWatch records have 4 fields, the flow-log format 14');
    const { report, connections } = await ingest('otel_valid_vpc_flow_cw_custom.json', '${version} ${interface-id} ${srcaddr} ${dstaddr}');
    expect(report).toMatchObject({ recordsRead: 2, recordsUsed: 2, recordsRejected: 0, connections: 2 });
    expect(report.warnings).toHaveLength(2);
    expect(connections).toEqual([
      expect.objectContaining({ client_ip: '172.31.16.139', server_ip: '172.31.16.21', proto: 0, client_port: null, interface_id: 'eni-1235b8ca123456789', first_seen: '2024-12-05T20:20:00', details: '{"protocol-unknown":true}' }),
      expect.objectContaining({ client_ip: '172.31.9.69', server_ip: '172.31.9.12', first_seen: '2024-12-05T20:20:01' }),
    ]);
  });
});

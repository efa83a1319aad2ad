import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../src/store/store.js';
import { vpcIngester } from '../../../src/ingest/vpc/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowaudit-vpc-pairing-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Conn {
  client_ip: string;
  client_port: number | null;
  server_ip: string;
  server_port: number | null;
  proto: number;
  ip_family: number;
  client_packets: number;
  client_bytes: number;
  server_packets: number;
  server_bytes: number;
  action: string | null;
  client_action: string | null;
  server_action: string | null;
  initiator_evidence: string;
  interface_id: string | null;
  flow_direction: string | null;
  details: string | null;
  first_seen: string;
  last_seen: string;
}

/** Ingest `lines` (header first) as one flow-log file and return its connections, ordered by client. */
async function pair(name: string, lines: string[]): Promise<Conn[]> {
  const path = join(dir, `${name}.log`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  const store = await Store.open(':memory:');
  try {
    const report = await vpcIngester.ingest(store, path, {});
    expect(report.recordsRejected).toBe(0);
    return await store.queryRows<Conn>(`
      SELECT client_ip, client_port, server_ip, server_port, proto, ip_family,
        client_packets::INTEGER AS client_packets, client_bytes::INTEGER AS client_bytes,
        server_packets::INTEGER AS server_packets, server_bytes::INTEGER AS server_bytes,
        action, client_action, server_action, initiator_evidence, interface_id, flow_direction, details::VARCHAR AS details,
        strftime(first_seen, '%Y-%m-%dT%H:%M:%S') AS first_seen, strftime(last_seen, '%Y-%m-%dT%H:%M:%S') AS last_seen
      FROM connections ORDER BY client_ip, client_port`);
  } finally {
    store.close();
  }
}

const V2 = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

describe('VPC pairing', () => {
  it('decides the client by SYN against SYN-ACK, before any port heuristic, and counts each direction once', async () => {
    // 10.0.1.5 connects from port 443 to 50000: the ports alone would point the other way.
    const header = `${V2} tcp-flags`;
    const [c, ...rest] = await pair('syn', [
      header,
      '3 111122223333 eni-client 10.0.1.5 10.0.2.9 443 50000 6 10 800 1700000000 1700000060 ACCEPT OK 2',
      '3 111122223333 eni-client 10.0.2.9 10.0.1.5 50000 443 6 8 9600 1700000000 1700000060 ACCEPT OK 18',
      // The same packets as seen by the server's interface: not added again.
      '3 111122223333 eni-server 10.0.1.5 10.0.2.9 443 50000 6 10 800 1700000001 1700000061 ACCEPT OK 2',
      '3 111122223333 eni-server 10.0.2.9 10.0.1.5 50000 443 6 8 9600 1700000001 1700000061 ACCEPT OK 18',
    ]);
    expect(rest).toEqual([]);
    expect(c).toMatchObject({
      client_ip: '10.0.1.5', client_port: 443, server_ip: '10.0.2.9', server_port: 50000, proto: 6,
      client_packets: 10, client_bytes: 800, server_packets: 8, server_bytes: 9600,
      action: 'ACCEPT', client_action: 'ACCEPT', server_action: 'ACCEPT', initiator_evidence: 'tcp-flags',
      first_seen: '2023-11-14T22:13:20', last_seen: '2023-11-14T22:14:21',
    });
  });

  it('decides from the SYN-ACK alone when the SYN fell outside the file', async () => {
    const [c] = await pair('synack', [
      `${V2} tcp-flags`,
      '3 111122223333 eni-a 10.0.2.9 10.0.1.5 3000 3001 6 1 60 1700000000 1700000001 ACCEPT OK 18',
      '3 111122223333 eni-a 10.0.1.5 10.0.2.9 3001 3000 6 4 400 1700000000 1700000009 ACCEPT OK 1',
    ]);
    expect(c).toMatchObject({ client_ip: '10.0.1.5', client_port: 3001, server_port: 3000, initiator_evidence: 'tcp-flags' });
  });

  it('pairs a NAT gateway leg by pkt-srcaddr/pkt-dstaddr with the instance, and keeps the translated leg apart', async () => {
    const header = `${V2} pkt-srcaddr pkt-dstaddr flow-direction`;
    const conns = await pair('nat', [
      header,
      // The instance's interface.
      '5 111122223333 eni-inst 10.0.1.5 203.0.113.5 40000 443 6 5 500 1700000000 1700000050 ACCEPT OK 10.0.1.5 203.0.113.5 egress',
      '5 111122223333 eni-inst 203.0.113.5 10.0.1.5 443 40000 6 4 4000 1700000000 1700000050 ACCEPT OK 203.0.113.5 10.0.1.5 ingress',
      // The NAT gateway's interface, inside leg: srcaddr/dstaddr name the gateway, pkt-* the real endpoints.
      '5 111122223333 eni-nat 10.0.1.5 10.0.0.220 40000 443 6 5 500 1700000000 1700000050 ACCEPT OK 10.0.1.5 203.0.113.5 ingress',
      '5 111122223333 eni-nat 10.0.0.220 10.0.1.5 443 40000 6 4 4000 1700000000 1700000050 ACCEPT OK 203.0.113.5 10.0.1.5 egress',
      // Outside leg, after translation.
      '5 111122223333 eni-nat 10.0.0.220 203.0.113.5 61000 443 6 5 500 1700000000 1700000050 ACCEPT OK 10.0.0.220 203.0.113.5 egress',
      '5 111122223333 eni-nat 203.0.113.5 10.0.0.220 443 61000 6 4 4000 1700000000 1700000050 ACCEPT OK 203.0.113.5 10.0.0.220 ingress',
    ]);
    expect(conns).toHaveLength(2);
    expect(conns[0]).toMatchObject({
      client_ip: '10.0.0.220', client_port: 61000, server_ip: '203.0.113.5', server_port: 443,
      interface_id: 'eni-nat', flow_direction: 'egress', client_bytes: 500, server_bytes: 4000,
    });
    expect(conns[1]).toMatchObject({
      client_ip: '10.0.1.5', client_port: 40000, server_ip: '203.0.113.5', server_port: 443,
      // Described by the client's own interface, from which the request left (egress).
      interface_id: 'eni-inst', flow_direction: 'egress',
      client_packets: 5, client_bytes: 500, server_packets: 4, server_bytes: 4000, initiator_evidence: 'port-heuristic',
    });
  });

  it('seen only at a NAT gateway: names the gateway address and the AWS service in details, and the service in names', async () => {
    const header = `${V2} pkt-srcaddr pkt-dstaddr flow-direction pkt-src-aws-service pkt-dst-aws-service`;
    const path = join(dir, 'nat-s3.log');
    writeFileSync(path, [
      header,
      '5 111122223333 eni-nat 10.0.1.5 10.0.0.220 40000 443 6 5 500 1700000000 1700000050 ACCEPT OK 10.0.1.5 52.216.1.2 ingress - S3',
      '5 111122223333 eni-nat 10.0.0.220 10.0.1.5 443 40000 6 4 4000 1700000000 1700000050 ACCEPT OK 52.216.1.2 10.0.1.5 egress S3 -',
    ].join('\n'));
    const store = await Store.open(':memory:');
    await vpcIngester.ingest(store, path, {});
    const conns = await store.queryRows<{ details: string }>('SELECT client_ip, server_ip, interface_id, flow_direction, details::VARCHAR AS details FROM connections');
    const names = await store.queryRows('SELECT address, name, evidence, times_seen::INTEGER AS n FROM names');
    store.close();
    expect(conns).toMatchObject([{ client_ip: '10.0.1.5', server_ip: '52.216.1.2', interface_id: 'eni-nat', flow_direction: 'ingress' }]);
    expect(JSON.parse(conns[0]!.details)).toEqual({ 'pkt-src-aws-service': 'S3', 'pkt-dst-aws-service': 'S3', 'interface-address': '10.0.0.220' });
    expect(names).toEqual([{ address: '52.216.1.2', name: 'S3', evidence: 'flowlog', n: 2 }]);
  });

  it('keeps ACCEPT/REJECT per direction: a rejected reply does not reject the connection; only all-REJECT does', async () => {
    const conns = await pair('reject', [
      V2,
      '2 111122223333 eni-web 198.51.100.7 10.0.1.5 51000 22 6 3 180 1700000000 1700000010 ACCEPT OK',
      '2 111122223333 eni-web 10.0.1.5 198.51.100.7 22 51000 6 3 240 1700000000 1700000010 REJECT OK',
      '2 111122223333 eni-web 198.51.100.8 10.0.1.5 52000 3389 6 2 120 1700000000 1700000010 REJECT OK',
    ]);
    expect(conns).toMatchObject([
      { client_ip: '198.51.100.7', server_port: 22, action: 'ACCEPT', client_action: 'ACCEPT', server_action: 'REJECT' },
      { client_ip: '198.51.100.8', server_port: 3389, action: 'REJECT', client_action: 'REJECT', server_action: null, server_packets: 0 },
    ]);
  });

  it('pairs ICMP by address pair (flow logs record no type or code) and takes the earlier direction as the client', async () => {
    const conns = await pair('icmp', [
      V2,
      '2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 ACCEPT OK',
    ]);
    expect(conns).toEqual([
      expect.objectContaining({
        client_ip: '203.0.113.12', client_port: null, server_ip: '172.31.16.139', server_port: null, proto: 1,
        client_packets: 4, server_packets: 4, initiator_evidence: 'first-packet',
      }),
    ]);
  });

  it('stores IPv6 endpoints in canonical form with their integer value', async () => {
    const path = join(dir, 'ipv6.log');
    writeFileSync(path, [
      V2,
      '2 111122223333 eni-v6 2001:DB8:0:0:0:0:0:1 2001:db8::abcd 49152 443 6 3 300 1700000000 1700000005 ACCEPT OK',
      '2 111122223333 eni-v6 2001:db8::abcd 2001:DB8:0:0:0:0:0:1 443 49152 6 2 2000 1700000000 1700000005 ACCEPT OK',
    ].join('\n'));
    const store = await Store.open(':memory:');
    await vpcIngester.ingest(store, path, {});
    const rows = await store.queryRows(
      'SELECT client_ip, client_ip_num::VARCHAR AS n, server_ip, ip_family, client_bytes::INTEGER AS cb, server_bytes::INTEGER AS sb FROM connections',
    );
    store.close();
    expect(rows).toEqual([
      { client_ip: '2001:db8::1', n: (0x20010db8n << 96n | 1n).toString(), server_ip: '2001:db8::abcd', ip_family: 6, cb: 300, sb: 2000 },
    ]);
  });

  it('takes a lone direction recorded with flow-direction as sent by the client, before port heuristics', async () => {
    const [c] = await pair('lone', [
      `${V2} flow-direction`,
      '5 111122223333 eni-app 10.0.1.5 10.0.2.6 6000 5000 17 9 900 1700000000 1700000030 ACCEPT OK egress',
    ]);
    expect(c).toMatchObject({ client_ip: '10.0.1.5', client_port: 6000, server_port: 5000, initiator_evidence: 'flow-direction', flow_direction: 'egress' });
  });

  it('falls back to well-known and ephemeral ports when only the reply was recorded', async () => {
    const [c] = await pair('reply', [V2, '2 111122223333 eni-app 10.0.2.6 10.0.1.5 443 50000 6 9 9000 1700000000 1700000030 ACCEPT OK']);
    expect(c).toMatchObject({
      client_ip: '10.0.1.5', client_port: 50000, server_ip: '10.0.2.6', server_port: 443, initiator_evidence: 'port-heuristic',
      client_packets: 0, server_packets: 9, client_action: null, server_action: 'ACCEPT',
    });
  });
});

/**
 * loadReport over a classified scratch database (connections inserted with SQL): findings grouped by
 * their keys with names attached, traffic views, and scans at Zeek's thresholds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/classify/classify.js';
import { ConfigError } from '../../src/errors.js';
import { ADDRESS_SCAN_THRESHOLD, PORT_SCAN_THRESHOLD, loadReport } from '../../src/report/load.js';
import type { Report } from '../../src/report/model.js';
import { insertConnections, insertName, scratch } from '../classify/fixtures.js';
import type { Scratch, TestConnection } from '../classify/fixtures.js';

const PACK = `
pack: shop
title: Shop
document: { file: shop.txt, title: Shop }
rules:
  - id: web-to-db
    title: The web tier reads the database
    from: web
    to: db
    protocols: [tcp]
    ports: [5432]
    direction: one-way
    requirement: required
    security: []
    citation: { section: Database, row: 1 }
`;
const INVENTORY = `
endpoints:
  web: { cidrs: [10.1.0.0/24] }
  db: { cidrs: [10.2.0.0/24] }
`;

let t: Scratch;
let report: Report;

beforeAll(async () => {
  t = await scratch('flowaudit-report-load-');
  const rows: TestConnection[] = [
    { id: 1, client: '10.1.0.5', server: '10.2.0.3', serverPort: 5432 },
    { id: 2, client: '10.1.0.5', server: '10.2.0.3', serverPort: 5432 },
    // Two connections of one unexpected finding, named by DNS.
    { id: 3, client: '10.1.0.5', server: '203.0.113.66', serverPort: 443 },
    { id: 4, client: '10.1.0.5', server: '203.0.113.66', serverPort: 443 },
    { id: 5, client: '10.1.0.6', server: '10.2.0.3', serverPort: 22, action: 'REJECT', state: null },
  ];
  let id = 100;
  // A port scan one port short of the threshold, and one at it.
  for (let port = 1; port < PORT_SCAN_THRESHOLD; port++) rows.push({ id: id++, client: '192.0.2.98', server: '10.2.0.3', serverPort: port, state: 'REJ', serverPackets: 1 });
  for (let port = 1; port <= PORT_SCAN_THRESHOLD; port++) rows.push({ id: id++, client: '192.0.2.99', server: '10.2.0.3', serverPort: port, state: 'REJ', serverPackets: 1 });
  // An address scan of SSH.
  for (let host = 1; host <= ADDRESS_SCAN_THRESHOLD; host++) rows.push({ id: id++, client: '198.51.100.9', server: `10.2.0.${host + 10}`, serverPort: 22, state: 'S0', serverPackets: 0 });
  await insertConnections(t.store, rows);
  await insertName(t.store, '203.0.113.66', 'files.exfil.example');
  await classify(t.store, { rules: [t.file('shop.yaml', PACK)], inventory: t.file('inventory.yaml', INVENTORY), params: {} });
  report = await loadReport(t.store, { generatedAt: new Date('2025-01-01T00:00:00Z') });
});

afterAll(() => t.close());

describe('loadReport', () => {
  it('sums up verdicts and flows', () => {
    expect(report.schema).toBe('flowaudit/report@1');
    expect(report.generated_at).toBe('2025-01-01T00:00:00.000Z');
    expect(report.summary).toMatchObject({ connections: rows(), documented: 2 });
    expect(report.flows.map((f) => [f.id, f.status, f.connections])).toEqual([['shop/web-to-db', 'observed', 2]]);
  });

  it('groups findings by their keys, with names, and never lists documented traffic', () => {
    const exfil = report.findings.find((f) => f.server_ip === '203.0.113.66');
    expect(exfil).toMatchObject({ verdict: 'unexpected', proto: 'tcp', client_endpoint: 'web', server_endpoint: null, connections: 2, server_names: ['files.exfil.example'], flows: [] });
    expect(report.findings.some((f) => f.server_port === 5432 && f.client_ip === '10.1.0.5')).toBe(false);
  });

  it('lists rejected and admin-port traffic', () => {
    expect(report.traffic.rejected.map((p) => [p.client_ip, p.server_port])).toEqual([['10.1.0.6', 22]]);
    expect(report.traffic.admin_ports.map((p) => p.server_port)).toContain(22);
    expect(report.traffic.top_pairs.length).toBeGreaterThan(0);
    expect(report.traffic.top_talkers[0]!.ip).toBe('10.2.0.3');
  });

  it('finds scans at the thresholds and not below', () => {
    expect(report.traffic.scans.map((s) => [s.kind, s.client_ip, s.targets, s.refused_or_unanswered])).toEqual([
      ['address', '198.51.100.9', ADDRESS_SCAN_THRESHOLD, ADDRESS_SCAN_THRESHOLD],
      ['port', '192.0.2.99', PORT_SCAN_THRESHOLD, PORT_SCAN_THRESHOLD],
    ]);
    expect(report.traffic.scans[0]).toMatchObject({ server_ip: null, server_port: 22 });
    expect(report.traffic.scans[1]).toMatchObject({ server_ip: '10.2.0.3', server_endpoint: 'db', server_port: null });
  });

  it('refuses a database that was never classified', async () => {
    const empty = await scratch('flowaudit-report-empty-');
    try {
      await expect(loadReport(empty.store, { generatedAt: new Date() })).rejects.toThrow(ConfigError);
    } finally {
      empty.close();
    }
  });
});

function rows(): number {
  return 5 + (PORT_SCAN_THRESHOLD - 1) + PORT_SCAN_THRESHOLD + ADDRESS_SCAN_THRESHOLD;
}

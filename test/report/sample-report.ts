/**
 * A hand-built report for the renderer tests: every verdict, every flow status, traffic rows, a
 * baseline with new / gone / unchanged findings, and one finding whose names are hostile (markup,
 * spreadsheet formulas, table pipes, terminal escapes, a bidi override).
 */
import type { PairTotals, Report, ReportFinding, ReportFlow, TrafficPair } from '../../src/report/model.js';

export const HOSTILE_NAMES = [
  '<script>alert(1)</script>',
  '=HYPERLINK("http://x")',
  'a|b',
  '\x1b[31mred',
  '\u202eevil',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  'two\nlines, "quoted"',
  '@everyone `tick`',
] as const;

/** The grouping keys findings and traffic rows default to: gateway to management over TLS. */
const GATEWAY_TO_MANAGEMENT: Omit<PairTotals, 'connections' | 'packets' | 'bytes'> = {
  proto: 'tcp',
  client_ip: '10.20.1.15',
  server_ip: '10.20.2.10',
  server_port: 443,
  client_endpoint: 'gateway',
  server_endpoint: 'management',
};

function finding(over: Partial<ReportFinding> & Pick<ReportFinding, 'verdict'>): ReportFinding {
  return {
    ...GATEWAY_TO_MANAGEMENT,
    client_names: [],
    server_names: [],
    connections: 1,
    packets: 10,
    bytes: 1_200,
    first_seen: '2024-05-01T10:00:00.000Z',
    last_seen: '2024-05-01T10:05:00.000Z',
    flows: [],
    evidence: ['syn'],
    ...over,
  };
}

function flow(over: Partial<ReportFlow> & Pick<ReportFlow, 'id' | 'status'>): ReportFlow {
  return {
    title: 'A documented flow',
    from: ['gateway'],
    to: ['management'],
    direction: 'one-way',
    protocols: ['tcp'],
    ports: ['443'],
    requirement: 'required',
    security: ['TLS'],
    connections: 0,
    first_seen: null,
    last_seen: null,
    citation: 'Table 1, row 1',
    document_url: 'https://www.ibm.com/docs/en/api-connect/10.0.x?topic=firewall-requirements',
    reason: 'seen',
    ...over,
  };
}

function pair(over: Partial<TrafficPair>): TrafficPair {
  return {
    ...GATEWAY_TO_MANAGEMENT,
    verdict: 'documented',
    connections: 5,
    packets: 50,
    bytes: 12_345_678,
    ...over,
  };
}

/** Findings of one verdict, to test the caps: `count` rows with distinct client addresses. */
export function manyFindings(verdict: ReportFinding['verdict'], count: number): ReportFinding[] {
  return Array.from({ length: count }, (_, i) => finding({ verdict, client_ip: `10.99.${Math.floor(i / 250)}.${(i % 250) + 1}`, client_endpoint: null }));
}

/** A realistic report; pass `baseline: false` for one without the baseline comparison. */
export function sampleReport(opts: { baseline?: boolean } = {}): Report {
  const withBaseline = opts.baseline ?? true;
  const change = <T extends ReportFinding>(f: T, c: ReportFinding['change']): T => (withBaseline ? { ...f, change: c } : f);
  const findings: ReportFinding[] = [
    change(finding({
      verdict: 'unexpected', client_ip: '10.20.1.15', server_ip: '203.0.113.7', server_port: 8443, server_endpoint: null,
      server_names: [...HOSTILE_NAMES], connections: 42, packets: 4_200, bytes: 12_345_678, evidence: ['syn', 'port-heuristic'],
    }), 'new'),
    change(finding({
      verdict: 'unexpected', proto: 'udp', client_ip: 'fd00:20:2::5', server_ip: 'fd00:20:1::53', server_port: 53,
      client_endpoint: 'management', server_endpoint: null, client_names: ['mgmt-0.apic.local'], server_names: ['dns.internal'],
      connections: 3, packets: 6, bytes: 512, evidence: ['port-heuristic'],
    }), 'unchanged'),
    change(finding({
      verdict: 'unexpected', proto: 'icmp', client_ip: '10.20.1.16', server_ip: '10.20.9.9', server_port: 0, server_endpoint: null,
      connections: 1, packets: 1, bytes: 84, evidence: ['icmp-type'], first_seen: '2024-04-24T09:00:00.000Z', last_seen: '2024-04-24T09:00:01.000Z',
    }), 'gone'),
    change(finding({
      verdict: 'denied', client_ip: null, server_ip: null, client_endpoint: 'portal', server_endpoint: 'analytics', server_port: 9443,
      connections: 7, packets: 7, bytes: 420, flows: ['apic-firewall/portal-to-analytics'], evidence: ['flow-log-direction'],
    }), 'new'),
    change(finding({
      verdict: 'unanswered', server_port: 3000, connections: 12, packets: 36, bytes: 2_160,
      flows: ['apic-firewall/gateway-service', 'apic-inter-subsystem/gateway-director'],
    }), 'unchanged'),
  ];
  return {
    schema: 'flowaudit/report@1',
    generated_at: '2024-05-01T12:00:00.000Z',
    classification: { inventory: 'fixtures/inventory/apic.yaml', packs: ['apic-firewall', 'apic-inter-subsystem'], classified_at: '2024-05-01T11:59:00.000Z' },
    inputs: [
      {
        path: 'captures/gateway.pcapng', kind: 'pcapng', records_read: 120_000, records_used: 119_990, records_rejected: 10,
        connections: 1_400, first_seen: '2024-05-01T10:00:00.000Z', last_seen: '2024-05-01T11:02:03.000Z',
      },
      {
        path: 'vpc/\x1b]0;owned\x07flows.log.gz', kind: 'vpc', records_read: 5_000, records_used: 5_000, records_rejected: 0,
        connections: 2_000, first_seen: '2024-05-01T09:30:00.000Z', last_seen: '2024-05-01T10:30:00.000Z',
      },
    ],
    summary: {
      connections: 3_400, documented: 3_335, unexpected: 46, denied: 7, unanswered: 12,
      flows: { observed: 4, denied: 1, unanswered: 1, unobserved: 1, not_covered: 1 },
    },
    flows: [
      flow({ id: 'apic-firewall/api-request', status: 'observed', connections: 3_000, previous_status: withBaseline ? 'observed' : undefined }),
      flow({ id: 'apic-firewall/portal-to-analytics', status: 'denied', reason: '7 connections denied by the flow log', previous_status: withBaseline ? 'observed' : undefined }),
      flow({ id: 'apic-firewall/gateway-service', status: 'unanswered', ports: ['3000'], reason: 'attempted, never answered', citation: 'Table 3, Gateway Server: 3000', previous_status: withBaseline ? 'unanswered' : undefined }),
      flow({ id: 'apic-inter-subsystem/analytics-ingestion', title: 'Gateway to analytics | ingestion', status: 'unobserved', to: ['analytics'], ports: ['30000-32767'], reason: 'both endpoints appear in the data (gateway, analytics), the flow never does in any of the inputs', document_url: null, previous_status: withBaseline ? null : undefined }),
      flow({ id: 'apigee-hybrid/cassandra-gossip', from: ['cassandra'], to: ['cassandra'], protocols: ['tcp'], ports: ['7001'], status: 'not_covered', reason: 'neither endpoint appears in the data', citation: 'Cassandra ports', document_url: 'javascript:alert(1)', previous_status: withBaseline ? 'not_covered' : undefined }),
    ],
    findings,
    traffic: {
      scans: [
        { kind: 'port', proto: 'tcp', client_ip: '192.0.2.99', client_endpoint: null, server_ip: '10.20.1.11', server_endpoint: 'gateway', server_port: null, targets: 100, connections: 100, refused_or_unanswered: 99, first_seen: '2024-05-01T10:41:07.000Z', last_seen: '2024-05-01T10:41:09.000Z' },
        { kind: 'address', proto: 'tcp', client_ip: '203.0.113.9', client_endpoint: null, server_ip: null, server_endpoint: null, server_port: 22, targets: 40, connections: 41, refused_or_unanswered: 38, first_seen: '2024-05-01T10:50:00.000Z', last_seen: '2024-05-01T10:52:00.000Z' },
      ],
      rejected: [pair({ client_ip: null, server_ip: null, client_endpoint: 'portal', server_endpoint: 'analytics', server_port: 9443, verdict: 'denied', connections: 7, packets: 7, bytes: 420 })],
      admin_ports: [pair({ server_port: 22, verdict: 'unexpected', server_endpoint: null, server_ip: '10.20.2.11', connections: 2, packets: 40, bytes: 9_000 })],
      top_talkers: [
        { ip: '10.20.1.15', endpoint: 'gateway', bytes: 2_500_000_000, packets: 2_000_000, connections: 1_800 },
        { ip: 'fd00:20:2::5', endpoint: null, bytes: 1_000, packets: 10, connections: 3 },
      ],
      top_pairs: [pair({}), pair({ proto: 'udp', server_ip: 'fd00:20:1::53', server_port: 53, verdict: 'unexpected', server_endpoint: null, bytes: 512 })],
    },
    ...(withBaseline ? { baseline: { path: 'reports/last-week.json', generated_at: '2024-04-24T12:00:00.000Z', findings: { new: 2, gone: 1, unchanged: 2 }, flows_changed: 2 } } : {}),
  };
}

/**
 * Report objects for the HTML renderer's tests, built by hand: an API Connect deployment with every
 * verdict, every flow status, traffic rows, a baseline, and hostile strings where data lands in the
 * page (names, a citation, a document URL).
 */
import type { Change, FlowStatus, Report, ReportFinding, ReportFlow, TrafficPair } from '../../src/report/model.js';
import { CHANGE_LIST, FLOW_STATUS_LIST, REPORT_SCHEMA } from '../../src/report/model.js';

export const HOSTILE_NAMES = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)'];
export const HOSTILE_URL = 'javascript:alert(1)';
const DOCS = 'https://www.ibm.com/docs/en/api-connect/10.0.x?topic=deployment-firewall-requirements';

export function flow(over: Partial<ReportFlow> & Pick<ReportFlow, 'id' | 'from' | 'to' | 'status'>): ReportFlow {
  return {
    title: over.id.split('/')[1]!.replace(/-/g, ' '),
    direction: 'one-way',
    protocols: ['tcp'],
    ports: ['443'],
    requirement: 'required',
    security: ['TLS'],
    connections: 0,
    first_seen: null,
    last_seen: null,
    citation: 'API Connect 10.0.x, Firewall requirements, Table 1',
    document_url: DOCS,
    reason: 'matching connections were seen',
    ...over,
  };
}

export function finding(over: Partial<ReportFinding> & Pick<ReportFinding, 'verdict' | 'client_ip' | 'server_ip' | 'server_port'>): ReportFinding {
  return {
    proto: 'tcp',
    client_endpoint: null,
    server_endpoint: null,
    client_names: [],
    server_names: [],
    connections: 1,
    packets: 6,
    bytes: 1_200,
    first_seen: '2024-05-01T10:00:00Z',
    last_seen: '2024-05-01T10:05:00Z',
    flows: [],
    evidence: ['tcp-syn'],
    ...over,
  };
}

/** A traffic row: the pair fields of a finding (or of a literal row), without the finding's own. */
function pair(f: TrafficPair): TrafficPair {
  const { verdict, proto, client_ip, server_ip, server_port, client_endpoint, server_endpoint, connections, packets, bytes } = f;
  return { verdict, proto, client_ip, server_ip, server_port, client_endpoint, server_endpoint, connections, packets, bytes };
}

export function sampleFlows(): ReportFlow[] {
  return [
    flow({ id: 'apic-firewall/api-request', title: 'API calls to the gateway', from: ['public'], to: ['gateway'], status: 'observed', connections: 1520, first_seen: '2024-05-01T10:00:00Z', last_seen: '2024-05-01T11:00:00Z', previous_status: 'observed' }),
    flow({ id: 'apic-firewall/datapower-administration', title: 'DataPower administration', from: ['protected'], to: ['gateway'], ports: ['22', '9090'], security: ['SSH', 'TLS'], status: 'observed', connections: 12, previous_status: 'unobserved' }),
    flow({ id: 'apic-firewall/management-gateway-configuration', title: 'Management configures the gateway', from: ['management'], to: ['gateway'], direction: 'both-ways', ports: ['3000', '443'], security: ['mTLS'], status: 'denied', connections: 4, reason: 'every matching connection was rejected <i>by the network</i>', previous_status: 'observed' }),
    flow({ id: 'apic-firewall/gateway-to-analytics', title: 'Gateway sends API events to analytics', from: ['gateway'], to: ['analytics'], status: 'unanswered', connections: 9, reason: 'attempted, never answered', previous_status: 'unanswered' }),
    flow({ id: 'apic-firewall/portal-to-management', title: 'Portal calls management', from: ['portal'], to: ['management'], status: 'unobserved', reason: 'both endpoints were seen, this flow never was', previous_status: 'unobserved' }),
    flow({ id: 'apic-firewall/developer-portal-access', title: 'Developers reach the portal', from: ['public'], to: ['portal'], status: 'observed', connections: 300, previous_status: 'observed' }),
    flow({ id: 'apic-firewall/management-to-portal', title: 'Management pushes to the portal', from: ['management'], to: ['portal'], status: 'observed', connections: 40, citation: 'Table 1 "row 9" <b>bold</b>', document_url: HOSTILE_URL, previous_status: 'observed' }),
    flow({ id: 'apic-firewall/gateway-peering', title: 'Gateway peering', from: ['gateway'], to: ['gateway'], ports: ['16380', '26380'], status: 'observed', connections: 88, previous_status: 'observed' }),
    flow({ id: 'apic-inter-subsystem/analytics-offload', title: 'Analytics offload to a third party', from: ['analytics'], to: ['203.0.113.0/24'], ports: ['9200'], requirement: 'when analytics offload is configured', status: 'not_covered', reason: 'neither endpoint appears in the data', previous_status: null }),
  ];
}

export function sampleFindings(): ReportFinding[] {
  return [
    finding({ verdict: 'unexpected', client_ip: '10.20.1.10', client_endpoint: 'gateway', server_ip: '198.51.100.23', server_port: 4444, server_names: [...HOSTILE_NAMES], connections: 17, packets: 340, bytes: 2_400_000, change: 'new' }),
    finding({ verdict: 'unexpected', proto: 'icmp', client_ip: '10.20.1.10', client_endpoint: 'gateway', server_ip: '198.51.100.23', server_port: 0, server_names: [...HOSTILE_NAMES], connections: 3, packets: 6, bytes: 504, evidence: ['icmp-type'], change: 'new' }),
    finding({ verdict: 'unexpected', client_ip: '10.20.2.5', client_endpoint: 'management', server_ip: '10.20.1.10', server_endpoint: 'gateway', server_port: 8080, connections: 5, change: 'unchanged' }),
    finding({ verdict: 'unexpected', client_ip: '203.0.113.77', client_names: ['scanner.example.net'], server_ip: '10.20.1.10', server_endpoint: 'gateway', server_port: 23, connections: 2, change: 'new' }),
    finding({ verdict: 'unexpected', proto: 'udp', client_ip: '10.20.4.5', client_endpoint: 'analytics', server_ip: '8.8.8.8', server_port: 53, server_names: ['dns.google'], connections: 44, bytes: 9_000, evidence: ['port-heuristic'], change: 'unchanged' }),
    finding({ verdict: 'unexpected', client_ip: 'fd00:20:1::10', client_endpoint: 'gateway', server_ip: '2001:db8::99', server_port: 443, server_names: ['updates.example.com'], connections: 1, evidence: ['flow-direction'], change: 'unchanged' }),
    finding({ verdict: 'unexpected', client_ip: '10.20.3.5', client_endpoint: 'portal', server_ip: '192.0.2.200', server_port: 25, connections: 2, change: 'gone' }),
    finding({ verdict: 'denied', client_ip: '10.20.2.5', client_endpoint: 'management', server_ip: '10.20.1.10', server_endpoint: 'gateway', server_port: 3000, connections: 4, packets: 4, bytes: 240, flows: ['apic-firewall/management-gateway-configuration'], evidence: ['flow-direction'], change: 'new' }),
    finding({ verdict: 'unanswered', client_ip: '10.20.1.10', client_endpoint: 'gateway', server_ip: '10.20.4.5', server_endpoint: 'analytics', server_port: 443, connections: 9, packets: 27, bytes: 1_620, flows: ['apic-firewall/gateway-to-analytics'], change: 'unchanged' }),
  ];
}

/** The sample report; `baseline: false` leaves the comparison out. */
export function sampleReport(options: { baseline?: boolean } = {}): Report {
  const withBaseline = options.baseline ?? true;
  let flows = sampleFlows();
  let findings = sampleFindings();
  if (!withBaseline) {
    flows = flows.map(({ previous_status: _p, ...f }) => f);
    findings = findings.filter((f) => f.change !== 'gone').map(({ change: _c, ...f }) => f);
  }
  const current = findings.filter((f) => f.change !== 'gone');
  const sum = (list: readonly { connections: number }[]): number => list.reduce((n, x) => n + x.connections, 0);
  const byStatus = Object.fromEntries(FLOW_STATUS_LIST.map((s) => [s, flows.filter((f) => f.status === s).length])) as Record<FlowStatus, number>;
  const documented = sum(flows.filter((f) => f.status === 'observed'));
  const unexpected = sum(current.filter((f) => f.verdict === 'unexpected'));
  const denied = sum(current.filter((f) => f.verdict === 'denied'));
  const unanswered = sum(current.filter((f) => f.verdict === 'unanswered'));
  const deniedFinding = findings.find((f) => f.verdict === 'denied')!;
  const report: Report = {
    schema: REPORT_SCHEMA,
    generated_at: '2024-05-02T08:00:00Z',
    classification: { inventory: 'fixtures/inventory/apic.yaml', packs: ['apic-firewall', 'apic-inter-subsystem'], classified_at: '2024-05-02T07:59:58Z' },
    inputs: [
      { path: 'captures/gateway-<eth0>.pcapng.gz', kind: 'pcapng', records_read: 250_000, records_used: 249_990, records_rejected: 10, connections: 1_700, first_seen: '2024-05-01T10:00:00Z', last_seen: '2024-05-01T11:00:00Z' },
      { path: 'AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/05/01/flows.log.gz', kind: 'vpc', records_read: 12_000, records_used: 12_000, records_rejected: 0, connections: 270, first_seen: '2024-05-01T10:00:00Z', last_seen: '2024-05-01T11:00:00Z' },
    ],
    summary: { connections: documented + unexpected + denied + unanswered, documented, unexpected, denied, unanswered, flows: byStatus },
    flows,
    findings,
    traffic: {
      scans: [
        { kind: 'port', proto: 'tcp', client_ip: '192.0.2.99', client_endpoint: null, server_ip: '10.20.1.11', server_endpoint: 'gateway', server_port: null, targets: 100, connections: 100, refused_or_unanswered: 99, first_seen: '2024-05-01T10:41:07.000Z', last_seen: '2024-05-01T10:41:09.000Z' },
        { kind: 'address', proto: 'tcp', client_ip: '203.0.113.9', client_endpoint: null, server_ip: null, server_endpoint: null, server_port: 22, targets: 40, connections: 41, refused_or_unanswered: 38, first_seen: '2024-05-01T10:50:00.000Z', last_seen: '2024-05-01T10:52:00.000Z' },
      ],
      rejected: [pair(deniedFinding)],
      admin_ports: [
        pair({ verdict: 'documented', proto: 'tcp', client_ip: '10.10.5.5', server_ip: '10.20.1.10', server_port: 22, client_endpoint: 'protected', server_endpoint: 'gateway', connections: 12, packets: 900, bytes: 80_000 }),
        pair(findings.find((f) => f.server_port === 23)!),
      ],
      top_talkers: [
        { ip: '10.20.1.10', endpoint: 'gateway', bytes: 9_800_000_000, packets: 7_000_000, connections: 1_650 },
        { ip: '198.51.100.23', endpoint: null, bytes: 2_400_504, packets: 346, connections: 20 },
        { ip: 'fd00:20:1::10', endpoint: 'gateway', bytes: 1_200, packets: 6, connections: 1 },
      ],
      top_pairs: [
        pair({ verdict: 'documented', proto: 'tcp', client_ip: '198.51.100.40', server_ip: '10.20.1.10', server_port: 443, client_endpoint: 'public', server_endpoint: 'gateway', connections: 1_520, packets: 6_900_000, bytes: 9_700_000_000 }),
        pair(findings[0]!),
      ],
    },
  };
  if (withBaseline) {
    report.baseline = {
      path: 'baseline/last-week.json',
      generated_at: '2024-04-25T08:00:00Z',
      findings: Object.fromEntries(CHANGE_LIST.map((c) => [c, findings.filter((f) => f.change === c).length])) as Record<Change, number>,
      flows_changed: flows.filter((f) => f.previous_status !== undefined && f.previous_status !== f.status).length,
    };
  }
  return report;
}

/** `n` unexpected findings from distinct outside addresses to the gateway, most connections first. */
export function manyOutsiders(n: number): ReportFinding[] {
  return Array.from({ length: n }, (_, i) => finding({
    verdict: 'unexpected', client_ip: `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`, server_ip: '10.20.1.10', server_endpoint: 'gateway', server_port: 8443, connections: n - i,
  }));
}

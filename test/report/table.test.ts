import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { renderTable } from '../../src/report/table.js';
import { HOSTILE_NAMES, manyFindings, sampleReport } from './sample-report.js';

/** An SGR sequence: ESC (the only control character the table may write) `[` parameters `m`. */
const ANSI = /\p{Cc}\[[0-9;]*m/gu;
const ESC = String.fromCharCode(27);
const stripAnsi = (text: string): string => text.replace(ANSI, '');
const plain = (report: Report): string => renderTable(report, { color: false });
const section = (out: string, title: string): string => {
  const start = out.indexOf(`\n${title}`);
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  const end = out.indexOf('\n\n', start + 1);
  return out.slice(start + 1, end === -1 ? undefined : end);
};

describe('renderTable', () => {
  it('has the header, summary, findings by verdict, flows not observed, traffic and baseline, in that order', () => {
    const out = plain(sampleReport());
    const order = ['flowaudit report', 'Inputs', 'Summary', 'Unexpected (3 findings)', 'Denied (1 finding)', 'Unanswered (1 finding)',
      'Flows not observed (4)', 'Traffic', 'Rejected by flow logs (1)', 'Admin ports', 'Top talkers (2)', 'Top pairs (2)', 'Baseline'];
    const at = order.map((title) => out.indexOf(title));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(out.endsWith('\n')).toBe(true);
  });

  it('describes the inputs and the classification', () => {
    const out = plain(sampleReport());
    expect(out).toContain('Inventory fixtures/inventory/apic.yaml; packs apic-firewall, apic-inter-subsystem');
    expect(section(out, 'Inputs')).toMatch(/captures\/gateway\.pcapng\s+pcapng\s+120,000\s+119,990\s+10\s+1,400/);
    expect(out).toContain('Time span: 2024-05-01 09:30:00 → 2024-05-01 11:02:03 UTC (1h 32m)');
  });

  it('sums connections by verdict and flows by status', () => {
    const out = section(plain(sampleReport()), 'Summary');
    expect(out).toMatch(/Connections\s+3,400\s+documented 3,335 · unexpected 46 · denied 7 · unanswered 12/);
    expect(out).toMatch(/Flows\s+8\s+observed 4 · denied 1 · unanswered 1 · unobserved 1 · not covered 1/);
  });

  it('aligns columns: every row of a findings table starts its cells at the same place', () => {
    const lines = section(plain(sampleReport()), 'Unexpected').split('\n').slice(1);
    const col = (title: string): number => lines[0]!.indexOf(title);
    for (const line of lines.slice(1)) {
      expect(line.slice(col('PROTO'))).toMatch(/^(tcp|udp|icmp) /);
      expect(line.slice(col('FIRST SEEN'))).toMatch(/^2024-0\d-\d\d \d\d:\d\d:\d\d /);
    }
    expect(lines[1]).toMatch(/new\s+tcp\s+10\.20\.1\.15 \(gateway\)\s+203\.0\.113\.7:8443\s+<script>.*…\s+42\s+4,200\s+12\.3 MB/);
    expect(lines[2]).toContain('fd00:20:2::5 (management)  [fd00:20:1::53]:53');
    expect(lines[2]).toContain('dns.internal · client: mgmt-0.apic.local');
  });

  it('shows the endpoint for aggregated rows, the flows matched and the baseline change', () => {
    const denied = section(plain(sampleReport()), 'Denied');
    expect(denied).toMatch(/new\s+tcp\s+portal\s+analytics:9443\s+—\s+7\s+7\s+420 B.*apic-firewall\/portal-to-analytics/);
    const noBaseline = plain(sampleReport({ baseline: false }));
    expect(noBaseline).not.toContain('CHANGE');
    expect(noBaseline).not.toContain('Baseline');
  });

  it('lists flows not observed with status, reason and citation, action first', () => {
    const lines = section(plain(sampleReport()), 'Flows not observed').split('\n');
    expect(lines.slice(2).map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(['unanswered', 'denied', 'unobserved', 'not covered']);
    expect(lines[2]).toMatch(/apic-firewall\/gateway-service\s+A documented flow\s+gateway → management\s+tcp\/3000\s+attempted, never answered\s+Table 3, Gateway Server: 3000/);
    expect(lines.join('\n')).toContain('both endpoints appear in the data (gateway, analytics), the flo…');
  });

  it('lists the traffic views and the baseline comparison', () => {
    const out = plain(sampleReport());
    expect(out).toMatch(/tcp\s+10\.20\.1\.15 \(gateway\)\s+10\.20\.2\.11:22\s+unexpected\s+2\s+40\s+9\.0 kB/);
    expect(out).toMatch(/10\.20\.1\.15 \(gateway\)\s+2\.5 GB\s+2,000,000\s+1,800/);
    expect(out).toContain('Baseline reports/last-week.json (generated 2024-04-24T12:00:00Z): findings 2 new, 1 gone, 2 unchanged; 2 flows changed');
    const baseline = section(out, 'Baseline');
    expect(baseline).toMatch(/apic-firewall\/portal-to-analytics\s+observed\s+denied/);
    expect(baseline).toMatch(/apic-inter-subsystem\/analytics-ingestion\s+\(none\)\s+unobserved/);
    expect(baseline).not.toContain('api-request');
  });

  it('caps long lists and says where the rest is', () => {
    const report = sampleReport();
    report.findings = [...manyFindings('unexpected', 130), ...report.findings.filter((f) => f.verdict !== 'unexpected')];
    const out = section(plain(report), 'Unexpected (130 findings)');
    expect(out.split('\n')).toHaveLength(1 + 1 + 50 + 1);
    expect(out).toContain('… and 80 more (use --format json or csv for all)');
  });

  it('writes no ANSI escapes without colour, and colours verdicts with it', () => {
    expect(plain(sampleReport())).not.toContain(ESC);
    expect(renderTable(sampleReport(), { color: true })).toMatch(/\p{Cc}\[[0-9;]*m/u);
    const coloured = renderTable(sampleReport(), { color: true });
    expect(coloured).toContain(`${ESC}[31mUnexpected (3 findings)${ESC}[39m`);
    expect(coloured).toContain(`${ESC}[33mUnanswered (1 finding)${ESC}[39m`);
    expect(coloured).toContain(`${ESC}[32mobserved${ESC}[39m`);
    expect(coloured).toContain(`${ESC}[2mnot covered${ESC}[22m`);
    expect(coloured).toContain(`${ESC}[2mapigee-hybrid/cassandra-gossip${ESC}[22m`);
    expect(stripAnsi(coloured)).toBe(plain(sampleReport()));
  });

  it('neutralises hostile names and paths: nothing a terminal would interpret is printed', () => {
    const report = sampleReport();
    report.findings = HOSTILE_NAMES.map((name) => ({ ...report.findings[0]!, server_names: [name], client_endpoint: '\x1b[2Jgw' }));
    for (const out of [plain(report), stripAnsi(renderTable(report, { color: true }))]) {
      expect(out.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
      expect(out).toContain('\\x1b[31mred');
      expect(out).toContain('\\u202eevil');
      expect(out).toContain('two\\x0alines, "quoted"');
      expect(out).toContain('(\\x1b[2Jgw)');
      expect(out).toContain('vpc/\\x1b]0;owned\\x07flows.log.gz');
    }
  });

  it('says none for empty sections', () => {
    const report = sampleReport({ baseline: false });
    report.findings = [];
    report.flows = [];
    report.inputs = [];
    report.traffic = { scans: [], rejected: [], admin_ports: [], top_talkers: [], top_pairs: [] };
    const out = plain(report);
    expect(section(out, 'Unexpected (0 findings)')).toContain('none');
    expect(section(out, 'Flows not observed (0)')).toContain('none');
    expect(out).toContain('Inputs\n  none\n');
    expect(out).toContain('Top talkers (0)\n    none');
  });
});

import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvColumns, csvField, neutraliseFormula, renderCsv } from '../../src/report/csv.js';
import type { Report } from '../../src/report/model.js';
import { sampleReport } from './sample-report.js';

const COLUMNS = ['verdict', 'proto', 'client_ip', 'client_endpoint', 'client_names', 'server_ip', 'server_port', 'server_endpoint',
  'server_names', 'connections', 'packets', 'bytes', 'first_seen', 'last_seen', 'flows', 'evidence'];

const records = (report: Report): Record<string, string>[] =>
  parse(renderCsv(report, { color: false }), { columns: true, relax_column_count: false }) as Record<string, string>[];

/** The sample's hostile finding with one hostile name on each side, first in its list. */
function hostile(clientNames: string[], serverNames: string[]): Report {
  const report = sampleReport({ baseline: false });
  report.findings = [{ ...report.findings[0]!, client_names: clientNames, server_names: serverNames, client_endpoint: '@gateway' }];
  return report;
}

describe('renderCsv', () => {
  it('writes the documented header, with change first only when there is a baseline', () => {
    expect(csvColumns(sampleReport({ baseline: false }))).toEqual(COLUMNS);
    expect(csvColumns(sampleReport())).toEqual(['change', ...COLUMNS]);
    expect(renderCsv(sampleReport({ baseline: false }), { color: false }).split('\r\n')[0]).toBe(COLUMNS.join(','));
  });

  it('writes one row per finding, CRLF line ends, the last line ended too', () => {
    const report = sampleReport();
    const out = renderCsv(report, { color: false });
    expect(out.endsWith('\r\n')).toBe(true);
    expect(out.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    const rows = records(report);
    expect(rows).toHaveLength(report.findings.length);
    expect(rows.map((r) => r.change)).toEqual(['new', 'unchanged', 'gone', 'new', 'unchanged']);
    expect(rows.map((r) => r.verdict)).toEqual(['unexpected', 'unexpected', 'unexpected', 'denied', 'unanswered']);
  });

  it('writes values plainly: counts as integers, nulls as empty cells, lists joined by a space', () => {
    const rows = records(sampleReport());
    expect(rows[0]).toMatchObject({ proto: 'tcp', client_ip: '10.20.1.15', server_port: '8443', server_endpoint: '', connections: '42', packets: '4200',
      bytes: '12345678', first_seen: '2024-05-01T10:00:00.000Z', evidence: 'syn port-heuristic', flows: '' });
    expect(rows[1]).toMatchObject({ client_ip: 'fd00:20:2::5', server_ip: 'fd00:20:1::53', client_names: 'mgmt-0.apic.local' });
    expect(rows[3]).toMatchObject({ client_ip: '', server_ip: '', client_endpoint: 'portal', server_endpoint: 'analytics' });
    expect(rows[4]!.flows.split(' ')).toEqual(['apic-firewall/gateway-service', 'apic-inter-subsystem/gateway-director']);
  });

  it('quotes separators, quotes and line breaks so the row parses back', () => {
    const rows = records(hostile(['a,b'], ['say "hi", ok']));
    expect(rows[0]!.client_names).toBe('a,b');
    expect(rows[0]!.server_names).toBe('say "hi", ok');
    expect(csvField('x"y')).toBe('"x""y"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField('plain')).toBe('plain');
  });

  it('prefixes cells a spreadsheet would run as a formula', () => {
    for (const [name, expected] of [
      ['=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'],
      ['+1+2', '\'+1+2'], ['-2+3', '\'-2+3'], ['@SUM(A1)', '\'@SUM(A1)'],
    ] as const) {
      const rows = records(hostile([name], [name]));
      expect(rows[0]!.server_names).toBe(expected);
      expect(rows[0]!.client_names).toBe(expected);
    }
    expect(records(hostile([], []))[0]!.client_endpoint).toBe('\'@gateway');
    expect(neutraliseFormula('\tx')).toBe('\'\tx');
    expect(neutraliseFormula('\rx')).toBe('\'\rx');
    expect(neutraliseFormula('::1')).toBe('::1');
    expect(neutraliseFormula('a=b')).toBe('a=b');
  });

  it('never starts a cell with a formula character', () => {
    const out = renderCsv(hostile(['=cmd|\' /C calc\'!A0', '-x'], ['+x', '@x', '=x']), { color: false });
    const rows = parse(out) as string[][];
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('shows control and bidi characters as escapes', () => {
    const out = renderCsv(sampleReport(), { color: false });
    expect(out.replaceAll('\r\n', '')).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    const names = records(sampleReport())[0]!.server_names;
    expect(names).toContain('\\x1b[31mred');
    expect(names).toContain('\\u202eevil');
    expect(names).toContain('two\\x0alines, "quoted"');
  });

  it('writes the header alone when there are no findings', () => {
    const report = sampleReport();
    report.findings = [];
    expect(renderCsv(report, { color: false })).toBe(`change,${COLUMNS.join(',')}\r\n`);
  });
});

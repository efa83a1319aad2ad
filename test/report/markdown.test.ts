import { describe, expect, it } from 'vitest';
import { mdCode, mdText, mdUrl, renderMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/report/model.js';
import { HOSTILE_NAMES, manyFindings, sampleReport } from './sample-report.js';

const render = (report: Report): string => renderMarkdown(report, { color: false });
/** A GFM table row's cells: split at pipes no backslash escapes (as the GFM table scanner does). */
const cells = (row: string): string[] => row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim());
/** The text with every code span taken out. */
const withoutCode = (text: string): string => text.replace(/(`+)(?!`)[^]*?(?<!`)\1(?!`)/g, '');
const sectionOf = (out: string, heading: string): string => {
  const start = out.indexOf(`\n${heading}`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const next = out.slice(start + 1).search(/\n#{2,3} /);
  return next === -1 ? out.slice(start + 1) : out.slice(start + 1, start + 1 + next);
};

describe('mdText', () => {
  it('escapes Markdown punctuation and HTML', () => {
    expect(mdText('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(mdText('[click](javascript:alert(1))')).toBe('\\[click\\](javascript:alert(1))');
    expect(mdText('a|b')).toBe('a\\|b');
    expect(mdText('*b* _i_ `c` ~s~ # $x$ \\')).toBe('\\*b\\* \\_i\\_ \\`c\\` \\~s\\~ \\# \\$x\\$ \\\\');
    expect(mdText('&lt; & <')).toBe('&amp;lt; &amp; &lt;');
  });

  it('makes one line and shows controls as escapes', () => {
    expect(mdText('two\r\nlines\there')).toBe('two lines here');
    expect(mdText('\x1b[31mred \u202eevil')).toBe('\\\\x1b\\[31mred \\\\u202eevil');
  });
});

describe('mdCode', () => {
  it('fences with more backticks than the text holds and pads when needed', () => {
    expect(mdCode('10.0.0.1')).toBe('`10.0.0.1`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x``')).toBe('``` `x`` ```');
    expect(mdCode(' x ')).toBe('`  x  `');
    expect(mdCode('')).toBe('');
  });

  it('escapes pipes for tables, keeps HTML and link syntax as text', () => {
    expect(mdCode('a|b')).toBe('`a\\|b`');
    expect(mdCode('a\\|b')).toBe('`a\\\\|b`');
    expect(mdCode('<script>alert(1)</script>')).toBe('`<script>alert(1)</script>`');
    expect(mdCode('line\nbreak\x1b')).toBe('`line break\\x1b`');
  });
});

describe('mdUrl', () => {
  it('keeps http(s) links and encodes what could end a link or a table cell', () => {
    expect(mdUrl('https://example.com/docs?topic=a')).toBe('https://example.com/docs?topic=a');
    expect(mdUrl('https://example.com/a (b)|c')).toBe('https://example.com/a%20%28b%29%7Cc');
  });

  it('refuses other schemes and text that is no URL', () => {
    expect(mdUrl('javascript:alert(1)')).toBeNull();
    expect(mdUrl('data:text/html,<script>')).toBeNull();
    expect(mdUrl('not a url')).toBeNull();
  });
});

describe('renderMarkdown', () => {
  it('has a title and the sections in order', () => {
    const out = render(sampleReport());
    expect(out.startsWith('# flowaudit report\n')).toBe(true);
    const order = ['## Summary', '### Inputs', '## Findings', '### Unexpected (3)', '### Denied (1)', '### Unanswered (1)', '## Flows not observed (4)',
      '## Traffic', '### Rejected by flow logs (1)', '### Admin ports', '### Top talkers (2)', '### Top pairs (2)', '## Baseline'];
    const at = order.map((h) => out.indexOf(`\n${h}`));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(render(sampleReport({ baseline: false }))).not.toContain('## Baseline');
  });

  it('writes tables whose rows have as many cells as the header, even with hostile names', () => {
    const lines = render(sampleReport()).split('\n');
    let width = 0;
    for (const [i, line] of lines.entries()) {
      if (!line.startsWith('|')) {
        width = 0;
        continue;
      }
      if (width === 0) {
        width = cells(line).length;
        expect(cells(lines[i + 1]!).every((c) => /^-+:?$/.test(c))).toBe(true);
      }
      expect(cells(line), line).toHaveLength(width);
    }
  });

  it('sums up connections and flows', () => {
    const out = sectionOf(render(sampleReport()), '## Summary');
    expect(out).toContain('| unexpected | 46 |');
    expect(out).toContain('| **total** | **3,400** |');
    expect(out).toContain('| not covered | 1 |');
  });

  it('shows each finding with its change, addresses, names, counts and flows', () => {
    const out = render(sampleReport());
    expect(sectionOf(out, '### Unanswered')).toContain('| unchanged | `tcp` | `10.20.1.15` (gateway) | `10.20.2.10:3000` (management) | — | 12 | 36 | 2.2 kB |' +
      ' 2024-05-01 10:00:00 | 2024-05-01 10:05:00 | apic-firewall/gateway-service, apic-inter-subsystem/gateway-director |');
    expect(sectionOf(out, '### Denied')).toContain('| **new** | `tcp` | portal | analytics:9443 |');
    expect(sectionOf(out, '### Unexpected')).toContain('`[fd00:20:1::53]:53`');
    expect(sectionOf(out, '### Unexpected')).toContain('| Change | Proto | Client | Server | Names | Connections | Packets | Bytes | First seen | Last seen | Flows |\n' +
      '| --- | --- | --- | --- | --- | ---: | ---: | ---: | --- | --- | --- |');
  });

  it('puts hostile names in code spans: no HTML, link, mention or control character outside them', () => {
    const out = render(sampleReport());
    const prose = withoutCode(out);
    expect(prose).not.toMatch(/<[a-z/!]/i);
    expect(prose).not.toMatch(/(?<!\\)\[(?!Table|Cassandra)/);
    expect(prose).not.toContain('@everyone');
    expect(out.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    expect(out).toContain('`a\\|b`');
    expect(out).toContain('`<img src=x onerror=alert(1)>`');
    expect(out).toContain('`[click](javascript:alert(1))`');
    expect(out).toContain('`\\x1b[31mred`');
    expect(out).toContain('`\\u202eevil`');
    expect(out).toContain('`two lines, "quoted"`');
    expect(out).toContain('`` @everyone `tick` ``');
    expect(out).toContain('vpc/\\\\x1b\\]0;owned\\\\x07flows.log.gz');
    for (const name of HOSTILE_NAMES) expect(out).toContain(mdCode(name));
  });

  it('escapes endpoint names, titles and paths as text', () => {
    const report = sampleReport();
    report.findings = [{ ...report.findings[0]!, client_endpoint: '<b>gw</b>', server_endpoint: '[x](javascript:y)' }];
    report.classification.inventory = 'inv_*draft*.yaml';
    const out = render(report);
    expect(out).toContain('`10.20.1.15` (&lt;b&gt;gw&lt;/b&gt;)');
    expect(out).toContain('`203.0.113.7:8443` (\\[x\\](javascript:y))');
    expect(out).toContain('Inventory inv\\_\\*draft\\*.yaml');
    expect(out).toContain('| Gateway to analytics \\| ingestion |');
  });

  it('links citations to http(s) documents only', () => {
    const out = sectionOf(render(sampleReport()), '## Flows not observed');
    expect(out).toContain('[Table 3, Gateway Server: 3000](https://www.ibm.com/docs/en/api-connect/10.0.x?topic=firewall-requirements)');
    expect(out).toContain('| not covered | apigee-hybrid/cassandra-gossip | A documented flow | cassandra → cassandra | tcp/7001 | neither endpoint appears in the data | Cassandra ports |');
    expect(out).not.toContain('javascript:');
    const order = out.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Status') && !l.startsWith('| ---')).map((l) => cells(l)[0]);
    expect(order).toEqual(['unanswered', 'denied', 'unobserved', 'not covered']);
  });

  it('compares with the baseline', () => {
    const out = sectionOf(render(sampleReport()), '## Baseline');
    expect(out).toContain('Compared with reports/last-week.json (generated 2024-04-24T12:00:00Z): **2 new**, 1 gone, 2 unchanged findings; 2 flows changed.');
    expect(out).toContain('| apic-firewall/portal-to-analytics | observed | denied |');
    expect(out).toContain('| apic-inter-subsystem/analytics-ingestion | (none) | unobserved |');
  });

  it('caps findings per verdict with a note', () => {
    const report = sampleReport({ baseline: false });
    report.findings = manyFindings('denied', 75);
    const out = sectionOf(render(report), '### Denied (75)');
    expect(out.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Proto') && !l.startsWith('| ---'))).toHaveLength(50);
    expect(out).toContain('_… and 25 more (use --format json or csv for all)_');
  });

  it('caps flows not observed with a note', () => {
    const report = sampleReport({ baseline: false });
    const base = report.flows.find((f) => f.status === 'not_covered')!;
    report.flows = Array.from({ length: 60 }, (_, i) => ({ ...base, id: `pack/flow-${i}` }));
    const out = sectionOf(render(report), '## Flows not observed (60)');
    expect(out).toContain('| not covered | pack/flow-49 |');
    expect(out).not.toContain('pack/flow-50');
    expect(out).toContain('_… and 10 more (use --format json for all)_');
  });
});

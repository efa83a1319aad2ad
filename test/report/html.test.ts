/**
 * The HTML report: one self-contained page, every string from the data escaped (checked by reading
 * every tag and attribute of the output), no script, no link but http(s) document URLs, a diagram
 * with every edge kind, the same bytes for the same report.
 */
import { describe, expect, it } from 'vitest';
import { EDGE_KINDS, MAX_ADDRESS_NODES, renderDiagram } from '../../src/report/html/diagram.js';
import { escapeHtml, html, safeHref } from '../../src/report/html/escape.js';
import { MAX_FINDINGS_PER_VERDICT, renderHtml } from '../../src/report/html/index.js';
import type { Report } from '../../src/report/model.js';
import { HOSTILE_NAMES, HOSTILE_URL, finding, manyOutsiders, sampleReport } from './html-sample.js';

const OPTIONS = { color: false };

const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'nav', 'main', 'section', 'h1', 'h2', 'h3', 'p', 'div', 'span', 'a', 'br', 'code',
  'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'svg', 'defs', 'marker', 'g', 'path', 'circle', 'rect', 'text', 'tspan',
]);

interface Tag { name: string; attrs: Map<string, string> }

/**
 * Every start tag of the page with its attributes. The renderer always double-quotes attribute
 * values and escapes `"` inside them, so this strict reading is exact; anything that is not a tag it
 * understands (a `<` followed by a letter that does not parse) fails the test.
 */
function readTags(page: string): Tag[] {
  const body = page.replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
  const tags: Tag[] = [];
  for (const m of body.matchAll(/<([a-zA-Z][^>]*)>/g)) {
    const inner = m[1]!;
    const parsed = /^([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*(?:="[^"<>]*")?)*)\s*\/?$/.exec(inner);
    expect(parsed, `unreadable tag <${inner}>`).not.toBeNull();
    const attrs = new Map<string, string>();
    for (const a of parsed![2]!.matchAll(/([a-zA-Z][a-zA-Z0-9:-]*)(?:="([^"]*)")?/g)) attrs.set(a[1]!.toLowerCase(), a[2] ?? '');
    tags.push({ name: parsed![1]!.toLowerCase(), attrs });
  }
  return tags;
}

const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml('plain 10.0.0.1:443')).toBe('plain 10.0.0.1:443');
    expect(escapeHtml('nul\u0000bell\u0007')).toBe('nul\uFFFDbell\uFFFD');
  });

  it('the html tag escapes interpolations, arrays included, and keeps its own markup', () => {
    expect(html`<b>${'<i>'}${['&', 1, null, false, undefined]}</b>`.value).toBe('<b>&lt;i&gt;&amp;1</b>');
  });

  it('safeHref allows only absolute http and https URLs', () => {
    expect(safeHref('https://example.com/a b?x="y"')).toBe('https://example.com/a%20b?x=%22y%22');
    expect(safeHref('http://example.com')).toBe('http://example.com/');
    for (const bad of [HOSTILE_URL, ' JavaScript:alert(1)', 'data:text/html,<script>', 'vbscript:x', '/relative', '//example.com', 'https://user:pw@example.com/', '', null]) {
      expect(safeHref(bad), String(bad)).toBeNull();
    }
  });
});

describe('renderHtml', () => {
  const report = sampleReport();
  const page = renderHtml(report, OPTIONS);
  const tags = readTags(page);

  it('is one HTML5 document with a strict Content-Security-Policy', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    const csp = tags.find((t) => t.name === 'meta' && t.attrs.get('http-equiv') === 'Content-Security-Policy');
    expect(csp?.attrs.get('content')).toContain("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    // The policy comes before the styles it governs.
    expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<style>'));
  });

  it('uses only known tags, no script, no event handlers, no src, no inline style attributes', () => {
    expect(page).not.toMatch(/<script/i);
    for (const tag of tags) {
      expect(ALLOWED_TAGS.has(tag.name), `unexpected element <${tag.name}>`).toBe(true);
      for (const name of tag.attrs.keys()) {
        expect(name.startsWith('on'), `event handler ${name} on <${tag.name}>`).toBe(false);
        expect(['src', 'srcset', 'style', 'action', 'formaction', 'xlink:href'].includes(name), `${name} on <${tag.name}>`).toBe(false);
      }
    }
    expect(page).not.toMatch(/url\((?!#fa-m-)/);
    expect(page).not.toMatch(/@import/);
  });

  it('links only to in-page anchors and to http(s) document URLs of flows', () => {
    const allowed = new Set(report.flows.map((f) => safeHref(f.document_url)).filter((u): u is string => u !== null));
    const hrefs = tags.filter((t) => t.attrs.has('href')).map((t) => unescape(t.attrs.get('href')!));
    expect(hrefs.filter((h) => !h.startsWith('#'))).not.toHaveLength(0);
    for (const href of hrefs) expect(href.startsWith('#') || allowed.has(href), href).toBe(true);
    expect(hrefs.some((h) => /javascript:/i.test(h))).toBe(false);
    // The citation of the flow with a javascript: URL is still shown, as text.
    expect(page).toContain(escapeHtml('Table 1 "row 9" <b>bold</b>'));
  });

  it('escapes every string from the data', () => {
    for (const name of HOSTILE_NAMES) {
      expect(page).toContain(escapeHtml(name));
      if (name.includes('<')) expect(page).not.toContain(name);
    }
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>bold');
    expect(page).not.toContain('<i>by the network');
    expect(page).toContain(escapeHtml('captures/gateway-<eth0>.pcapng.gz'));
    // Names reach the diagram too, escaped there as well.
    expect(renderDiagram(report)).toContain(escapeHtml(HOSTILE_NAMES[0]!));
  });

  it('has every section, verdict and flow status, and the baseline comparison', () => {
    for (const id of ['summary', 'diagram', 'flows', 'findings', 'traffic', 'baseline']) expect(page).toContain(`<section id="${id}">`);
    for (const v of ['documented', 'unexpected', 'denied', 'unanswered']) expect(page).toContain(`class="badge k-${v}"`);
    for (const s of ['observed', 'denied', 'unanswered', 'unobserved', 'not_covered']) expect(page).toContain(`class="badge k-${s}">${s.replace('_', ' ')}<`);
    for (const c of ['new', 'gone', 'unchanged']) expect(page).toContain(`<span class="ch ch-${c}">${c}</span>`);
    // Flows that changed status: previous → now.
    expect(page).toMatch(/<span class="badge k-unobserved">unobserved<\/span><span class="arrow">→<\/span><span class="badge k-observed">observed<\/span>/);
    expect(page).toMatch(/<span class="badge k-observed">observed<\/span><span class="arrow">→<\/span><span class="badge k-denied">denied<\/span>/);
    expect(page).toContain('new flow</span><span class="arrow">→</span><span class="badge k-not_covered">');
    expect(page).toContain('[2001:db8::99]:443');
    expect(page).toContain('<code>fd00:20:1::10</code>');
    expect(page).toContain('198.51.100.23 code 0');
    expect(page).toContain('249,990');
    expect(page).toContain('9.8 GB');
  });

  it('leaves the change column and baseline section out without a baseline', () => {
    const plain = renderHtml(sampleReport({ baseline: false }), OPTIONS);
    expect(plain).not.toContain('<section id="baseline">');
    expect(plain).not.toContain('<th>Change</th>');
    expect(plain).not.toContain('class="ch ');
  });

  it('is deterministic: the same report gives the same bytes', () => {
    expect(renderHtml(sampleReport(), OPTIONS)).toBe(page);
    expect(renderHtml(structuredClone(report), { color: true })).toBe(page);
  });

  it(`shows at most ${MAX_FINDINGS_PER_VERDICT} findings per verdict and says so`, () => {
    const big: Report = { ...sampleReport({ baseline: false }), findings: manyOutsiders(250) };
    const out = renderHtml(big, OPTIONS);
    const section = out.slice(out.indexOf('id="findings-unexpected"'), out.indexOf('id="findings-denied"'));
    expect(section.match(/<tr><td class="accent k-unexpected/g)).toHaveLength(MAX_FINDINGS_PER_VERDICT);
    expect(section).toContain(`Showing the first ${MAX_FINDINGS_PER_VERDICT} of 250 unexpected findings`);
  });

  it('renders an empty report', () => {
    const empty: Report = {
      ...sampleReport({ baseline: false }), inputs: [], flows: [], findings: [],
      summary: { connections: 0, documented: 0, unexpected: 0, denied: 0, unanswered: 0, flows: { observed: 0, denied: 0, unanswered: 0, unobserved: 0, not_covered: 0 } },
      traffic: { scans: [], rejected: [], admin_ports: [], top_talkers: [], top_pairs: [] },
    };
    const out = renderHtml(empty, OPTIONS);
    expect(out).toContain('No flows or findings to draw.');
    expect(out).toContain('No documented flows.');
    readTags(out);
  });
});

describe('renderDiagram', () => {
  const report = sampleReport();
  const svg = renderDiagram(report);
  const edges = readTags(svg).filter((t) => t.name === 'g' && t.attrs.get('class') === 'edge');

  it('draws an edge of every kind, each with a title', () => {
    expect(new Set(edges.map((e) => e.attrs.get('data-kind')))).toEqual(new Set(EDGE_KINDS));
    const groups = svg.split('<g class="edge"').slice(1);
    expect(groups).toHaveLength(edges.length);
    for (const g of groups) expect(g).toMatch(/^[^>]*><title>[^<]+<\/title><path /);
  });

  it('tells the kinds apart by stroke pattern and end marker, not colour alone', () => {
    const styles = EDGE_KINDS.map((kind) => {
      const g = svg.split(`<g class="edge" data-kind="${kind}"`)[1]!;
      const path = /<path ([^>]*)\/>/.exec(g)![1]!;
      return `${/stroke-dasharray="([^"]*)"/.exec(path)?.[1] ?? 'solid'} ${/marker-end="([^"]*)"/.exec(path)![1]}`;
    });
    const patterns = new Set(styles.map((s) => s.split(' url')[0]));
    const markers = new Set(styles.map((s) => s.split(' ').pop()));
    expect(new Set(styles).size).toBe(EDGE_KINDS.length);
    expect(patterns.size).toBeGreaterThanOrEqual(4);
    expect(markers.size).toBe(EDGE_KINDS.length);
    for (const kind of EDGE_KINDS) expect(svg).toContain(`data-legend="${kind}"`);
  });

  it('does not draw findings that are only in the baseline', () => {
    expect(svg).not.toContain('192.0.2.200');
    expect(renderHtml(report, OPTIONS)).toContain('192.0.2.200:25');
  });

  it('aggregates unexpected findings per node pair with ports and connection counts', () => {
    const toOutsider = svg.split('<g class="edge" data-kind="unexpected" data-from="gateway" data-to="198.51.100.23">')[1]!.split('</g>')[0]!;
    expect(toOutsider).toContain('icmp code 0 · tcp 4444 · 20 conn');
    expect(toOutsider).toContain('2 findings, 20 connections');
  });

  it(`folds addresses beyond ${MAX_ADDRESS_NODES} into one node`, () => {
    const crowd = renderDiagram({ ...report, findings: manyOutsiders(20) });
    expect(crowd.match(/data-role="address"/g)).toHaveLength(MAX_ADDRESS_NODES);
    expect(crowd).toContain('other addresses (8)');
    // The busiest addresses get their own node.
    expect(crowd).toContain('>198.18.0.1<');
    expect(crowd).not.toContain('>198.18.0.20<');
  });

  it('does not depend on the order of flows and findings', () => {
    const shuffled = { ...report, flows: [...report.flows].reverse(), findings: [...report.findings].reverse() };
    expect(renderDiagram(shuffled)).toBe(svg);
  });

  it('draws nodes for finding endpoints that no flow names', () => {
    const extra = renderDiagram({ ...report, findings: [...report.findings, finding({ verdict: 'unexpected', client_ip: '10.30.0.1', client_endpoint: 'batch', server_ip: '10.20.1.10', server_endpoint: 'gateway', server_port: 9443 })] });
    expect(extra).toContain('<title>batch (inventory endpoint)</title>');
  });
});

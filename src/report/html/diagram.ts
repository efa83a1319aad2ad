/**
 * The flow diagram of the HTML report: one inline <svg>. Nodes (inventory endpoints sorted by
 * name, then addresses outside the inventory by address) are bars: in the client column (left)
 * when they start traffic, in the server column (right) when they receive it; edges run
 * left to right: documented flows by status and unexpected traffic aggregated per (client node,
 * server node), each on its own attachment slot of both bars, labels slid along the edge until they
 * do not overlap. Every edge kind differs by stroke
 * pattern and end marker as well as colour, carries data-kind and a <title>. No randomness, no
 * clock: the same report gives the same bytes. Findings only in the baseline (change "gone") are
 * not drawn: the diagram shows this run.
 */
import type { FlowStatus, Report } from '../model.js';
import { isIcmpName } from '../proto-names.js';
import { statusLabel } from '../text.js';
import { html, join, raw, type SafeHtml } from './escape.js';
import { KIND_COLOUR } from './style.js';

export type EdgeKind = FlowStatus | 'unexpected';
/** Drawing and legend order. */
export const EDGE_KINDS: readonly EdgeKind[] = ['observed', 'unexpected', 'denied', 'unanswered', 'unobserved', 'not_covered'];

/** At most this many addresses outside the inventory get a node; the rest share one. */
export const MAX_ADDRESS_NODES = 12;
const NO_ADDRESS = '(no address)';

interface Stroke { width: number; dash: string | null; marker: 'arrow' | 'open' | 'tee' | 'ring'; text: string }
const STROKE: Record<EdgeKind, Stroke> = {
  observed: { width: 2, dash: null, marker: 'arrow', text: 'observed: documented flow seen' },
  unexpected: { width: 2.5, dash: '8 4', marker: 'arrow', text: 'unexpected: no flow documents it' },
  denied: { width: 2, dash: null, marker: 'tee', text: 'denied: documented flow, rejected' },
  unanswered: { width: 2, dash: '2 4', marker: 'open', text: 'unanswered: documented flow, no reply' },
  unobserved: { width: 1.5, dash: '12 4 2 4', marker: 'open', text: 'unobserved: documented, never seen' },
  not_covered: { width: 1.25, dash: '1 5', marker: 'ring', text: 'not covered: the data could not see it' },
};
const TEXT_COLOUR: Record<EdgeKind, string> = { ...KIND_COLOUR, not_covered: '#6e7781' };

type Role = 'endpoint' | 'address' | 'other';
interface Node { key: string; label: string; sub: string | null; role: Role; title: string; yl: number; yr: number; outs: Edge[]; ins: Edge[] }
interface Edge { from: string; to: string; kind: EdgeKind; ports: Map<string, Set<string>>; connections: number; flows: number; details: string[]; y1: number; y2: number }

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const f1 = (v: number): string => String(Math.round(v * 10) / 10);
const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function portOrder(a: string, b: string): number {
  const na = Number.parseInt(a, 10), nb = Number.parseInt(b, 10);
  if (Number.isNaN(na) || Number.isNaN(nb)) return Number.isNaN(na) === Number.isNaN(nb) ? cmp(a, b) : Number.isNaN(na) ? 1 : -1;
  return na - nb || cmp(a, b);
}

/** "tcp 443, 3000 · udp 53", at most `max` ports per protocol. */
function portsText(ports: Map<string, Set<string>>, max = 3): string {
  return [...ports.keys()].sort(cmp).map((proto) => {
    const list = [...ports.get(proto)!].sort(portOrder);
    const shown = list.slice(0, max).join(', ') + (list.length > max ? ` +${list.length - max}` : '');
    return proto ? `${proto} ${shown}` : shown;
  }).join(' · ');
}

/** Rules name inventory endpoints, but also `any`, CIDRs and host names, drawn as they are written. */
function endpointTitle(name: string): string {
  if (name === 'any') return 'any: every address';
  return /[./:*]/.test(name) ? `${name} (as the rule writes it)` : `${name} (inventory endpoint)`;
}

function buildGraph(report: Report): { nodes: Node[]; edges: Edge[] } {
  const current = report.findings.filter((f) => f.change !== 'gone');
  const endpoints = new Set<string>();
  for (const flow of report.flows) for (const name of [...flow.from, ...flow.to]) endpoints.add(name);
  for (const f of current) {
    if (f.client_endpoint !== null) endpoints.add(f.client_endpoint);
    if (f.server_endpoint !== null) endpoints.add(f.server_endpoint);
  }
  const unexpected = current.filter((f) => f.verdict === 'unexpected');
  const addresses = new Map<string, { connections: number; names: Set<string> }>();
  const bump = (ip: string | null, connections: number, names: readonly string[]): void => {
    const key = ip ?? NO_ADDRESS;
    const entry = addresses.get(key) ?? { connections: 0, names: new Set<string>() };
    entry.connections += connections;
    for (const name of names) entry.names.add(name);
    addresses.set(key, entry);
  };
  for (const f of unexpected) {
    if (f.client_endpoint === null) bump(f.client_ip, f.connections, f.client_names);
    if (f.server_endpoint === null) bump(f.server_ip, f.connections, f.server_names);
  }
  const ranked = [...addresses].sort((a, b) => b[1].connections - a[1].connections || cmp(a[0], b[0]));
  const shown = new Set(ranked.slice(0, MAX_ADDRESS_NODES).map(([ip]) => ip));
  const folded = ranked.slice(MAX_ADDRESS_NODES);

  const nodes: Node[] = [...endpoints].sort(cmp).map((name) => ({
    key: `e:${name}`, label: clip(name, 28), sub: null, role: 'endpoint' as Role, title: endpointTitle(name), yl: 0, yr: 0, outs: [], ins: [],
  }));
  for (const ip of [...shown].sort(cmp)) {
    const { names: nameSet, connections: conn } = addresses.get(ip)!;
    const names = [...nameSet].sort(cmp);
    nodes.push({
      key: `a:${ip}`, label: clip(ip, 28), sub: names.length ? clip(names[0]! + (names.length > 1 ? ` +${names.length - 1}` : ''), 30) : null, role: 'address',
      title: `${ip} (outside the inventory), ${plural(conn, 'unexpected connection')}${names.length ? `\nnames: ${names.slice(0, 10).join(', ')}` : ''}`, yl: 0, yr: 0, outs: [], ins: [],
    });
  }
  if (folded.length) {
    const list = folded.slice(0, 20).map(([ip]) => ip).join(', ') + (folded.length > 20 ? `, +${folded.length - 20} more` : '');
    nodes.push({ key: 'o:', label: `other addresses (${folded.length})`, sub: null, role: 'other', title: `Addresses outside the inventory not drawn one by one: ${list}`, yl: 0, yr: 0, outs: [], ins: [] });
  }
  const addressKey = (ip: string | null): string => (shown.has(ip ?? NO_ADDRESS) ? `a:${ip ?? NO_ADDRESS}` : 'o:');

  const edges = new Map<string, Edge>();
  const edge = (from: string, to: string, kind: EdgeKind): Edge => {
    const key = `${from}\u0000${to}\u0000${kind}`;
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { from, to, kind, ports: new Map(), connections: 0, flows: 0, details: [], y1: 0, y2: 0 }));
    return e;
  };
  const addPort = (e: Edge, proto: string, port: string): void => {
    const set = e.ports.get(proto) ?? new Set<string>();
    set.add(port);
    e.ports.set(proto, set);
  };
  for (const flow of report.flows) {
    for (const from of flow.from) for (const to of flow.to) {
      const e = edge(`e:${from}`, `e:${to}`, flow.status);
      e.flows += 1;
      e.connections += flow.connections;
      for (const proto of flow.protocols.length ? flow.protocols : ['']) for (const port of flow.ports.length ? flow.ports : ['any port']) addPort(e, proto, port);
      e.details.push(`${flow.id}: ${flow.title} (${plural(flow.connections, 'connection')})`);
    }
  }
  for (const f of unexpected) {
    const from = f.client_endpoint !== null ? `e:${f.client_endpoint}` : addressKey(f.client_ip);
    const to = f.server_endpoint !== null ? `e:${f.server_endpoint}` : addressKey(f.server_ip);
    const e = edge(from, to, 'unexpected');
    e.flows += 1;
    e.connections += f.connections;
    const icmp = isIcmpName(f.proto);
    addPort(e, f.proto, f.server_port === null ? '-' : icmp ? `code ${f.server_port}` : String(f.server_port));
    e.details.push(`${f.proto} ${f.client_ip ?? '?'} → ${f.server_ip ?? '?'}${f.server_port === null ? '' : icmp ? ` code ${f.server_port}` : `:${f.server_port}`} (${plural(f.connections, 'connection')})`);
  }
  const order = (e: Edge): number => EDGE_KINDS.indexOf(e.kind);
  const index = new Map(nodes.map((n, i) => [n.key, i]));
  const sorted = [...edges.values()].sort((a, b) => index.get(a.from)! - index.get(b.from)! || index.get(a.to)! - index.get(b.to)! || order(a) - order(b));
  return { nodes, edges: sorted };
}

function marker(kind: EdgeKind): SafeHtml {
  const c = KIND_COLOUR[kind];
  const id = `fa-m-${kind}`;
  switch (STROKE[kind].marker) {
    case 'arrow':
      return html`<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`;
    case 'open':
      return html`<marker id="${id}" viewBox="0 0 12 12" refX="10" refY="6" markerWidth="11" markerHeight="11" markerUnits="userSpaceOnUse" orient="auto"><path d="M1,1 L10,6 L1,11" fill="none" stroke="${c}" stroke-width="1.6"/></marker>`;
    case 'tee':
      return html`<marker id="${id}" viewBox="0 0 12 14" refX="10" refY="7" markerWidth="12" markerHeight="14" markerUnits="userSpaceOnUse" orient="auto"><path d="M1,2 L8,7 L1,12 z" fill="${c}"/><path d="M10.5,0 V14" stroke="${c}" stroke-width="3"/></marker>`;
    case 'ring':
      return html`<marker id="${id}" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><circle cx="5" cy="5" r="3.5" fill="#fff" stroke="${c}" stroke-width="1.5"/></marker>`;
  }
}

function strokeAttrs(kind: EdgeKind): SafeHtml {
  const s = STROKE[kind];
  return html`fill="none" stroke="${KIND_COLOUR[kind]}" stroke-width="${s.width}"${s.dash ? html` stroke-dasharray="${s.dash}"` : ''} stroke-linecap="round" marker-end="url(#fa-m-${kind})"`;
}

const BAR_W = 8;
/** Vertical distance between the edges attached to one bar. */
const SLOT = 9;
const ROW_GAP = 18;
const SPAN = 560;
const TOP = 56;
const LEGEND_W = 660;
/** Estimated text widths (no font metrics in a pure function): node labels at 12.5px, edge labels at 11px. */
const NODE_CHAR = 7.2;
const EDGE_CHAR = 6.2;

const nodeName = (n: Node): string => (n.role === 'other' ? n.label : n.key.slice(2));
/** Clients, and nodes without any edge, are drawn in the left column; servers in the right one. */
const inLeftColumn = (n: Node): boolean => n.outs.length > 0 || n.ins.length === 0;
/** A bar holds one slot per edge attached to it. */
const barHeight = (edges: number): number => Math.max(1, edges) * SLOT + 6;

function bar(n: Node, x: number, y: number, count: number): SafeHtml {
  const h = barHeight(count);
  const fill = n.role === 'endpoint' ? '#24292f' : '#fff';
  const dash = n.role === 'other' ? ' stroke-dasharray="3 2"' : '';
  return html`<rect x="${f1(x)}" y="${f1(y - h / 2)}" width="${BAR_W}" height="${f1(h)}" rx="2" fill="${fill}" stroke="#24292f" stroke-width="1.5"${raw(dash)}/>`;
}

function nodeLabel(n: Node, x: number, ny: number, anchor: 'start' | 'end'): SafeHtml {
  const y = ny + (n.sub ? -2 : 4);
  const sub = n.sub ? html`<tspan x="${f1(x)}" dy="14" font-size="11" font-weight="400" fill="#59636e">${n.sub}</tspan>` : '';
  return html`<text x="${f1(x)}" y="${f1(y)}" text-anchor="${anchor}" font-size="12.5" font-weight="600" fill="#1f2328">${n.label}${sub}</text>`;
}

function drawNode(n: Node, leftX: number, rightX: number): SafeHtml {
  const parts: SafeHtml[] = [];
  if (inLeftColumn(n)) parts.push(bar(n, leftX, n.yl, n.outs.length), nodeLabel(n, leftX - 8, n.yl, 'end'));
  if (n.ins.length) parts.push(bar(n, rightX, n.yr, n.ins.length), nodeLabel(n, rightX + BAR_W + 8, n.yr, 'start'));
  return html`<g class="node" data-role="${n.role}"><title>${n.title}</title>${parts}</g>`;
}

type Box = { x: number; y: number; w: number; h: number };
const overlap = (a: Box, b: Box): number => Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
const TRIES = [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82];

function drawEdge(e: Edge, a: Node, b: Node, x1: number, x2: number, placed: Box[]): SafeHtml {
  const c = (x2 - x1) * 0.5;
  const d = e.y1 === e.y2 ? `M${f1(x1)},${f1(e.y1)} H${f1(x2)}` : `M${f1(x1)},${f1(e.y1)} C${f1(x1 + c)},${f1(e.y1)} ${f1(x2 - c)},${f1(e.y2)} ${f1(x2)},${f1(e.y2)}`;
  const at = (t: number): { x: number; y: number } => {
    const u = 1 - t, k0 = u * u * u, k1 = 3 * u * u * t, k2 = 3 * u * t * t, k3 = t * t * t;
    return { x: k0 * x1 + k1 * (x1 + c) + k2 * (x2 - c) + k3 * x2, y: (k0 + k1) * e.y1 + (k2 + k3) * e.y2 };
  };
  const conn = e.kind === 'unobserved' || e.kind === 'not_covered' ? '' : ` · ${e.connections} conn`;
  const prefix = e.kind === 'observed' ? '' : `${statusLabel(e.kind)} · `;
  const text = clip(`${prefix}${portsText(e.ports)}${conn}`, 48);
  const w = text.length * EDGE_CHAR + 6, h = 14;
  let best: Box | null = null, bestCost = Infinity;
  for (const t of TRIES) {
    const p = at(t);
    const box = { x: p.x - w / 2, y: p.y - h / 2, w, h };
    if (box.x < x1 + 4 || box.x + w > x2 - 4) continue;
    const cost = placed.reduce((sum, other) => sum + overlap(box, other), 0);
    if (cost < bestCost) [best, bestCost] = [box, cost];
    if (cost === 0) break;
  }
  best ??= { x: at(0.5).x - w / 2, y: at(0.5).y - h / 2, w, h };
  placed.push(best);
  const what = e.kind === 'unexpected' ? plural(e.flows, 'finding') : plural(e.flows, 'documented flow');
  const details = [...e.details].sort(cmp);
  const shown = details.slice(0, 12).join('\n') + (details.length > 12 ? `\n… +${details.length - 12} more` : '');
  const title = `${statusLabel(e.kind)}: ${nodeName(a)} → ${nodeName(b)}\n${what}, ${plural(e.connections, 'connection')}\n${portsText(e.ports, 20)}\n${shown}`;
  return html`<g class="edge" data-kind="${e.kind}" data-from="${nodeName(a)}" data-to="${nodeName(b)}"><title>${title}</title><path d="${d}" ${strokeAttrs(e.kind)}/><text x="${f1(best.x + w / 2)}" y="${f1(best.y + h / 2 + 4)}" text-anchor="middle" font-size="11" fill="${TEXT_COLOUR[e.kind]}" stroke="#fff" stroke-width="3.5" stroke-linejoin="round" paint-order="stroke">${text}</text></g>`;
}

function legend(x0: number, y0: number): SafeHtml {
  const items = EDGE_KINDS.map((kind, i) => {
    const x = x0 + (i % 2) * 330, y = y0 + Math.floor(i / 2) * 22;
    return html`<g data-legend="${kind}"><path d="M${x},${y} H${x + 46}" ${strokeAttrs(kind)}/><text x="${x + 56}" y="${y + 4}" font-size="12" fill="#1f2328">${STROKE[kind].text}</text></g>`;
  });
  const y = y0 + 3 * 22;
  const swatch = (x: number, fill: string): SafeHtml => html`<rect x="${x + 19}" y="${y - 8}" width="${BAR_W}" height="16" rx="2" fill="${fill}" stroke="#24292f" stroke-width="1.5"/>`;
  return html`<g class="legend"><text x="${x0}" y="${y0 - 20}" font-size="12" font-weight="600" fill="#1f2328">Legend</text>${items}
<g data-legend="nodes">${swatch(x0, '#24292f')}<text x="${x0 + 56}" y="${y + 4}" font-size="12" fill="#1f2328">inventory endpoint</text>${swatch(x0 + 330, '#fff')}<text x="${x0 + 386}" y="${y + 4}" font-size="12" fill="#1f2328">address outside the inventory</text></g></g>`;
}

/** The diagram as an inline <svg> element. */
export function renderDiagram(report: Report): string {
  const { nodes, edges } = buildGraph(report);
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  // The edges come sorted by client node, server node and kind, so each node's outs and ins are in
  // slot order as they are pushed.
  for (const e of edges) {
    byKey.get(e.from)!.outs.push(e);
    byKey.get(e.to)!.ins.push(e);
  }
  // Two columns, each packed in node order: clients (and nodes without edges) left, servers right.
  const lefts = nodes.filter(inLeftColumn);
  const rights = nodes.filter((n) => n.ins.length > 0);
  const stack = (column: Node[], count: (n: Node) => number, set: (n: Node, y: number) => void): number => {
    let top = 0;
    for (const n of column) {
      const h = Math.max(barHeight(count(n)), n.sub ? 32 : 18);
      set(n, top + h / 2);
      top += h + ROW_GAP;
    }
    return Math.max(0, top - ROW_GAP);
  };
  const leftH = stack(lefts, (n) => n.outs.length, (n, y) => (n.yl = y));
  const rightH = stack(rights, (n) => n.ins.length, (n, y) => (n.yr = y));
  const columnH = Math.max(leftH, rightH);
  for (const n of lefts) n.yl += TOP + (columnH - leftH) / 2;
  for (const n of rights) n.yr += TOP + (columnH - rightH) / 2;
  for (const n of nodes) {
    n.outs.forEach((e, i) => (e.y1 = n.yl + (i - (n.outs.length - 1) / 2) * SLOT));
    n.ins.forEach((e, i) => (e.y2 = n.yr + (i - (n.ins.length - 1) / 2) * SLOT));
  }
  const top = TOP + columnH + ROW_GAP;
  const labelWidth = (list: Node[]): number => list.reduce((m, n) => Math.max(m, n.label.length * NODE_CHAR, (n.sub?.length ?? 0) * 6.4), 60) + 16;
  const leftW = labelWidth(lefts);
  const rightW = labelWidth(rights);
  const inner = leftW + BAR_W + SPAN + BAR_W + rightW;
  const pad = Math.max(16, (LEGEND_W + 40 - inner) / 2);
  const width = Math.ceil(inner + 2 * pad);
  const leftX = pad + leftW, rightX = leftX + BAR_W + SPAN;
  const legendY = top + 40;
  const height = Math.ceil(legendY + 4 * 22 + 4);

  const placed: Box[] = [];
  const drawn = edges.map((e) => drawEdge(e, byKey.get(e.from)!, byKey.get(e.to)!, leftX + BAR_W + 1, rightX - 1, placed));
  const heads = html`<text x="${f1(leftX + BAR_W / 2)}" y="24" text-anchor="middle" font-size="12" font-weight="600" fill="#59636e">clients (start the connection)</text><text x="${f1(rightX + BAR_W / 2)}" y="24" text-anchor="middle" font-size="12" font-weight="600" fill="#59636e">servers</text>`;
  const body = nodes.length === 0
    ? html`<text x="${f1(width / 2)}" y="${TOP + 10}" text-anchor="middle" font-size="14" fill="#59636e">No flows or findings to draw.</text>`
    : html`${heads}\n<g class="edges">${join(drawn, raw('\n'))}</g>\n<g class="nodes">${join(nodes.map((n) => drawNode(n, leftX, rightX)), raw('\n'))}</g>`;
  const counts = EDGE_KINDS.map((k) => `${edges.filter((e) => e.kind === k).length} ${statusLabel(k)}`).join(', ');
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram" role="img" aria-labelledby="fa-diagram-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<title id="fa-diagram-title">Flow diagram: ${plural(nodes.length, 'node')}; edges: ${counts}</title>
<defs>${EDGE_KINDS.map(marker)}</defs>
${body}
${legend((width - LEGEND_W) / 2 + 10, legendY)}
</svg>`.value;
}

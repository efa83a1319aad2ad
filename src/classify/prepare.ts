/**
 * Rules + inventory + params → the tables the classifier's SQL joins: endpoint bindings, selector
 * terms, address segments, flow rows and one description per flow. Pure: no database here.
 *
 * `compileRules` gives one row per rule × direction × client binding × server binding × protocol ×
 * port range. With a large inventory that is a cross product (an inventory of 1,000 CIDRs makes a
 * million rows from the shipped packs), although every binding of one endpoint behaves alike. So
 * the rows are compiled in two parts with the same compiler:
 * - the packs against a stand-in inventory that binds each inventory endpoint to one placeholder:
 *   every row side then names its endpoint once, and rows collapse to one per endpoint pair;
 * - the real inventory through one synthetic rule per endpoint (`endpoint → any`): the client sides
 *   of its rows are exactly what compileRules binds that endpoint to — carved CIDRs, selectors, hosts.
 * Joined on the endpoint, the two give the same matches as compileRules with the real inventory
 * (test/classify/equivalence.test.ts holds them against the in-memory matcher).
 */
import { citationText } from '../rules/citation.js';
import { compileRules } from '../rules/compile.js';
import { endpointRefText } from '../rules/endpoint-ref.js';
import { resolveParams } from '../rules/params.js';
import type { ResolvedParam } from '../rules/params.js';
import { formatPortRange } from '../rules/ports.js';
import type {
  CidrBlock,
  CompiledSide,
  Inventory,
  LabelExpression,
  LoadedRules,
  Rule,
  RulePack,
  SourceLocation,
} from '../rules/types.js';
import { segmentIntervals } from './segments.js';
import type { Segment } from './segments.js';

/** One row of endpoint_bindings: a side an endpoint stands for. */
export interface BindingRow {
  bindingId: number;
  /** The endpoint flow_rows names: `inventory:NAME`, `pack:PACK/NAME`, `cidr:TEXT`, `host:NAME` or `any`. */
  endpointKey: string;
  endpoint: string;
  origin: CompiledSide['origin'];
  kind: CompiledSide['kind'];
  family: 4 | 6 | null;
  lo: bigint | null;
  hi: bigint | null;
  host: string | null;
  namespace: string | null;
  labels: string | null;
  expressions: string | null;
}

/** One requirement of a Kubernetes selector; a label `key: value` is `key In [value]`. */
export interface SelectorTermRow {
  bindingId: number;
  key: string;
  operator: LabelExpression['operator'];
  values: string[];
}

/** One row of flow_rows: a documented flow between two endpoints, with one protocol and port range. */
export interface FlowRow {
  flow: string;
  direction: 'forward' | 'reverse';
  proto: number | null;
  portLo: number | null;
  portHi: number | null;
  clientEndpoint: string;
  serverEndpoint: string;
}

/** What flow_status says about a flow besides its status. */
export interface FlowMeta {
  flow: string;
  pack: string;
  ruleId: string;
  title: string;
  from: string[];
  to: string[];
  direction: Rule['direction'];
  protocols: string[];
  ports: string[];
  requirement: string;
  security: string[];
  citation: string;
  documentUrl: string | null;
  vague: string | null;
  unresolved: string[];
  /** Whether some row of the flow can match a connection. */
  bound: boolean;
}

export interface ClassifyTables {
  bindings: BindingRow[];
  terms: SelectorTermRow[];
  segments: Segment[];
  flowRows: FlowRow[];
  flows: FlowMeta[];
  params: ResolvedParam[];
}

export const ANY_ENDPOINT = 'any';

export function prepareTables(rules: LoadedRules, inventory: Inventory | null, cliParams: Readonly<Record<string, string>>): ClassifyTables {
  const params = resolveParams(rules.params, inventory, cliParams);
  const bindings = new BindingSet();
  // Every inventory endpoint is bound, referenced by a rule or not: its name labels connections.
  if (inventory) {
    const real = compileRules(endpointRules(inventory), { ...inventory, params: new Map() });
    for (const row of real.rows) bindings.add(`inventory:${row.client.endpoint}`, row.client);
  }
  const compiled = compileRules(rules, inventory ? standIn(inventory) : null, cliParams);
  const packOf = new Map<string, string>(rules.packs.flatMap((pack) => pack.rules.map((rule): [string, string] => [`${pack.id}/${rule.id}`, pack.id])));

  const keyOf = (flow: string, side: CompiledSide): string => {
    const key = endpointKey(packOf.get(flow)!, side);
    if (side.origin !== 'inventory') bindings.add(key, side);
    return key;
  };
  const rowKeys = new Set<string>();
  const flowRows: FlowRow[] = [];
  for (const row of compiled.rows) {
    const flowRow: FlowRow = {
      flow: row.flow,
      direction: row.direction,
      proto: row.proto,
      portLo: row.port_lo,
      portHi: row.port_hi,
      clientEndpoint: keyOf(row.flow, row.client),
      serverEndpoint: keyOf(row.flow, row.server),
    };
    const key = JSON.stringify(flowRow);
    if (rowKeys.has(key)) continue;
    rowKeys.add(key);
    flowRows.push(flowRow);
  }

  const boundFlows = new Set(flowRows.filter((r) => bindings.has(r.clientEndpoint) && bindings.has(r.serverEndpoint)).map((r) => r.flow));
  const flows = compiled.flows.map((f): FlowMeta => {
    const rule = f.rule;
    return {
      flow: f.flow,
      pack: f.pack,
      ruleId: rule.id,
      title: rule.title,
      from: rule.from.map(endpointRefText),
      to: rule.to.map(endpointRefText),
      direction: rule.direction,
      protocols: [...rule.protocols],
      ports: f.ports,
      requirement: rule.requirement.kind === 'conditional' ? `when ${rule.requirement.condition}` : rule.requirement.kind,
      security: [...rule.security],
      citation: `${f.document.file} (${f.document.title}): ${rule.citations.map(citationText).join('; ')}`,
      documentUrl: f.document.url,
      vague: rule.vague,
      unresolved: f.unresolved,
      bound: boundFlows.has(f.flow),
    };
  });

  const all = bindings.rows();
  const segments = segmentIntervals(
    all.filter((b) => b.kind === 'cidr').map((b) => ({ family: b.family!, lo: b.lo!, hi: b.hi!, binding: b.bindingId })),
  );
  return { bindings: all, terms: bindings.terms(), segments, flowRows, flows, params: [...params.values()] };
}

/** The endpoint a compiled side belongs to; sides of one key always come as a whole. */
function endpointKey(pack: string, side: CompiledSide): string {
  switch (side.origin) {
    case 'inventory':
      return `inventory:${side.endpoint}`;
    case 'pack':
      return `pack:${pack}/${side.endpoint}`;
    case 'rule':
      return side.kind === 'any' ? ANY_ENDPOINT : `${side.kind}:${side.endpoint}`;
  }
}

class BindingSet {
  private readonly byContent = new Map<string, BindingRow>();
  private readonly selectors = new Map<number, CompiledSide>();
  private readonly keys = new Set<string>();

  add(endpointKey: string, side: CompiledSide): void {
    const content = JSON.stringify([endpointKey, side.kind, side.family, side.lo?.toString() ?? null, side.hi?.toString() ?? null, side.host, side.namespace, side.labels, side.expressions]);
    this.keys.add(endpointKey);
    if (this.byContent.has(content)) return;
    const bindingId = this.byContent.size + 1;
    this.byContent.set(content, {
      bindingId,
      endpointKey,
      endpoint: side.endpoint,
      origin: side.origin,
      kind: side.kind,
      family: side.family,
      lo: side.lo,
      hi: side.hi,
      host: side.host,
      namespace: side.namespace,
      labels: side.labels === null ? null : JSON.stringify(side.labels),
      expressions: side.expressions === null ? null : JSON.stringify(side.expressions),
    });
    if (side.kind === 'k8s') this.selectors.set(bindingId, side);
  }

  has(endpointKey: string): boolean {
    return this.keys.has(endpointKey);
  }

  rows(): BindingRow[] {
    return [...this.byContent.values()];
  }

  terms(): SelectorTermRow[] {
    return [...this.selectors].flatMap(([bindingId, side]) => [
      ...Object.entries(side.labels ?? {}).map(([key, value]): SelectorTermRow => ({ bindingId, key, operator: 'In', values: [value] })),
      ...(side.expressions ?? []).map((e): SelectorTermRow => ({ bindingId, key: e.key, operator: e.operator, values: [...e.values] })),
    ]);
  }
}

const NOWHERE: SourceLocation = { file: '(inventory endpoints)', line: 1, column: 1 };

/** One rule per inventory endpoint, `endpoint → any`, so compileRules reports how it binds each. */
function endpointRules(inventory: Inventory): LoadedRules {
  const rules = inventory.endpoints.map(
    (e): Rule => ({
      id: e.name,
      title: e.name,
      from: [{ kind: 'name', name: e.name }],
      to: [{ kind: 'any' }],
      protocols: ['any'],
      ports: { kind: 'any' },
      direction: 'one-way',
      requirement: { kind: 'required' },
      security: [],
      citations: [],
      vague: null,
      notes: null,
      location: e.location,
    }),
  );
  const pack: RulePack = {
    id: 'inventory',
    title: 'inventory endpoints',
    source: 'pack',
    document: { title: 'inventory', file: inventory.file, vendor: null, url: null },
    params: [],
    endpoints: [],
    rules,
    file: inventory.file,
    location: NOWHERE,
  };
  return { packs: [pack], params: new Map(), files: [inventory.file] };
}

const PLACEHOLDER: CidrBlock = { text: '::/128', family: 6, prefix: 128, start: 0n, end: 0n };

/** The inventory with each endpoint bound to one placeholder address: names and params as they are. */
function standIn(inventory: Inventory): Inventory {
  return { ...inventory, endpoints: inventory.endpoints.map((e) => ({ ...e, cidrs: [PLACEHOLDER], except: [], k8s: [], hosts: [] })) };
}

/** A resolved param as text: `3000`, `30000-32767,443`, or null when nothing gives it a value. */
export function paramText(param: ResolvedParam): string | null {
  return param.value === null ? null : param.value.map(formatPortRange).join(',');
}

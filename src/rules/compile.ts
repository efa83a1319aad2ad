/**
 * Rules + inventory + params → flat rows, one per rule × direction × endpoint binding × protocol ×
 * port range: a table the classifier can load into DuckDB and join connections against with plain
 * comparisons, and the in-memory matcher reads as is.
 */
import { subtractIntervals } from './cidr.js';
import type { AddressInterval } from './cidr.js';
import { resolveParams } from './params.js';
import type { ResolvedParam } from './params.js';
import { formatPortRange, hasPorts, protocolNumber } from './ports.js';
import type {
  CompiledRules,
  CompiledSide,
  EndpointBinding,
  EndpointRef,
  Inventory,
  LoadedRules,
  PortRange,
  Rule,
  RulePack,
} from './types.js';

export function compileRules(rules: LoadedRules, inventory: Inventory | null, cliParams: Readonly<Record<string, string>> = {}): CompiledRules {
  const params = resolveParams(rules.params, inventory, cliParams);
  const inventorySides = inventoryBindings(inventory);
  const identities = (inventory?.endpoints ?? []).flatMap((e) => e.k8s.map((s) => ({ endpoint: e.name, namespace: s.namespace, labels: s.labels, expressions: s.expressions })));
  const out: CompiledRules = { rows: [], flows: [], identities };
  for (const pack of rules.packs) {
    for (const rule of pack.rules) compileRule(pack, rule, inventorySides, params, out);
  }
  return out;
}

function compileRule(pack: RulePack, rule: Rule, inventorySides: ReadonlyMap<string, CompiledSide[]>, params: ReadonlyMap<string, ResolvedParam>, out: CompiledRules): void {
  const flow = `${pack.id}/${rule.id}`;
  const unresolved: string[] = [];
  const sidesOf = (refs: readonly EndpointRef[]): CompiledSide[] => refs.flatMap((ref) => refSides(pack, ref, inventorySides, unresolved));
  const clients = sidesOf(rule.from);
  const servers = sidesOf(rule.to);
  const ranges = portRanges(rule, params, unresolved);
  const rowsBefore = out.rows.length;

  const directions: ['forward' | 'reverse', CompiledSide[], CompiledSide[]][] = [['forward', clients, servers]];
  if (rule.direction === 'both-ways') directions.push(['reverse', servers, clients]);
  for (const protocol of rule.protocols) {
    const proto = protocolNumber(protocol);
    // null: any port (or none to filter on); an empty list: no port has a value yet, so no rows.
    const portsFor: (PortRange | null)[] = !hasPorts(protocol) || ranges === null ? [null] : ranges;
    for (const [direction, from, to] of directions) {
      for (const client of from) {
        for (const server of to) {
          for (const range of portsFor) {
            out.rows.push({ flow, direction, client, server, proto, port_lo: range?.lo ?? null, port_hi: range?.hi ?? null });
          }
        }
      }
    }
  }
  const ports = ranges === null ? [] : ranges.map(formatPortRange);
  out.flows.push({ flow, pack: pack.id, rule, document: pack.document, ports, bound: out.rows.length > rowsBefore, unresolved: [...new Set(unresolved)] });
}

/** The rule's port ranges; null means any port. Params without a value add to `unresolved`. */
function portRanges(rule: Rule, params: ReadonlyMap<string, ResolvedParam>, unresolved: string[]): PortRange[] | null {
  switch (rule.ports.kind) {
    case 'any':
    case 'none':
      return null;
    case 'list': {
      const ranges: PortRange[] = [];
      for (const spec of rule.ports.specs) {
        switch (spec.kind) {
          case 'single':
            ranges.push({ lo: spec.port, hi: spec.port });
            break;
          case 'range':
            ranges.push({ lo: spec.lo, hi: spec.hi });
            break;
          case 'param': {
            const value = params.get(spec.param)?.value ?? null;
            if (value === null) unresolved.push(`param ${spec.param} has no value${rule.vague ? ` (${rule.vague})` : ''}; set it with --param ${spec.param}=PORT or in the inventory`);
            else ranges.push(...value);
            break;
          }
        }
      }
      return dedupeRanges(ranges);
    }
  }
}

function dedupeRanges(ranges: readonly PortRange[]): PortRange[] {
  const seen = new Set<string>();
  return ranges.filter((r) => {
    const key = `${r.lo}-${r.hi}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function refSides(pack: RulePack, ref: EndpointRef, inventorySides: ReadonlyMap<string, CompiledSide[]>, unresolved: string[]): CompiledSide[] {
  switch (ref.kind) {
    case 'any':
      return [side('any', 'rule', { kind: 'any' })];
    case 'cidr':
      return [side(ref.cidr.text, 'rule', { kind: 'cidr', family: ref.cidr.family, lo: ref.cidr.start, hi: ref.cidr.end })];
    case 'host':
      return [side(ref.host, 'rule', { kind: 'host', host: ref.host })];
    case 'name': {
      const fromInventory = inventorySides.get(ref.name);
      if (fromInventory) return fromInventory;
      const fromPack = pack.endpoints.find((e) => e.name === ref.name);
      const sides = fromPack ? bindingSides(fromPack, 'pack', []) : [];
      if (sides.length === 0) {
        const why = fromPack?.description ? ` (${fromPack.description})` : '';
        unresolved.push(`endpoint ${ref.name} is not bound${why}; add it to the inventory's endpoints`);
      }
      return sides;
    }
  }
}

function side(endpoint: string, origin: CompiledSide['origin'], fields: Partial<CompiledSide> & Pick<CompiledSide, 'kind'>): CompiledSide {
  return { endpoint, origin, family: null, lo: null, hi: null, host: null, namespace: null, labels: null, expressions: null, ...fields };
}

/**
 * Inventory endpoints as sides. Where one endpoint's CIDR holds another endpoint's longer prefix,
 * the longer prefix wins: those addresses are carved out of the shorter one.
 */
function inventoryBindings(inventory: Inventory | null): Map<string, CompiledSide[]> {
  const sides = new Map<string, CompiledSide[]>();
  if (!inventory) return sides;
  for (const endpoint of inventory.endpoints) {
    const moreSpecific: AddressInterval[] = [];
    for (const other of inventory.endpoints) {
      if (other === endpoint) continue;
      for (const block of other.cidrs) {
        if (!endpoint.cidrs.some((own) => own.family === block.family && own.prefix < block.prefix && own.start <= block.start && block.end <= own.end)) continue;
        moreSpecific.push(...subtractIntervals([{ family: block.family, lo: block.start, hi: block.end }], other.except.map(toInterval)));
      }
    }
    sides.set(endpoint.name, bindingSides(endpoint, 'inventory', moreSpecific));
  }
  return sides;
}

function bindingSides(binding: EndpointBinding, origin: 'pack' | 'inventory', carveOut: readonly AddressInterval[]): CompiledSide[] {
  const intervals = subtractIntervals(binding.cidrs.map(toInterval), [...binding.except.map(toInterval), ...carveOut]);
  return [
    ...intervals.map((i) => side(binding.name, origin, { kind: 'cidr', family: i.family, lo: i.lo, hi: i.hi })),
    ...binding.hosts.map((host) => side(binding.name, origin, { kind: 'host', host })),
    ...binding.k8s.map((s) => side(binding.name, origin, { kind: 'k8s', namespace: s.namespace, labels: s.labels, expressions: s.expressions })),
  ];
}

function toInterval(block: { family: 4 | 6; start: bigint; end: bigint }): AddressInterval {
  return { family: block.family, lo: block.start, hi: block.end };
}

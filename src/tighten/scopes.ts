/**
 * Endpoint scopes: what each endpoint the rules attach to stands for (addresses, pods) and whether
 * the tightened rule set governs it. Only the user's own inventory endpoints are governed — a
 * rule pack's endpoints are a vendor's addresses — and not one that spans at least half of an
 * address family ("public: 0.0.0.0/0"): that is the rest of the world, a peer only.
 */
import { ConfigError } from '../errors.js';
import { selectorMatches } from '../rules/bindings.js';
import type { K8sIdentity } from '../rules/bindings.js';
import type { K8sSelector } from '../rules/types.js';
import type { BindingRow, TightenInput } from './load.js';
import { coalesce } from './merge.js';
import { BITS, intervalsContain, sidesFor } from './model.js';
import type { EndpointScope, Interval, ObservedGroup, ObservedSide, RuleDirection } from './model.js';

/**
 * Labels a controller stamps on each pod or revision: selecting on them would pin a rule to one
 * rollout, so derived selectors leave them out.
 */
const VOLATILE_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'batch.kubernetes.io/controller-uid',
  'controller-uid',
]);

function stableLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !VOLATILE_LABELS.has(k)).sort(([a], [b]) => a.localeCompare(b)));
}

/** One selector per namespace: the labels every observed identity in it shares. */
export function deriveSelectors(identities: readonly K8sIdentity[]): K8sSelector[] {
  const byNamespace = new Map<string, Record<string, string>>();
  for (const id of identities) {
    const labels = stableLabels(id.labels);
    const common = byNamespace.get(id.namespace);
    if (!common) byNamespace.set(id.namespace, labels);
    else for (const [k, v] of Object.entries(common)) if (labels[k] !== v) delete common[k];
  }
  return [...byNamespace.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([namespace, labels]) => ({ namespace, labels, expressions: [] }));
}

export function bindingInterval(b: BindingRow): Interval | null {
  return b.kind === 'cidr' && b.family !== null && b.lo !== null && b.hi !== null ? { family: b.family, lo: b.lo, hi: b.hi } : null;
}

function isWorldWide(intervals: readonly Interval[]): boolean {
  for (const family of [4, 6] as const) {
    const size = intervals.filter((i) => i.family === family).reduce((sum, i) => sum + (i.hi - i.lo + 1n), 0n);
    if (size >= 1n << BigInt(BITS[family] - 1)) return true;
  }
  return false;
}

/** The bindings that define an endpoint name: the inventory's when it has any, else a pack's. */
function bindingsOf(bindings: readonly BindingRow[], name: string): BindingRow[] {
  const inventory = bindings.filter((b) => b.origin === 'inventory' && b.endpoint === name);
  return inventory.length > 0 ? inventory : bindings.filter((b) => b.origin === 'pack' && b.endpoint === name);
}

/**
 * A scope for every endpoint name in `names` (and null, the unnamed sides). `only`: the
 * --endpoint choice; names in it that the inventory does not have are a ConfigError.
 */
export function buildScopes(input: TightenInput, names: Iterable<string | null>, only: readonly string[] | null): Map<string | null, EndpointScope> {
  const inventoryNames = new Set(input.bindings.filter((b) => b.origin === 'inventory').map((b) => b.endpoint));
  for (const name of only ?? []) {
    if (!inventoryNames.has(name)) {
      throw new ConfigError(`--endpoint ${name}: the inventory of the classify run has no such endpoint`, `choose from: ${[...inventoryNames].sort().join(', ')}`);
    }
  }
  const sides = new Map<string | null, ObservedSide[]>();
  for (const g of input.groups) {
    for (const side of [g.client, g.server]) {
      const list = sides.get(side.endpoint) ?? [];
      list.push(side);
      sides.set(side.endpoint, list);
    }
  }
  const scopes = new Map<string | null, EndpointScope>();
  for (const name of new Set(names)) {
    const observed = sides.get(name) ?? [];
    const own = name === null ? [] : bindingsOf(input.bindings, name);
    const documentedIntervals = own.map(bindingInterval).filter((i): i is Interval => i !== null);
    const extra = observed
      .filter((s) => s.num !== null && !intervalsContain(documentedIntervals, s.family, s.num))
      .map((s): Interval => ({ family: s.family!, lo: s.num!, hi: s.num! }));
    const k8s = own.filter((b) => b.kind === 'k8s').map((b): K8sSelector => ({ namespace: b.namespace, labels: b.labels, expressions: b.expressions }));
    const derived = k8s.length > 0 ? [] : deriveSelectors(observed.map((s) => s.identity).filter((i): i is K8sIdentity => i !== null));
    const origin = name === null ? 'none' : (own[0]?.origin ?? 'none');
    let reason: string | null = null;
    if (name === null) reason = 'no endpoint names these addresses';
    else if (origin !== 'inventory') reason = origin === 'pack' ? "a rule pack's own endpoint (a vendor's addresses), not one the inventory names" : 'not in the inventory';
    else if (isWorldWide(documentedIntervals)) reason = 'spans at least half of an address family: the rest of the world, a peer only';
    else if (only !== null && !only.includes(name)) reason = 'not chosen with --endpoint';
    scopes.set(name, {
      name,
      origin: origin === 'rule' ? 'none' : origin,
      governed: reason === null,
      reason,
      intervals: coalesce([...documentedIntervals, ...extra]),
      selectors: k8s.length > 0 ? k8s : derived,
      selectorSource: k8s.length > 0 ? (origin === 'inventory' ? 'inventory' : 'pack') : derived.length > 0 ? 'observed' : null,
    });
  }
  return scopes;
}

/**
 * Whether a connection's local side (for a rule of `direction`) falls under the scope, by any of
 * the three ways a target may select it: the classifier's endpoint name, an address, a pod selector.
 */
export function inScope(scope: EndpointScope, direction: RuleDirection, group: Pick<ObservedGroup, 'client' | 'server'>): boolean {
  const { local } = sidesFor(direction, group);
  if (local.endpoint === scope.name) return true;
  if (intervalsContain(scope.intervals, local.family, local.num)) return true;
  return local.identity !== null && scope.selectors.some((s) => selectorMatches(s, local.identity));
}

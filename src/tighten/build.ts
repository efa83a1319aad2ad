/**
 * Classified results → the tightened rule set.
 *
 * Every observed documented connection yields an ingress rule at its server's endpoint and an
 * egress rule at its client's. Connections are grouped per (direction, endpoint, protocol, peer
 * endpoint, peer kind — pod identity per namespace, or bare address); each group becomes one rule
 * whose peers and ports are merged (merge.ts) without taking in anything an unexpected connection
 * used at that endpoint. When the group's peers × ports would already admit an unexpected
 * connection (peer A used port 1, peer B port 2, and A's port 2 was unexpected), the group is
 * split by each peer's own port set first. What still admits an unexpected connection after that
 * (the same peer, port and endpoint were both documented and unexpected) is counted, not hidden.
 *
 * Denied and unanswered connections are neither admitted on purpose nor kept out: they never
 * worked as observed, and the documented flow they match is reported as unobserved.
 */
import { selectorMatches } from '../rules/bindings.js';
import type { K8sSelector } from '../rules/types.js';
import type { TightenInput } from './load.js';
import { mergeAddresses, mergePorts } from './merge.js';
import { cidrContains, connectionCount, hasPorts, ruleAdmits, sidesFor } from './model.js';
import type { EndpointScope, Family, ObservedGroup, ObservedSide, RuleDirection, RuleSet, TightRule } from './model.js';
import { buildScopes, deriveSelectors, inScope } from './scopes.js';
import { keptRules, unobservedFlows } from './unobserved.js';

export interface BuildOptions {
  keepUnobserved: boolean;
  /** Percent of a merged block (addresses or ports) that must have been observed. */
  minFill: number;
  /** Govern only these inventory endpoints; null: every one the data shows. */
  endpoints: string[] | null;
}

export const DEFAULT_MIN_FILL = 50;

interface Group {
  direction: RuleDirection;
  endpoint: string | null;
  proto: number;
  peerEndpoint: string | null;
  /** Namespace of the peers' pods; null: the peers carried no pod identity. */
  peerNamespace: string | null;
  members: ObservedGroup[];
}

export function buildRuleSet(input: TightenInput, options: BuildOptions): RuleSet {
  const documented = input.groups.filter((g) => g.verdict === 'documented');
  const unexpected = input.groups.filter((g) => g.verdict === 'unexpected');
  const kept = options.keepUnobserved ? keptRules(input) : { rules: [], notes: new Map<string, string[]>() };
  const names = [...input.groups.flatMap((g) => [g.client.endpoint, g.server.endpoint]), ...kept.rules.map((r) => r.endpoint)];
  const scopes = buildScopes(input, names, options.endpoints);

  // Egress rules of an endpoint nothing governs would be rendered nowhere; ingress rules of such
  // endpoints still serve a firewall between them (the nftables forward chain).
  const rendered = (r: TightRule): boolean => r.direction === 'ingress' || scopes.get(r.endpoint)!.governed;
  // The unexpected connections each endpoint and direction must keep out, worked out once.
  const relevance = new Map<string, ObservedGroup[]>();
  const relevantTo = (scope: EndpointScope, direction: RuleDirection): ObservedGroup[] => {
    const key = JSON.stringify([scope.name, direction]);
    let list = relevance.get(key);
    if (!list) relevance.set(key, (list = unexpected.filter((u) => inScope(scope, direction, u))));
    return list;
  };
  const observedRules = groupDocumented(documented).flatMap((group) => groupRules(group, scopes, relevantTo(scopes.get(group.endpoint)!, group.direction), options.minFill));
  const rules = [...observedRules, ...kept.rules].filter(rendered);

  const admitted = new Set<ObservedGroup>();
  for (const rule of rules) {
    const own = relevantTo(scopes.get(rule.endpoint)!, rule.direction).filter((u) => ruleAdmits(rule, u));
    rule.unexpectedAdmitted = connectionCount(own);
    for (const u of own) admitted.add(u);
  }
  numberRules(rules);

  const governed = new Set([...scopes.values()].filter((s) => s.governed).map((s) => s.name));
  const count = (verdict: ObservedGroup['verdict']): number => connectionCount(input.groups.filter((g) => g.verdict === verdict));
  return {
    db: input.db,
    run: { id: input.run.id, finishedAt: input.run.finishedAt, inventory: input.run.inventory, packs: input.run.packs },
    options: { keepUnobserved: options.keepUnobserved, minFill: options.minFill, endpoints: options.endpoints },
    endpoints: [...scopes.values()].sort((a, b) => (a.name ?? '~').localeCompare(b.name ?? '~')),
    rules,
    unobserved: unobservedFlows(input, rules, kept, scopes, options.keepUnobserved),
    counts: {
      documented: count('documented'),
      unexpected: count('unexpected'),
      denied: count('denied'),
      unanswered: count('unanswered'),
      unexpectedAdmitted: connectionCount([...admitted]),
      unexpectedUngoverned: connectionCount(unexpected.filter((u) => !governed.has(u.client.endpoint) && !governed.has(u.server.endpoint))),
      documentedWithoutAddress: connectionCount(documented.filter((g) => g.client.num === null || g.server.num === null)),
      unclassified: input.unclassified,
    },
  };
}

function groupDocumented(documented: readonly ObservedGroup[]): Group[] {
  const groups = new Map<string, Group>();
  for (const g of documented) {
    for (const direction of ['ingress', 'egress'] as const) {
      const { local, peer } = sidesFor(direction, g);
      const peerNamespace = peer.identity?.namespace ?? null;
      const key = JSON.stringify([direction, local.endpoint, g.proto, peer.endpoint, peerNamespace]);
      const group = groups.get(key) ?? { direction, endpoint: local.endpoint, proto: g.proto, peerEndpoint: peer.endpoint, peerNamespace, members: [] };
      group.members.push(g);
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}

/** The peers' selector: their endpoint's own when it selects them, else what their identities share. */
function peerSelector(group: Group, scopes: ReadonlyMap<string | null, EndpointScope>): K8sSelector | null {
  if (group.peerNamespace === null) return null;
  const identities = group.members.map((m) => sidesFor(group.direction, m).peer.identity!);
  const own = scopes.get(group.peerEndpoint)?.selectors.find((s) => identities.every((id) => selectorMatches(s, id)));
  return own ?? deriveSelectors(identities)[0]!;
}

const peerKey = (direction: RuleDirection, g: ObservedGroup): string => {
  const { peer } = sidesFor(direction, g);
  return peer.num !== null ? `${peer.family}:${peer.num}` : JSON.stringify(peer.identity);
};

/** `relevant`: the unexpected connections at the group's endpoint and direction. */
function groupRules(group: Group, scopes: ReadonlyMap<string | null, EndpointScope>, relevant: readonly ObservedGroup[], minFill: number): TightRule[] {
  const sameProto = relevant.filter((u) => u.proto === group.proto);
  const selector = peerSelector(group, scopes);
  const withPorts = hasPorts(group.proto);

  // Would the plain product of the group's peers and ports admit an unexpected connection?
  const conflicts = (members: readonly ObservedGroup[]): boolean => {
    const peers = new Set(members.map((m) => peerKey(group.direction, m)));
    const ports = new Set(members.map((m) => m.port));
    return sameProto.some((u) => {
      const samePeer = peers.has(peerKey(group.direction, u)) || (selector !== null && selectorMatches(selector, sidesFor(group.direction, u).peer.identity));
      return samePeer && (!withPorts || ports.has(u.port));
    });
  };
  let pieces: ObservedGroup[][] = [group.members];
  if (withPorts && conflicts(group.members)) {
    const portsOfPeer = new Map<string, Set<number | null>>();
    for (const m of group.members) {
      const key = peerKey(group.direction, m);
      portsOfPeer.set(key, (portsOfPeer.get(key) ?? new Set()).add(m.port));
    }
    const bySignature = new Map<string, ObservedGroup[]>();
    for (const m of group.members) {
      const signature = [...portsOfPeer.get(peerKey(group.direction, m))!].sort().join(',');
      const piece = bySignature.get(signature) ?? [];
      piece.push(m);
      bySignature.set(signature, piece);
    }
    pieces = [...bySignature.values()];
  }

  const peerScope = group.peerEndpoint === null ? null : scopes.get(group.peerEndpoint)!;
  const addressesOf = (sides: readonly ObservedSide[], family: Family): bigint[] => sides.filter((p) => p.family === family && p.num !== null).map((p) => p.num!);
  // The same for every piece: the addresses unexpected connections used at this endpoint.
  const unexpectedPeers = relevant.map((u) => sidesFor(group.direction, u).peer);
  return pieces.map((members): TightRule => {
    const peers = members.map((m) => sidesFor(group.direction, m).peer);
    const cidrs = ([4, 6] as const).flatMap((family) => {
      const addresses = addressesOf(peers, family);
      if (addresses.length === 0) return [];
      return mergeAddresses({ family, addresses, forbidden: addressesOf(unexpectedPeers, family), bounds: peerScope ? peerScope.intervals : null, minFill });
    });
    let ports = null;
    if (withPorts) {
      const admitted = sameProto.filter((u) => {
        const peer = sidesFor(group.direction, u).peer;
        return cidrs.some((c) => cidrContains(c, peer.family, peer.num)) || (selector !== null && selectorMatches(selector, peer.identity));
      });
      const observedPorts = members.map((m) => m.port).filter((p): p is number => p !== null);
      ports = mergePorts(observedPorts, admitted.map((u) => u.port).filter((p): p is number => p !== null), minFill);
    }
    const byFlow = new Map<string, number>();
    for (const m of members) for (const flow of m.flows) byFlow.set(flow, (byFlow.get(flow) ?? 0) + m.connections);
    return {
      id: '',
      direction: group.direction,
      endpoint: group.endpoint,
      peerEndpoint: group.peerEndpoint,
      peers: { any: false, cidrs, selector },
      proto: group.proto,
      ports,
      provenance: [...byFlow.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([flow, connections]) => ({ flow, connections })),
      connections: connectionCount(members),
      kept: false,
      unexpectedAdmitted: 0,
    };
  });
}

/** Stable order and ids: by endpoint, direction, kept last, peer, protocol, first port. */
function numberRules(rules: TightRule[]): void {
  const text = (s: string | null): string => s ?? '~';
  rules.sort(
    (a, b) =>
      text(a.endpoint).localeCompare(text(b.endpoint)) ||
      a.direction.localeCompare(b.direction) ||
      Number(a.kept) - Number(b.kept) ||
      text(a.peerEndpoint).localeCompare(text(b.peerEndpoint)) ||
      (a.proto ?? -1) - (b.proto ?? -1) ||
      (a.ports?.[0]?.lo ?? -1) - (b.ports?.[0]?.lo ?? -1),
  );
  const next = new Map<string, number>();
  for (const rule of rules) {
    const key = `${rule.endpoint ?? 'unnamed'}/${rule.direction}`;
    const n = (next.get(key) ?? 0) + 1;
    next.set(key, n);
    rule.id = `${key}-${n}`;
  }
}

/**
 * Documented flows no documented connection was observed on (status unobserved, not_covered,
 * denied or unanswered): listed in every output, and with --keep-unobserved turned into rules from
 * what the documentation and inventory say — the flow's rows (flow_rows) with their endpoints'
 * bindings as peers, unmerged: nothing was observed to tighten them with.
 */
import type { BindingRow, TightenInput } from './load.js';
import { coalesce, coalescePorts, intervalToCidrs } from './merge.js';
import { hasPorts } from './model.js';
import type { EndpointScope, PortRange, RulePeers, TightRule, UnobservedFlow } from './model.js';
import { bindingInterval } from './scopes.js';

export interface KeptRules {
  rules: TightRule[];
  /** What of each flow could not be kept, by flow. */
  notes: Map<string, string[]>;
}

/** The endpoint name an endpoint_bindings key stands for, when it is an endpoint (not any, a CIDR or a host a rule wrote). */
function endpointName(key: string, bindings: readonly BindingRow[]): string | null {
  if (!key.startsWith('inventory:') && !key.startsWith('pack:')) return null;
  return bindings.find((b) => b.key === key)?.endpoint ?? null;
}

/** The ways a target can name the peer: every address, the binding's addresses, or each of its pod selectors. */
function peerVariants(bindings: readonly BindingRow[]): { peers: RulePeers; hosts: string[] }[] {
  const out: { peers: RulePeers; hosts: string[] }[] = [];
  if (bindings.some((b) => b.kind === 'any')) out.push({ peers: { any: true, cidrs: [], selector: null }, hosts: [] });
  const intervals = coalesce(bindings.map(bindingInterval).filter((i) => i !== null));
  if (intervals.length > 0) out.push({ peers: { any: false, cidrs: intervals.flatMap(intervalToCidrs), selector: null }, hosts: [] });
  for (const b of bindings.filter((b) => b.kind === 'k8s')) {
    out.push({ peers: { any: false, cidrs: [], selector: { namespace: b.namespace, labels: b.labels, expressions: b.expressions } }, hosts: [] });
  }
  const hosts = bindings.filter((b) => b.kind === 'host').map((b) => b.host ?? b.endpoint);
  if (hosts.length > 0) out.push({ peers: { any: false, cidrs: [], selector: null }, hosts });
  return out;
}

export function keptRules(input: TightenInput): KeptRules {
  const unobserved = new Set(input.flows.filter((f) => f.status !== 'observed').map((f) => f.flow));
  const notes = new Map<string, string[]>();
  const note = (flow: string, text: string): void => {
    const list = notes.get(flow) ?? [];
    if (!list.includes(text)) list.push(text);
    notes.set(flow, list);
  };
  const byKey = new Map<string, TightRule>();
  for (const row of input.flowRows) {
    if (!unobserved.has(row.flow)) continue;
    for (const direction of ['ingress', 'egress'] as const) {
      const localKey = direction === 'ingress' ? row.server : row.client;
      const peerKey = direction === 'ingress' ? row.client : row.server;
      const endpoint = endpointName(localKey, input.bindings);
      if (endpoint === null) {
        note(row.flow, `its ${direction === 'ingress' ? 'server' : 'client'} side is ${localKey} as the rule writes it: no endpoint to attach ${direction} rules to`);
        continue;
      }
      const peerBindings = input.bindings.filter((b) => b.key === peerKey);
      const ports: PortRange[] | null = row.portLo === null ? null : [{ lo: row.portLo, hi: row.portHi ?? row.portLo }];
      peerVariants(peerBindings).forEach(({ peers, hosts }, variant) => {
        if (hosts.length > 0) {
          note(row.flow, `peer ${hosts.join(', ')} is known by host name only: no address or selector to write`);
          return;
        }
        const key = JSON.stringify([row.flow, direction, endpoint, peerKey, variant, row.proto]);
        const existing = byKey.get(key);
        if (existing) {
          existing.ports = existing.ports === null || ports === null ? null : coalescePorts([...existing.ports, ...ports]);
          return;
        }
        byKey.set(key, {
          id: '',
          direction,
          endpoint,
          peerEndpoint: peerBindings[0]?.endpoint ?? peerKey,
          peers,
          proto: row.proto,
          ports: hasPorts(row.proto) ? ports : null,
          provenance: [{ flow: row.flow, connections: 0 }],
          connections: 0,
          kept: true,
          unexpectedAdmitted: 0,
        });
      });
    }
  }
  return { rules: [...byKey.values()], notes };
}

export function unobservedFlows(
  input: TightenInput,
  rules: readonly TightRule[],
  kept: KeptRules,
  scopes: ReadonlyMap<string | null, EndpointScope>,
  keep: boolean,
): UnobservedFlow[] {
  return input.flows
    .filter((f) => f.status !== 'observed')
    .map((f): UnobservedFlow => {
      if (!keep) return { flow: f.flow, title: f.title, status: f.status, kept: false, note: null };
      const own = rules.filter((r) => r.kept && r.provenance.some((p) => p.flow === f.flow));
      const governed = own.filter((r) => scopes.get(r.endpoint)?.governed === true);
      const notes = [...(kept.notes.get(f.flow) ?? [])];
      if (!input.flowRows.some((r) => r.flow === f.flow)) notes.unshift(f.unresolved.length > 0 ? f.unresolved.join('; ') : 'it has no rows to keep');
      else if (governed.length === 0) notes.push('neither of its endpoints is governed here');
      return { flow: f.flow, title: f.title, status: f.status, kept: governed.length > 0, note: notes.length > 0 ? notes.join('; ') : null };
    });
}

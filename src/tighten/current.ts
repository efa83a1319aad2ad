/**
 * `--current policy.yaml`: the Kubernetes NetworkPolicies in force, held against the observed
 * connections and the tightened rule set. The policy file is read by the same code that imports
 * NetworkPolicies as a rule source (rules/network-policy.ts) and matched by the in-memory matcher;
 * isolation — which pods a policy selects, for which direction — is NetworkPolicy semantics on top:
 * a pod selected by a policy of a direction takes only what some rule of such a policy allows.
 *
 * A side is a pod when its source recorded a pod identity, or when its endpoint's pods are known
 * from the inventory (captures carry no identity); any other side is an address (ipBlock only).
 */
import { ConfigError } from '../errors.js';
import { selectorMatches, toSelector } from '../rules/bindings.js';
import type { RawSelector } from '../rules/bindings.js';
import { compileRules } from '../rules/compile.js';
import { paramsOf } from '../rules/load.js';
import { matchConnection } from '../rules/match.js';
import { isNetworkPolicy, networkPolicyToPack } from '../rules/network-policy.js';
import type { CompiledRules, Diagnostic, K8sSelector, RulePack } from '../rules/types.js';
import { formatLocation, readYamlFile } from '../rules/yaml-source.js';
import { connectionCount, protoName, ruleSetAdmits, sideIdentity } from './model.js';
import type { ObservedGroup, RuleSet, Verdict } from './model.js';

interface Isolation {
  pack: string;
  selector: K8sSelector;
  ingress: boolean;
  egress: boolean;
}

export interface CurrentPolicy {
  file: string;
  packs: RulePack[];
  compiled: CompiledRules;
  isolation: Isolation[];
}

type Obj = Record<string, unknown>;

export async function loadCurrentPolicy(file: string): Promise<CurrentPolicy> {
  // A missing or unreadable file is a ConfigError from readYamlFile, with the path.
  const yaml = await readYamlFile(file);
  const diagnostics: Diagnostic[] = [...yaml.diagnostics];
  const packs: RulePack[] = [];
  const isolation: Isolation[] = [];
  for (const doc of yaml.docs) {
    if (!isNetworkPolicy(doc.value)) {
      diagnostics.push({ ...doc.locate([]), message: 'not a Kubernetes NetworkPolicy', hint: '--current takes NetworkPolicy documents (kind: NetworkPolicy), one or more per file' });
      continue;
    }
    const pack = networkPolicyToPack(doc, diagnostics);
    if (!pack) continue;
    const root = doc.value as Obj;
    const spec = (root.spec ?? {}) as Obj;
    const metadata = (root.metadata ?? {}) as Obj;
    const raw = (spec.podSelector ?? {}) as { matchLabels?: Record<string, string>; matchExpressions?: RawSelector['expressions'] };
    const types = Array.isArray(spec.policyTypes) ? (spec.policyTypes as unknown[]) : spec.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress'];
    packs.push(pack);
    isolation.push({
      pack: pack.id,
      selector: { ...toSelector({ labels: raw.matchLabels ?? {}, expressions: raw.matchExpressions ?? [] }), namespace: typeof metadata.namespace === 'string' ? metadata.namespace : null },
      ingress: types.includes('Ingress'),
      egress: types.includes('Egress'),
    });
  }
  const first = diagnostics[0];
  if (first) throw new ConfigError(first.message, first.hint, formatLocation(first));
  if (packs.length === 0) throw new ConfigError('the file holds no NetworkPolicy', 'pass the NetworkPolicies in force with --current', file);
  return { file, packs, compiled: compileRules({ packs, params: paramsOf(packs), files: [file] }, null), isolation };
}

export interface Comparison {
  file: string;
  /** Policy rules no observed connection went through; with why, when the rule cannot match at all. */
  unused: { flow: string; title: string; why: string | null }[];
  /** Observed connections the current policies deny. */
  denied: ObservedGroup[];
  /** Observed connections the current policies allow and the tightened rule set does not. */
  broken: ObservedGroup[];
  /** Of those, the ones with no pod the current policies select on either side: allowed because they do not apply. */
  brokenOutsideReach: ObservedGroup[];
  /** Connections without addresses: the matcher cannot judge them. */
  unjudged: number;
}

/** The rule part of a flow id (`networkpolicy.NS.NAME/ingress-1-tcp` → `ingress-1-tcp`): it starts with the rule's direction. */
const ruleOf = (flow: string): string => flow.slice(flow.lastIndexOf('/') + 1);

export function compareWithCurrent(current: CurrentPolicy, ruleSet: RuleSet, groups: readonly ObservedGroup[]): Comparison {
  const used = new Set<string>();
  const denied: ObservedGroup[] = [];
  const broken: ObservedGroup[] = [];
  const brokenOutsideReach: ObservedGroup[] = [];
  let unjudged = 0;
  for (const g of groups) {
    if (g.client.ip === null || g.server.ip === null) {
      unjudged += g.connections;
      continue;
    }
    const client = sideIdentity(g.client, ruleSet.endpoints);
    const server = sideIdentity(g.server, ruleSet.endpoints);
    const flows = matchConnection(current.compiled, { proto: g.proto, client: { ip: g.client.ip, port: null, k8s: client }, server: { ip: g.server.ip, port: g.port, k8s: server } });
    const ingressFlows = flows.filter((f) => ruleOf(f).startsWith('ingress-'));
    const egressFlows = flows.filter((f) => ruleOf(f).startsWith('egress-'));
    const ingressIsolated = current.isolation.some((p) => p.ingress && selectorMatches(p.selector, server));
    const egressIsolated = current.isolation.some((p) => p.egress && selectorMatches(p.selector, client));
    const allowed = (!ingressIsolated || ingressFlows.length > 0) && (!egressIsolated || egressFlows.length > 0);
    // A rule counts as used only when it is what let the connection in (or out) of an isolated pod.
    if (allowed) {
      if (ingressIsolated) ingressFlows.forEach((f) => used.add(f));
      if (egressIsolated) egressFlows.forEach((f) => used.add(f));
    }
    if (!allowed) denied.push(g);
    else if (!ruleSetAdmits(ruleSet, g)) {
      broken.push(g);
      if (!ingressIsolated && !egressIsolated) brokenOutsideReach.push(g);
    }
  }
  const unused = current.compiled.flows
    .filter((f) => !used.has(f.flow))
    .map((f) => ({ flow: f.flow, title: f.rule.title, why: f.bound ? null : f.unresolved.join('; ') }));
  return { file: current.file, unused, denied, broken, brokenOutsideReach, unjudged };
}

const LIST_LIMIT = 20;

function groupLine(g: ObservedGroup): string {
  const port = g.port === null ? '' : `:${g.port}`;
  const ends = `${g.client.endpoint ?? '?'} -> ${g.server.endpoint ?? '?'}`;
  return `${g.verdict.padEnd(10)} ${protoName(g.proto)} ${g.client.ip} -> ${g.server.ip}${port} (${ends}) x${g.connections}${g.flows.length > 0 ? ` [${g.flows.join(', ')}]` : ''}`;
}

function byVerdict(groups: readonly ObservedGroup[]): string {
  const counts = new Map<Verdict, number>();
  for (const g of groups) counts.set(g.verdict, (counts.get(g.verdict) ?? 0) + g.connections);
  return [...counts.entries()].map(([v, n]) => `${n} ${v}`).join(', ') || 'none';
}

function listed(groups: readonly ObservedGroup[]): string[] {
  const order: Record<Verdict, number> = { documented: 0, denied: 1, unanswered: 2, unexpected: 3 };
  const sorted = [...groups].sort((a, b) => order[a.verdict] - order[b.verdict] || b.connections - a.connections);
  const lines = sorted.slice(0, LIST_LIMIT).map((g) => `    ${groupLine(g)}`);
  if (sorted.length > LIST_LIMIT) lines.push(`    … and ${sorted.length - LIST_LIMIT} more`);
  return lines;
}

export function formatComparison(c: Comparison): string[] {
  const brokenDocumented = c.broken.filter((g) => g.verdict === 'documented');
  const lines = [
    `Compared with the current policy ${c.file}:`,
    `(a) its rules that allowed nothing observed: ${c.unused.length}`,
    ...c.unused.map((u) => `    ${u.flow}: ${u.title}${u.why ? ` — cannot match: ${u.why}` : ''}`),
    `(b) observed connections it denies: ${connectionCount(c.denied)} (${byVerdict(c.denied)})`,
    ...listed(c.denied),
    `(c) what the tightened rules break compared with it (allowed now, observed, not allowed after): ${connectionCount(c.broken)} (${byVerdict(c.broken)})`,
  ];
  const outside = c.brokenOutsideReach.length === 0 ? [] : [`    ${connectionCount(c.brokenOutsideReach)} of them have no pod the current policy selects on either side: it allows them only by not applying to them.`];
  if (c.broken.length === 0) lines.push('    nothing: every observed connection it allows, the tightened rules allow too.');
  else if (c.broken.every((g) => g.verdict === 'unexpected')) lines.push('    only unexpected traffic: this is what tightening is for.', ...outside, ...listed(c.broken));
  else if (brokenDocumented.length === 0) lines.push('    no documented connection: unexpected traffic, and attempts that never worked (denied or unanswered).', ...outside, ...listed(c.broken));
  else lines.push(`    WARNING: ${connectionCount(brokenDocumented)} documented connections among them:`, ...outside, ...listed(c.broken));
  if (c.unjudged > 0) lines.push(`${c.unjudged} connections without addresses (aggregated flow logs) were not judged.`);
  return lines;
}

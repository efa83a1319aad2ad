/**
 * A Kubernetes NetworkPolicy (networking.k8s.io/v1) as a rule source: each ingress or egress rule
 * becomes one flow per protocol, between the policy's pods and its peers. Peers and pods become
 * endpoint bindings of the generated pack, so an inventory can still rebind them by name.
 */
import { basename } from 'node:path';
import { parseCidr } from './cidr.js';
import { toSelector } from './bindings.js';
import type { RawSelector } from './bindings.js';
import { diagnosticAt } from './yaml-source.js';
import type { YamlDoc, YamlPath } from './yaml-source.js';
import type { Diagnostic, EndpointBinding, EndpointRef, K8sSelector, ParamDecl, PortSpec, ProtocolName, Rule, RulePack, RulePorts } from './types.js';

/** The label Kubernetes puts on every namespace with its own name: the one namespace label flow logs can be matched on. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

type Obj = Record<string, unknown>;

export function isNetworkPolicy(value: unknown): boolean {
  return isObj(value) && value.kind === 'NetworkPolicy';
}

interface Context {
  doc: YamlDoc;
  diagnostics: Diagnostic[];
  policy: string;
  namespace: string | null;
  endpoints: EndpointBinding[];
  params: ParamDecl[];
}

export function networkPolicyToPack(doc: YamlDoc, diagnostics: Diagnostic[]): RulePack | null {
  const root = doc.value as Obj;
  if (!checkKeys(doc, [], root, ['apiVersion', 'kind', 'metadata', 'spec'], diagnostics)) return null;
  if (root.apiVersion !== 'networking.k8s.io/v1') {
    diagnostics.push(diagnosticAt(doc, ['apiVersion'], `apiVersion ${JSON.stringify(root.apiVersion)} is not networking.k8s.io/v1`, 'use apiVersion: networking.k8s.io/v1'));
  }
  const metadata = isObj(root.metadata) ? root.metadata : {};
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    diagnostics.push(diagnosticAt(doc, ['metadata'], 'the NetworkPolicy has no metadata.name', 'name the policy: flows are reported as networkpolicy.<name>/<rule>'));
    return null;
  }
  const spec = root.spec;
  if (!checkKeys(doc, ['spec'], spec, ['podSelector', 'ingress', 'egress', 'policyTypes'], diagnostics)) return null;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : null;
  const policy = metadata.name.toLowerCase();
  const ctx: Context = { doc, diagnostics, policy, namespace, endpoints: [], params: [] };
  const podsName = `${kebab(policy)}-pods`;
  const pods = selectorFrom(ctx, ['spec', 'podSelector'], spec.podSelector ?? {}, namespace);
  ctx.endpoints.push(binding(ctx, podsName, ['spec', 'podSelector'], pods ? [pods] : [], `pods the policy selects${namespace ? ` in namespace ${namespace}` : ' (the file names no namespace: any namespace)'}`));

  const types = policyTypes(ctx, spec);
  const rules: Rule[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    const list = spec[direction];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      diagnostics.push(diagnosticAt(doc, ['spec', direction], `spec.${direction} is not a list`, `write ${direction} as a list of rules`));
      continue;
    }
    const typeName = direction === 'ingress' ? 'Ingress' : 'Egress';
    if (!types.includes(typeName)) {
      diagnostics.push(
        diagnosticAt(doc, ['spec', direction], `spec.${direction} has rules but policyTypes leaves out ${typeName}, so they have no effect`, `add ${typeName} to policyTypes or remove spec.${direction}`, 'key'),
      );
      continue;
    }
    list.forEach((item, i) => rules.push(...convertRule(ctx, direction, i, item, podsName)));
  }
  return {
    id: `networkpolicy.${namespace ? `${namespace}.` : ''}${policy}`,
    title: `NetworkPolicy ${namespace ? `${namespace}/` : ''}${metadata.name}`,
    source: 'network-policy',
    document: { title: `NetworkPolicy ${metadata.name}`, file: basename(doc.file), vendor: null, url: null },
    params: ctx.params,
    endpoints: ctx.endpoints,
    rules,
    file: doc.file,
    location: doc.locate(['metadata', 'name']),
  };
}

function policyTypes(ctx: Context, spec: Obj): string[] {
  if (spec.policyTypes === undefined) return spec.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress'];
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  types.forEach((type, i) => {
    if (type !== 'Ingress' && type !== 'Egress') ctx.diagnostics.push(diagnosticAt(ctx.doc, ['spec', 'policyTypes', i], `policy type ${JSON.stringify(type)} is not Ingress or Egress`, 'list Ingress, Egress or both'));
  });
  return types.filter((t): t is string => typeof t === 'string');
}

function convertRule(ctx: Context, direction: 'ingress' | 'egress', index: number, item: unknown, podsName: string): Rule[] {
  const path: YamlPath = ['spec', direction, index];
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  if (!checkKeys(ctx.doc, path, item ?? {}, [peerKey, 'ports'], ctx.diagnostics)) return [];
  const rule = (item ?? {}) as Obj;
  const peers = peerRefs(ctx, [...path, peerKey], rule[peerKey], `${direction}-${index + 1}`);
  const pods: EndpointRef = { kind: 'name', name: podsName };
  const base = {
    from: direction === 'ingress' ? peers : [pods],
    to: direction === 'ingress' ? [pods] : peers,
    direction: 'one-way' as const,
    requirement: { kind: 'optional' as const },
    security: [],
    citations: [{ section: `NetworkPolicy ${ctx.policy}`, row: null, step: null, item: `spec.${direction}[${index}]` }],
    notes: 'Allowed by the NetworkPolicy; a policy allows flows, it does not say they must occur.',
    location: ctx.doc.locate(path),
  };
  const id = `${direction}-${index + 1}`;
  return portGroups(ctx, [...path, 'ports'], rule.ports, id).map((group) => ({
    ...base,
    id: group.id,
    title: `${direction === 'ingress' ? 'Ingress' : 'Egress'} rule ${index + 1} of NetworkPolicy ${ctx.policy}${group.protocol === 'any' ? '' : ` (${group.protocol.toUpperCase()})`}`,
    protocols: [group.protocol],
    ports: group.ports,
    vague: group.vague,
  }));
}

interface PortGroup {
  id: string;
  protocol: ProtocolName;
  ports: RulePorts;
  vague: string | null;
}

/** Ports grouped by protocol (a rule's ports apply to all its protocols); named ports get their own vague rule. */
function portGroups(ctx: Context, path: YamlPath, raw: unknown, id: string): PortGroup[] {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return [{ id, protocol: 'any', ports: { kind: 'none' }, vague: null }];
  if (!Array.isArray(raw)) {
    ctx.diagnostics.push(diagnosticAt(ctx.doc, path, 'ports is not a list', 'write ports as a list of {protocol, port, endPort}'));
    return [];
  }
  const numeric = new Map<ProtocolName, PortSpec[] | 'any'>();
  const named = new Map<ProtocolName, { specs: PortSpec[]; names: string[] }>();
  raw.forEach((entry, i) => {
    const at = [...path, i];
    if (!checkKeys(ctx.doc, at, entry, ['protocol', 'port', 'endPort'], ctx.diagnostics)) return;
    const port = entry as Obj;
    const protocolText = port.protocol ?? 'TCP';
    const protocol = protocolText === 'TCP' ? 'tcp' : protocolText === 'UDP' ? 'udp' : protocolText === 'SCTP' ? 'sctp' : null;
    if (!protocol) {
      ctx.diagnostics.push(diagnosticAt(ctx.doc, [...at, 'protocol'], `protocol ${JSON.stringify(protocolText)} is not TCP, UDP or SCTP`, 'use TCP, UDP or SCTP (upper case, as Kubernetes does)'));
      return;
    }
    const spec = portSpec(ctx, at, port, protocol);
    if (spec === null) return;
    if (spec === 'any') {
      numeric.set(protocol, 'any');
    } else if (spec.kind === 'param') {
      const group = named.get(protocol) ?? { specs: [], names: [] };
      group.specs.push(spec);
      group.names.push(String(port.port));
      named.set(protocol, group);
    } else {
      const current = numeric.get(protocol);
      if (current !== 'any') numeric.set(protocol, [...(current ?? []), spec]);
    }
  });
  const groups: PortGroup[] = [];
  for (const [protocol, specs] of numeric) {
    groups.push({ id: `${id}-${protocol}`, protocol, ports: specs === 'any' ? { kind: 'any' } : { kind: 'list', specs }, vague: null });
  }
  for (const [protocol, group] of named) {
    groups.push({
      id: `${id}-${protocol}-named`,
      protocol,
      ports: { kind: 'list', specs: group.specs },
      vague: `named port ${group.names.join(', ')}: the number is set on each pod and flow logs carry numbers; supply it as a param`,
    });
  }
  return groups;
}

function portSpec(ctx: Context, at: YamlPath, port: Obj, protocol: ProtocolName): PortSpec | 'any' | null {
  if (port.port === undefined) {
    if (port.endPort !== undefined) ctx.diagnostics.push(diagnosticAt(ctx.doc, [...at, 'endPort'], 'endPort without port', 'give port as the start of the range'));
    return 'any';
  }
  if (typeof port.port === 'string' && !/^\d+$/.test(port.port)) {
    if (port.endPort !== undefined) ctx.diagnostics.push(diagnosticAt(ctx.doc, [...at, 'endPort'], 'endPort with a named port', 'endPort needs a numeric port'));
    const name = `networkpolicy.${kebab(ctx.policy)}.${protocol}-${port.port.toLowerCase()}`;
    if (!ctx.params.some((p) => p.name === name)) {
      ctx.params.push({ name, defaultValue: null, description: `the number behind named port ${port.port} (${protocol.toUpperCase()})`, location: ctx.doc.locate([...at, 'port']) });
    }
    return { kind: 'param', param: name };
  }
  const lo = Number(port.port);
  if (!Number.isInteger(lo) || lo < 1 || lo > 65535) {
    ctx.diagnostics.push(diagnosticAt(ctx.doc, [...at, 'port'], `port ${JSON.stringify(port.port)} is not a port number or name`, 'use 1-65535 or a named container port'));
    return null;
  }
  if (port.endPort === undefined) return { kind: 'single', port: lo };
  const hi = Number(port.endPort);
  if (!Number.isInteger(hi) || hi < lo || hi > 65535) {
    ctx.diagnostics.push(diagnosticAt(ctx.doc, [...at, 'endPort'], `endPort ${JSON.stringify(port.endPort)} is not a port from ${lo} to 65535`, 'endPort must be at least port'));
    return null;
  }
  return { kind: 'range', lo, hi };
}

/** The peers of one rule: an empty or missing list allows every peer. */
function peerRefs(ctx: Context, path: YamlPath, raw: unknown, ruleName: string): EndpointRef[] {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return [{ kind: 'any' }];
  if (!Array.isArray(raw)) {
    ctx.diagnostics.push(diagnosticAt(ctx.doc, path, 'the peer list is not a list', 'write it as a list of podSelector, namespaceSelector or ipBlock peers'));
    return [];
  }
  const refs: EndpointRef[] = [];
  raw.forEach((peer, i) => {
    const at = [...path, i];
    if (!checkKeys(ctx.doc, at, peer, ['podSelector', 'namespaceSelector', 'ipBlock'], ctx.diagnostics)) return;
    const name = `${kebab(ctx.policy)}-${ruleName}-peer-${i + 1}`;
    const p = peer as Obj;
    if (p.ipBlock !== undefined) {
      if (p.podSelector !== undefined || p.namespaceSelector !== undefined) {
        ctx.diagnostics.push(diagnosticAt(ctx.doc, at, 'a peer has ipBlock together with a selector', 'make ipBlock a peer of its own'));
        return;
      }
      const ref = ipBlockRef(ctx, [...at, 'ipBlock'], p.ipBlock, name);
      if (ref) refs.push(ref);
      return;
    }
    const selectors = peerSelectors(ctx, at, p);
    if (selectors === null) return;
    ctx.endpoints.push(binding(ctx, name, at, selectors.selectors, selectors.description));
    refs.push({ kind: 'name', name });
  });
  return refs;
}

function ipBlockRef(ctx: Context, path: YamlPath, raw: unknown, name: string): EndpointRef | null {
  if (!checkKeys(ctx.doc, path, raw, ['cidr', 'except'], ctx.diagnostics)) return null;
  const block = raw as Obj;
  const cidr = parseCidr(String(block.cidr ?? ''));
  if (!cidr.ok) {
    ctx.diagnostics.push(diagnosticAt(ctx.doc, [...path, 'cidr'], cidr.reason, cidr.hint));
    return null;
  }
  const exceptRaw = Array.isArray(block.except) ? block.except : [];
  if (exceptRaw.length === 0) return { kind: 'cidr', cidr: cidr.block };
  const except = exceptRaw.flatMap((text, i) => {
    const parsed = parseCidr(String(text));
    if (!parsed.ok) ctx.diagnostics.push(diagnosticAt(ctx.doc, [...path, 'except', i], parsed.reason, parsed.hint));
    return parsed.ok ? [parsed.block] : [];
  });
  ctx.endpoints.push({ ...binding(ctx, name, path, [], `${cidr.block.text} except ${except.map((e) => e.text).join(', ')}`), cidrs: [cidr.block], except });
  return { kind: 'name', name };
}

/** Pods a peer selects. Namespaces can only be told apart by name in flow logs; other namespace labels leave the peer unbound. */
function peerSelectors(ctx: Context, at: YamlPath, peer: Obj): { selectors: K8sSelector[]; description: string } | null {
  const pods = peer.podSelector === undefined ? toSelector({}) : selectorFrom(ctx, [...at, 'podSelector'], peer.podSelector, null);
  if (!pods) return null;
  if (peer.namespaceSelector === undefined) {
    return { selectors: [{ ...pods, namespace: ctx.namespace }], description: `pods in ${ctx.namespace ? `namespace ${ctx.namespace}` : "the policy's namespace (not given: any namespace)"}` };
  }
  const nsSelector = selectorFrom(ctx, [...at, 'namespaceSelector'], peer.namespaceSelector, null);
  if (!nsSelector) return null;
  const { [NAMESPACE_NAME_LABEL]: byName, ...otherLabels } = nsSelector.labels;
  const nameExpressions = nsSelector.expressions.filter((e) => e.key === NAMESPACE_NAME_LABEL && e.operator === 'In');
  const otherExpressions = nsSelector.expressions.filter((e) => !nameExpressions.includes(e));
  if (Object.keys(otherLabels).length > 0 || otherExpressions.length > 0) {
    return { selectors: [], description: 'namespaces selected by labels other than their name; flow logs carry namespace names only — bind this endpoint in the inventory' };
  }
  let names: (string | null)[] = [null];
  if (byName !== undefined) names = [byName];
  for (const e of nameExpressions) names = names.flatMap((n) => e.values.filter((v) => n === null || v === n));
  if (names.length === 0) return { selectors: [], description: 'the namespaceSelector can match no namespace' };
  return {
    selectors: names.map((namespace) => ({ ...pods, namespace })),
    description: names[0] === null ? 'pods in any namespace' : `pods in namespace ${names.join(', ')}`,
  };
}

function selectorFrom(ctx: Context, path: YamlPath, raw: unknown, namespace: string | null): K8sSelector | null {
  if (!checkKeys(ctx.doc, path, raw ?? {}, ['matchLabels', 'matchExpressions'], ctx.diagnostics)) return null;
  const selector = (raw ?? {}) as { matchLabels?: Record<string, string>; matchExpressions?: RawSelector['expressions'] };
  let ok = true;
  (selector.matchExpressions ?? []).forEach((e, i) => {
    const operator = e.operator as string;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator)) {
      ctx.diagnostics.push(diagnosticAt(ctx.doc, [...path, 'matchExpressions', i, 'operator'], `operator ${JSON.stringify(operator)} is not In, NotIn, Exists or DoesNotExist`, 'use one of the four Kubernetes selector operators'));
      ok = false;
    }
  });
  if (!ok) return null;
  return { ...toSelector({ labels: selector.matchLabels ?? {}, expressions: selector.matchExpressions ?? [] }), namespace };
}

function binding(ctx: Context, name: string, path: YamlPath, k8s: K8sSelector[], description: string): EndpointBinding {
  return { name, cidrs: [], except: [], k8s, hosts: [], description, location: ctx.doc.locate(path) };
}

function checkKeys(doc: YamlDoc, path: YamlPath, value: unknown, allowed: readonly string[], diagnostics: Diagnostic[]): value is Obj {
  if (!isObj(value)) {
    diagnostics.push(diagnosticAt(doc, path, `expected a mapping with ${allowed.join(', ')}`, 'see the Kubernetes NetworkPolicy reference for this field'));
    return false;
  }
  let ok = true;
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    diagnostics.push(diagnosticAt(doc, [...path, key], `unknown NetworkPolicy field "${key}"`, `allowed here: ${allowed.join(', ')}`, 'key'));
    ok = false;
  }
  return ok;
}

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function kebab(text: string): string {
  return text.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

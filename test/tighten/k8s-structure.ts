/**
 * Structural checks of generated Kubernetes objects, in place of schema validation:
 *
 * - NetworkPolicy: the published schema ships in the npm package kubernetes-models (a
 *   devDependency; 4.5.1, since 5.x needs Node 22), and test/tighten/targets/networkpolicy.test.ts
 *   validates with it. These checks add what the schema does not say (label syntax, CIDRs).
 * - Calico: no npm package carries the projectcalico.org/v3 schemas (@kubernetes-models has no
 *   calico package), so these checks are all there is: the fields, enums and formats of the v3
 *   NetworkPolicy / GlobalNetworkPolicy API reference that the generator writes.
 *
 * Each returns the problems found, as `path: message` lines.
 */
import { parseCidr } from '../../src/rules/cidr.js';
import { parseSelector } from './evaluators/calico.js';

type Obj = Record<string, unknown>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function keysWithin(problems: string[], path: string, value: unknown, allowed: readonly string[]): value is Obj {
  if (!isObj(value)) {
    problems.push(`${path}: not a mapping`);
    return false;
  }
  for (const k of Object.keys(value)) if (!allowed.includes(k)) problems.push(`${path}.${k}: unknown field`);
  return true;
}

function labelKey(problems: string[], path: string, key: string): void {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash < 0 ? [null, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== null && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) problems.push(`${path}: key prefix "${prefix}" is not a DNS subdomain`);
  if (name.length > 63 || !LABEL_NAME.test(name)) problems.push(`${path}: key name "${name}" is not a label name`);
}

function stringMap(problems: string[], path: string, value: unknown, values: 'label' | 'any'): void {
  if (value === undefined) return;
  if (!isObj(value)) return void problems.push(`${path}: not a mapping`);
  for (const [k, v] of Object.entries(value)) {
    labelKey(problems, `${path}.${k}`, k);
    if (typeof v !== 'string') problems.push(`${path}.${k}: not a string`);
    else if (values === 'label' && (v.length > 63 || !LABEL_VALUE.test(v))) problems.push(`${path}.${k}: "${v}" is not a label value`);
  }
}

function metadata(problems: string[], value: unknown, namespaced: boolean): void {
  if (!keysWithin(problems, 'metadata', value, ['name', 'namespace', 'labels', 'annotations'])) return;
  if (typeof value.name !== 'string' || value.name.length > 253 || !DNS_SUBDOMAIN.test(value.name)) problems.push(`metadata.name: ${String(value.name)} is not a DNS subdomain`);
  if (namespaced && (typeof value.namespace !== 'string' || !DNS_LABEL.test(value.namespace))) problems.push('metadata.namespace: missing or not a DNS label');
  if (!namespaced && value.namespace !== undefined) problems.push('metadata.namespace: a cluster-wide policy has none');
  stringMap(problems, 'metadata.labels', value.labels, 'label');
  stringMap(problems, 'metadata.annotations', value.annotations, 'any');
}

function labelSelector(problems: string[], path: string, value: unknown): void {
  if (!keysWithin(problems, path, value, ['matchLabels', 'matchExpressions'])) return;
  stringMap(problems, `${path}.matchLabels`, value.matchLabels, 'label');
  for (const [i, e] of ((value.matchExpressions as Obj[] | undefined) ?? []).entries()) {
    const at = `${path}.matchExpressions[${i}]`;
    if (!keysWithin(problems, at, e, ['key', 'operator', 'values'])) continue;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(String(e.operator))) problems.push(`${at}.operator: ${String(e.operator)}`);
    const needsValues = e.operator === 'In' || e.operator === 'NotIn';
    if (needsValues !== (Array.isArray(e.values) && e.values.length > 0)) problems.push(`${at}.values: ${needsValues ? 'required' : 'not allowed'}`);
  }
}

function cidr(problems: string[], path: string, value: unknown, family?: number): void {
  const parsed = parseCidr(String(value));
  if (!parsed.ok) problems.push(`${path}: ${parsed.reason}`);
  else if (family !== undefined && parsed.block.family !== family) problems.push(`${path}: not IPv${family}`);
}

const port = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

export function networkPolicyProblems(doc: Obj): string[] {
  const problems: string[] = [];
  if (!keysWithin(problems, '', doc, ['apiVersion', 'kind', 'metadata', 'spec'])) return problems;
  if (doc.apiVersion !== 'networking.k8s.io/v1' || doc.kind !== 'NetworkPolicy') problems.push('apiVersion/kind: not networking.k8s.io/v1 NetworkPolicy');
  metadata(problems, doc.metadata, true);
  if (!keysWithin(problems, 'spec', doc.spec, ['podSelector', 'policyTypes', 'ingress', 'egress'])) return problems;
  labelSelector(problems, 'spec.podSelector', doc.spec.podSelector);
  for (const t of (doc.spec.policyTypes as unknown[]) ?? []) if (t !== 'Ingress' && t !== 'Egress') problems.push(`spec.policyTypes: ${String(t)}`);
  for (const direction of ['ingress', 'egress'] as const) {
    const peerKey = direction === 'ingress' ? 'from' : 'to';
    for (const [i, rule] of ((doc.spec[direction] as Obj[] | undefined) ?? []).entries()) {
      const at = `spec.${direction}[${i}]`;
      if (!keysWithin(problems, at, rule, [peerKey, 'ports'])) continue;
      for (const [j, peer] of ((rule[peerKey] as Obj[] | undefined) ?? []).entries()) {
        const p = `${at}.${peerKey}[${j}]`;
        if (!keysWithin(problems, p, peer, ['ipBlock', 'podSelector', 'namespaceSelector'])) continue;
        if (peer.ipBlock !== undefined) {
          if (peer.podSelector !== undefined || peer.namespaceSelector !== undefined) problems.push(`${p}: ipBlock with a selector`);
          if (keysWithin(problems, `${p}.ipBlock`, peer.ipBlock, ['cidr', 'except'])) cidr(problems, `${p}.ipBlock.cidr`, peer.ipBlock.cidr);
        }
        if (peer.podSelector !== undefined) labelSelector(problems, `${p}.podSelector`, peer.podSelector);
        if (peer.namespaceSelector !== undefined) labelSelector(problems, `${p}.namespaceSelector`, peer.namespaceSelector);
      }
      for (const [j, p] of ((rule.ports as Obj[] | undefined) ?? []).entries()) {
        const q = `${at}.ports[${j}]`;
        if (!keysWithin(problems, q, p, ['protocol', 'port', 'endPort'])) continue;
        if (!['TCP', 'UDP', 'SCTP'].includes(String(p.protocol ?? 'TCP'))) problems.push(`${q}.protocol: ${String(p.protocol)}`);
        if (p.port !== undefined && !port(p.port)) problems.push(`${q}.port: ${String(p.port)}`);
        if (p.endPort !== undefined && (!port(p.endPort) || !port(p.port) || (p.endPort as number) < (p.port as number))) problems.push(`${q}.endPort: ${String(p.endPort)}`);
      }
    }
  }
  return problems;
}

const CALICO_KINDS: Record<string, boolean> = { NetworkPolicy: true, GlobalNetworkPolicy: false, StagedNetworkPolicy: true, StagedGlobalNetworkPolicy: false };
const CALICO_PROTOCOLS = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'];

function calicoSelector(problems: string[], path: string, value: unknown): void {
  try {
    parseSelector(String(value));
  } catch (err) {
    problems.push(`${path}: ${(err as Error).message}`);
  }
}

export function calicoProblems(doc: Obj): string[] {
  const problems: string[] = [];
  if (!keysWithin(problems, '', doc, ['apiVersion', 'kind', 'metadata', 'spec'])) return problems;
  const namespaced = CALICO_KINDS[String(doc.kind)];
  if (doc.apiVersion !== 'projectcalico.org/v3' || namespaced === undefined) return [`apiVersion/kind: ${String(doc.apiVersion)} ${String(doc.kind)}`];
  metadata(problems, doc.metadata, namespaced);
  const staged = String(doc.kind).startsWith('Staged');
  if (!keysWithin(problems, 'spec', doc.spec, ['selector', 'types', 'ingress', 'egress', 'order', ...(staged ? ['stagedAction'] : [])])) return problems;
  if (staged && doc.spec.stagedAction !== 'Set') problems.push('spec.stagedAction: not Set');
  calicoSelector(problems, 'spec.selector', doc.spec.selector);
  for (const t of (doc.spec.types as unknown[]) ?? []) if (t !== 'Ingress' && t !== 'Egress') problems.push(`spec.types: ${String(t)}`);
  for (const direction of ['ingress', 'egress'] as const) {
    for (const [i, rule] of ((doc.spec[direction] as Obj[] | undefined) ?? []).entries()) {
      const at = `spec.${direction}[${i}]`;
      if (!keysWithin(problems, at, rule, ['action', 'protocol', 'ipVersion', 'source', 'destination', 'metadata'])) continue;
      if (!['Allow', 'Deny', 'Log', 'Pass'].includes(String(rule.action))) problems.push(`${at}.action: ${String(rule.action)}`);
      const proto = rule.protocol;
      if (proto !== undefined && !CALICO_PROTOCOLS.includes(String(proto)) && !(Number.isInteger(proto) && (proto as number) >= 1 && (proto as number) <= 255)) problems.push(`${at}.protocol: ${String(proto)}`);
      if (rule.ipVersion !== undefined && rule.ipVersion !== 4 && rule.ipVersion !== 6) problems.push(`${at}.ipVersion: ${String(rule.ipVersion)}`);
      if (rule.metadata !== undefined && keysWithin(problems, `${at}.metadata`, rule.metadata, ['annotations'])) stringMap(problems, `${at}.metadata.annotations`, rule.metadata.annotations, 'any');
      for (const side of ['source', 'destination'] as const) {
        const entity = rule[side];
        if (entity === undefined || !keysWithin(problems, `${at}.${side}`, entity, ['nets', 'selector', 'namespaceSelector', 'ports'])) continue;
        for (const [j, n] of ((entity.nets as unknown[]) ?? []).entries()) cidr(problems, `${at}.${side}.nets[${j}]`, n, rule.ipVersion as number | undefined);
        if (entity.selector !== undefined) calicoSelector(problems, `${at}.${side}.selector`, entity.selector);
        if (entity.namespaceSelector !== undefined) calicoSelector(problems, `${at}.${side}.namespaceSelector`, entity.namespaceSelector);
        if (entity.ports !== undefined && !['TCP', 'UDP', 'SCTP', 'UDPLite'].includes(String(proto))) problems.push(`${at}.${side}.ports: ports need protocol TCP, UDP, SCTP or UDPLite`);
        for (const [j, p] of ((entity.ports as unknown[]) ?? []).entries()) {
          const m = typeof p === 'string' ? /^(\d+):(\d+)$/.exec(p) : null;
          const ok = port(p) || (m !== null && port(Number(m[1])) && port(Number(m[2])) && Number(m[1]) < Number(m[2]));
          if (!ok) problems.push(`${at}.${side}.ports[${j}]: ${String(p)}`);
        }
      }
    }
  }
  return problems;
}

/**
 * Endpoint bindings — CIDRs, Kubernetes selectors and host names behind an endpoint name — as packs
 * and inventories write them, and the Kubernetes selector test the matcher and NetworkPolicy share.
 */
import { parseCidr } from './cidr.js';
import { diagnosticAt } from './yaml-source.js';
import type { YamlDoc, YamlPath } from './yaml-source.js';
import type { CidrBlock, Diagnostic, EndpointBinding, K8sSelector, LabelExpression } from './types.js';

/** A binding as the schemas allow it (pack endpoints add `groups` and `citation`). */
export interface RawBinding {
  description?: string;
  cidrs?: string[];
  except?: string[];
  hosts?: string[];
  k8s?: RawSelector | RawSelector[];
  groups?: { region: string; zones?: string[]; cidrs?: string[]; hosts?: string[]; deprecated_hosts?: string[] }[];
}

export interface RawSelector {
  namespace?: string;
  labels?: Record<string, string>;
  expressions?: { key: string; operator: LabelExpression['operator']; values?: string[] }[];
}

/** Parse a schema-checked binding at `path`; bad CIDRs become diagnostics. */
export function parseBinding(doc: YamlDoc, path: YamlPath, name: string, raw: RawBinding, diagnostics: Diagnostic[]): EndpointBinding {
  const cidrs = parseCidrList(doc, [...path, 'cidrs'], raw.cidrs ?? [], diagnostics);
  const hosts = (raw.hosts ?? []).map(normaliseHost);
  (raw.groups ?? []).forEach((group, i) => {
    cidrs.push(...parseCidrList(doc, [...path, 'groups', i, 'cidrs'], group.cidrs ?? [], diagnostics));
    hosts.push(...(group.hosts ?? []).map(normaliseHost), ...(group.deprecated_hosts ?? []).map(normaliseHost));
  });
  const selectors = raw.k8s === undefined ? [] : Array.isArray(raw.k8s) ? raw.k8s : [raw.k8s];
  selectors.forEach((selector, i) => {
    const at = Array.isArray(raw.k8s) ? [...path, 'k8s', i] : [...path, 'k8s'];
    for (const [j, expression] of (selector.expressions ?? []).entries()) {
      const needsValues = expression.operator === 'In' || expression.operator === 'NotIn';
      if (needsValues !== (expression.values !== undefined && expression.values.length > 0)) {
        diagnostics.push(
          diagnosticAt(doc, [...at, 'expressions', j], `operator ${expression.operator} ${needsValues ? 'needs' : 'takes no'} values`, needsValues ? 'list the label values under values' : 'remove values'),
        );
      }
    }
  });
  return {
    name,
    cidrs,
    except: parseCidrList(doc, [...path, 'except'], raw.except ?? [], diagnostics),
    k8s: selectors.map(toSelector),
    hosts,
    description: raw.description ?? null,
    location: doc.locate(path, 'key'),
  };
}

function parseCidrList(doc: YamlDoc, path: YamlPath, texts: readonly string[], diagnostics: Diagnostic[]): CidrBlock[] {
  const blocks: CidrBlock[] = [];
  texts.forEach((text, i) => {
    const parsed = parseCidr(text);
    if (parsed.ok) blocks.push(parsed.block);
    else diagnostics.push(diagnosticAt(doc, [...path, i], parsed.reason, parsed.hint));
  });
  return blocks;
}

export function toSelector(raw: RawSelector): K8sSelector {
  return {
    namespace: raw.namespace ?? null,
    labels: { ...(raw.labels ?? {}) },
    expressions: (raw.expressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])] })),
  };
}

/** Host names compare case-insensitively and without a trailing dot. */
export function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/** Whether an observed name is `pattern` (`*.example.com` matches any subdomain, not the apex). */
export function hostMatches(pattern: string, name: string): boolean {
  const observed = normaliseHost(name);
  if (pattern.startsWith('*.')) return observed.endsWith(pattern.slice(1));
  return observed === pattern;
}

/** The Kubernetes identity a flow log gives one side of a connection. */
export interface K8sIdentity {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

export function selectorMatches(
  selector: { namespace: string | null; labels: Readonly<Record<string, string>> | null; expressions: readonly LabelExpression[] | null },
  identity: K8sIdentity | null | undefined,
): boolean {
  if (!identity) return false;
  if (selector.namespace !== null && selector.namespace !== identity.namespace) return false;
  for (const [key, value] of Object.entries(selector.labels ?? {})) if (identity.labels[key] !== value) return false;
  return (selector.expressions ?? []).every((e) => expressionMatches(e, identity.labels));
}

function expressionMatches(expression: LabelExpression, labels: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(labels, expression.key) ? labels[expression.key] : undefined;
  switch (expression.operator) {
    case 'In':
      return value !== undefined && expression.values.includes(value);
    case 'NotIn':
      return value === undefined || !expression.values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
  }
}

/**
 * A rule pack document → RulePack. The schema has already checked shapes and keys; this adds what a
 * schema cannot say: unique ids, endpoint refs that parse, ports that fit the protocols, params that
 * exist, and vague rules that cannot match on an invented port.
 */
import { looksLikeCidr, parseCidr } from './cidr.js';
import { normaliseHost, parseBinding } from './bindings.js';
import type { RawBinding } from './bindings.js';
import { hasPorts, parsePortText, parsePortValue } from './ports.js';
import { diagnosticAt, formatLocation } from './yaml-source.js';
import type { YamlDoc, YamlPath } from './yaml-source.js';
import type {
  Citation,
  Diagnostic,
  EndpointBinding,
  EndpointRef,
  ParamDecl,
  PortSpec,
  ProtocolName,
  Requirement,
  Rule,
  RulePack,
  RulePorts,
  Security,
} from './types.js';

type RawCitation = { section: string; row?: number; step?: string; item?: string };
type RawPortSpec = number | string | { param: string };

interface RawRule {
  id: string;
  title: string;
  from: string | string[];
  to: string | string[];
  protocols: ProtocolName[];
  ports?: 'any' | RawPortSpec[];
  direction: Rule['direction'];
  requirement: 'required' | 'optional' | { conditional: string };
  security?: Security[];
  citation: RawCitation | RawCitation[];
  vague?: string;
  notes?: string;
}

interface RawPack {
  pack: string;
  title: string;
  document: { title: string; file: string; vendor?: string; url?: string };
  params?: Record<string, { default: unknown; description: string }>;
  endpoints?: Record<string, RawBinding>;
  rules: RawRule[];
}

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const HOST = /^(?:\*\.)?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)+\.?$/i;

/** Parse a schema-valid pack document; problems are appended to `diagnostics`. */
export function parsePack(doc: YamlDoc, diagnostics: Diagnostic[]): RulePack {
  const raw = doc.value as RawPack;
  const params = Object.entries(raw.params ?? {}).map(([name, decl]) => parseParam(doc, name, decl, diagnostics));
  const endpoints = Object.entries(raw.endpoints ?? {}).map(([name, binding]) => parseBinding(doc, ['endpoints', name], name, binding, diagnostics));
  const seen = new Map<string, number>();
  const rules = raw.rules.map((rule, i) => {
    const first = seen.get(rule.id);
    if (first !== undefined) {
      const firstAt = formatLocation(doc.locate(['rules', first, 'id']));
      diagnostics.push(diagnosticAt(doc, ['rules', i, 'id'], `duplicate rule id "${rule.id}" (first at ${firstAt})`, 'give every rule in a pack its own id'));
    } else {
      seen.set(rule.id, i);
    }
    return parseRule(doc, ['rules', i], rule, params, diagnostics);
  });
  reportUnused(doc, rules, params, endpoints, diagnostics);
  return {
    id: raw.pack,
    title: raw.title,
    source: 'pack',
    document: { title: raw.document.title, file: raw.document.file, vendor: raw.document.vendor ?? null, url: raw.document.url ?? null },
    params,
    endpoints,
    rules,
    file: doc.file,
    location: doc.locate(['pack']),
  };
}

function parseParam(doc: YamlDoc, name: string, decl: { default: unknown; description: string }, diagnostics: Diagnostic[]): ParamDecl {
  let defaultValue: ParamDecl['defaultValue'] = null;
  if (decl.default !== null) {
    const parsed = parsePortValue(decl.default);
    if (parsed.ok) defaultValue = parsed.ranges;
    else diagnostics.push(diagnosticAt(doc, ['params', name, 'default'], parsed.reason, parsed.hint));
  }
  return { name, defaultValue, description: decl.description, location: doc.locate(['params', name], 'key') };
}

function parseRule(doc: YamlDoc, path: YamlPath, raw: RawRule, params: readonly ParamDecl[], diagnostics: Diagnostic[]): Rule {
  const protocols = raw.protocols;
  if (protocols.includes('any') && protocols.length > 1) {
    diagnostics.push(diagnosticAt(doc, [...path, 'protocols'], 'protocols lists "any" beside other protocols', 'write [any] alone, or list the protocols'));
  }
  const ports = parsePorts(doc, path, raw, params, diagnostics);
  return {
    id: raw.id,
    title: raw.title,
    from: parseRefs(doc, [...path, 'from'], raw.from, diagnostics),
    to: parseRefs(doc, [...path, 'to'], raw.to, diagnostics),
    protocols,
    ports,
    direction: raw.direction,
    requirement: parseRequirement(raw.requirement),
    security: raw.security ?? [],
    citations: (Array.isArray(raw.citation) ? raw.citation : [raw.citation]).map(toCitation),
    vague: raw.vague ?? null,
    notes: raw.notes ?? null,
    location: doc.locate(path),
  };
}

function toCitation(raw: RawCitation): Citation {
  return { section: raw.section, row: raw.row ?? null, step: raw.step ?? null, item: raw.item ?? null };
}

function parseRequirement(raw: RawRule['requirement']): Requirement {
  if (raw === 'required') return { kind: 'required' };
  if (raw === 'optional') return { kind: 'optional' };
  return { kind: 'conditional', condition: raw.conditional };
}

/** `any`, a CIDR or address, a host name (it has a dot), or a kebab-case endpoint name. */
export function parseEndpointRef(text: string): { ok: true; ref: EndpointRef } | { ok: false; reason: string; hint: string } {
  if (text === 'any') return { ok: true, ref: { kind: 'any' } };
  if (looksLikeCidr(text)) {
    const parsed = parseCidr(text);
    return parsed.ok ? { ok: true, ref: { kind: 'cidr', cidr: parsed.block } } : parsed;
  }
  if (text.includes('.')) {
    return HOST.test(text)
      ? { ok: true, ref: { kind: 'host', host: normaliseHost(text) } }
      : { ok: false, reason: `"${text}" is not a host name`, hint: 'write a host name such as apigee.googleapis.com, or *.googleapis.com' };
  }
  return NAME.test(text)
    ? { ok: true, ref: { kind: 'name', name: text } }
    : { ok: false, reason: `"${text}" is not an endpoint name, CIDR or host name`, hint: 'endpoint names are kebab-case (message-processor); write any for every address' };
}

function parseRefs(doc: YamlDoc, path: YamlPath, raw: string | string[], diagnostics: Diagnostic[]): EndpointRef[] {
  const texts = Array.isArray(raw) ? raw : [raw];
  const refs: EndpointRef[] = [];
  texts.forEach((text, i) => {
    const parsed = parseEndpointRef(text);
    if (parsed.ok) refs.push(parsed.ref);
    else diagnostics.push(diagnosticAt(doc, Array.isArray(raw) ? [...path, i] : path, parsed.reason, parsed.hint));
  });
  if (refs.some((ref) => ref.kind === 'any') && refs.length > 1) {
    diagnostics.push(diagnosticAt(doc, path, 'the endpoint list has "any" beside other endpoints', 'write any alone: it already covers every address'));
  }
  return refs;
}

function parsePorts(doc: YamlDoc, path: YamlPath, raw: RawRule, params: readonly ParamDecl[], diagnostics: Diagnostic[]): RulePorts {
  const needsPorts = raw.protocols.some(hasPorts);
  if (raw.ports === undefined) {
    if (needsPorts) diagnostics.push(diagnosticAt(doc, path, `rule "${raw.id}" has ${raw.protocols.filter(hasPorts).join('/')} but no ports`, 'add ports: a list of ports, ranges and {param: NAME}, or ports: any'));
    if (raw.vague !== undefined) diagnostics.push(diagnosticAt(doc, [...path, 'vague'], `vague rule "${raw.id}" has no port param`, 'give the ports as {param: NAME} with default: null so a value can be supplied'));
    return { kind: 'none' };
  }
  if (!needsPorts) {
    diagnostics.push(diagnosticAt(doc, [...path, 'ports'], `protocols ${raw.protocols.join(', ')} have no ports`, 'remove ports, or list a protocol with ports (tcp, udp, sctp)'));
    return { kind: 'none' };
  }
  if (raw.vague !== undefined && !raw.protocols.every(hasPorts)) {
    // A port-less protocol would match without any port, so the vague rule would match as written.
    diagnostics.push(diagnosticAt(doc, [...path, 'protocols'], `vague rule "${raw.id}" lists a protocol without ports`, 'a vague rule takes only tcp, udp or sctp, whose ports come from params'));
  }
  if (raw.ports === 'any') {
    if (raw.vague !== undefined) diagnostics.push(diagnosticAt(doc, [...path, 'ports'], `vague rule "${raw.id}" allows any port`, 'give the ports as {param: NAME} with default: null'));
    return { kind: 'any' };
  }
  const specs: PortSpec[] = [];
  raw.ports.forEach((spec, i) => {
    const at = [...path, 'ports', i];
    if (typeof spec === 'number') {
      specs.push({ kind: 'single', port: spec });
    } else if (typeof spec === 'string') {
      const parsed = parsePortText(spec);
      if (parsed.ok) specs.push({ kind: 'range', lo: parsed.ranges[0]!.lo, hi: parsed.ranges[0]!.hi });
      else diagnostics.push(diagnosticAt(doc, at, parsed.reason, parsed.hint));
    } else {
      const decl = params.find((p) => p.name === spec.param);
      if (!decl) {
        diagnostics.push(diagnosticAt(doc, [...at, 'param'], `param "${spec.param}" is not declared in this pack`, 'declare it under params: with its documented default (null when the document gives none)'));
      } else if (raw.vague === undefined && decl.defaultValue === null) {
        diagnostics.push(diagnosticAt(doc, [...at, 'param'], `param "${spec.param}" has no default, so rule "${raw.id}" cannot match as written`, 'add vague: saying what the document leaves out, or give the param its documented default'));
      } else if (raw.vague !== undefined && decl.defaultValue !== null) {
        diagnostics.push(diagnosticAt(doc, [...at, 'param'], `vague rule "${raw.id}" uses param "${spec.param}", which has a default`, 'a vague rule must not match on a default: set the param default to null'));
      }
      specs.push({ kind: 'param', param: spec.param });
    }
    if (raw.vague !== undefined && typeof spec !== 'object') {
      diagnostics.push(diagnosticAt(doc, at, `vague rule "${raw.id}" lists a fixed port`, 'take it out of the vague rule (a separate rule can hold what the document does give), or drop vague:'));
    }
  });
  return { kind: 'list', specs };
}

/** Declared data no rule uses is a mistake in the pack: a misspelt name or a forgotten rule. */
function reportUnused(doc: YamlDoc, rules: readonly Rule[], params: readonly ParamDecl[], endpoints: readonly EndpointBinding[], diagnostics: Diagnostic[]): void {
  const usedParams = new Set<string>();
  const usedNames = new Set<string>();
  for (const rule of rules) {
    if (rule.ports.kind === 'list') for (const spec of rule.ports.specs) if (spec.kind === 'param') usedParams.add(spec.param);
    for (const ref of [...rule.from, ...rule.to]) if (ref.kind === 'name') usedNames.add(ref.name);
  }
  for (const param of params) {
    if (!usedParams.has(param.name)) diagnostics.push(diagnosticAt(doc, ['params', param.name], `param "${param.name}" is declared but no rule uses it`, 'use it in a rule\'s ports as {param: NAME}, or remove it', 'key'));
  }
  for (const endpoint of endpoints) {
    if (!usedNames.has(endpoint.name)) diagnostics.push(diagnosticAt(doc, ['endpoints', endpoint.name], `endpoint "${endpoint.name}" is defined but no rule uses it`, 'use it in a rule\'s from or to, or remove it', 'key'));
  }
}

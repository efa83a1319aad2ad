/**
 * The shipped JSON Schemas (draft 2020-12, through ajv/dist/2020.js) checked against YAML documents,
 * with ajv's errors turned into one diagnostic per real problem: positioned on the offending key or
 * value, saying what was seen and what to write instead.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { schemaPath } from './package-root.js';
import { diagnosticAt, formatPath } from './yaml-source.js';
import type { YamlDoc, YamlPath } from './yaml-source.js';
import type { Diagnostic } from './types.js';

export type SchemaName = 'rule-pack' | 'inventory' | 'report';

const validators = new Map<SchemaName, ValidateFunction>();

/** The compiled validator of a shipped schema, compiled once per process. */
export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    // verbose: errors carry the failing schema, whose description becomes the hint. Formats
    // (date-time in the report schema) document the text; they are not checked.
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, validateFormats: false });
    validate = ajv.compile(JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object);
    validators.set(name, validate);
  }
  return validate;
}

/** Schema problems of one document; empty when it conforms. */
export function checkSchema(name: SchemaName, doc: YamlDoc): Diagnostic[] {
  const validate = schemaValidator(name);
  if (validate(doc.value)) return [];
  return relevantErrors(validate.errors ?? []).map((error) => toDiagnostic(error, doc));
}

/**
 * ajv reports every failed branch of an `anyOf`. Keep the errors of the branch whose type fits the
 * value; report the `anyOf` itself only when no branch fits.
 */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const namesAt = new Map<string, Set<unknown>>();
  for (const e of errors) {
    if (e.keyword !== 'propertyNames') continue;
    const names = namesAt.get(e.instancePath) ?? new Set<unknown>();
    names.add((e.params as { propertyName?: unknown }).propertyName);
    namesAt.set(e.instancePath, names);
  }
  const kept = errors.filter((e) => {
    if (e.keyword === 'anyOf') return true;
    // The pattern error behind a propertyNames error is reported by the propertyNames error.
    if (e.keyword === 'pattern' && namesAt.get(e.instancePath)?.has(e.data)) return false;
    if (!anyOfAt.has(e.instancePath)) return true;
    if (e.keyword === 'type') return false;
    if (e.keyword === 'const' || e.keyword === 'enum') return literalsFitType(e, e.data);
    return true;
  });
  return kept.filter(
    (e) => e.keyword !== 'anyOf' || !kept.some((other) => other !== e && other.keyword !== 'anyOf' && isAtOrUnder(other.instancePath, e.instancePath)),
  );
}

function literalsFitType(error: ErrorObject, data: unknown): boolean {
  const schema = error.parentSchema as { const?: unknown; enum?: unknown[] } | undefined;
  const literals = schema?.enum ?? (schema && 'const' in schema ? [schema.const] : []);
  return literals.some((literal) => jsonType(literal) === jsonType(data));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isAtOrUnder(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

/** The YAML path of a JSON pointer, with array indexes as numbers (they locate sequence items). */
function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(segment));
      node = node[Number(segment)] as unknown;
    } else {
      path.push(segment);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function toDiagnostic(error: ErrorObject, doc: YamlDoc): Diagnostic {
  const path = pointerToPath(error.instancePath, doc.value);
  const where = formatPath(path);
  const schema = (error.parentSchema ?? {}) as { description?: string; properties?: Record<string, { description?: string }> };
  const described = schema.description;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(schema.properties ?? {});
      const near = closest(key, allowed);
      const hint = near ? `did you mean "${near}"? Allowed keys: ${allowed.join(', ')}` : `remove it; allowed keys: ${allowed.join(', ')}`;
      return diagnosticAt(doc, [...path, key], `unknown key "${key}" in ${where}`, hint, 'key');
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      return diagnosticAt(doc, [...path, name], `"${name}" is not a valid name in ${where}`, nameHint(path), 'key');
    }
    case 'required': {
      const missing = String(params.missingProperty);
      const about = schema.properties?.[missing]?.description;
      return diagnosticAt(doc, path, `${where} is missing "${missing}"`, about ? `add ${missing}: ${lowerFirst(about)}` : `add ${missing}`);
    }
    case 'type':
      return diagnosticAt(doc, path, `${where} is ${describe(error.data)}, not ${String(params.type)}`, described ?? `write ${String(params.type)} here`);
    case 'enum':
    case 'const': {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue];
      return diagnosticAt(doc, path, `${where} is ${describe(error.data)}`, `use one of: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    case 'anyOf':
      return diagnosticAt(doc, path, `${where} is ${describe(error.data)}, which fits none of the accepted forms`, described ?? 'see the schema for the accepted forms');
    case 'pattern':
      return diagnosticAt(doc, path, `${where} is ${describe(error.data)}, not in the expected form`, described ?? `match ${String(params.pattern)}`);
    case 'minimum':
    case 'maximum':
      return diagnosticAt(doc, path, `${where} is ${describe(error.data)}, out of range`, `use ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}`);
    case 'minItems':
    case 'minLength':
      return diagnosticAt(doc, path, `${where} is empty`, described ?? 'give it a value or remove the key');
    case 'uniqueItems':
      return diagnosticAt(doc, path, `${where} lists the same value twice (items ${String(params.j)} and ${String(params.i)})`, 'remove the duplicate');
    default:
      return diagnosticAt(doc, path, `${where} ${error.message ?? 'does not conform to the schema'}`, described ?? 'see the schema');
  }
}

function nameHint(path: YamlPath): string {
  return path[path.length - 1] === 'params' ? 'write <namespace>.<name>, e.g. apic.gateway_service_port' : 'use a kebab-case name, e.g. message-processor';
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The allowed key a misspelt one is probably meant to be: a quarter of its letters wrong at most. */
function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(word.length / 4)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Rule sources from paths: rule packs and Kubernetes NetworkPolicies, told apart by content (never
 * by file name), in files or folders walked recursively. Pack test files beside the packs are
 * skipped in folder walks.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { parseInventoryDoc } from './inventory.js';
import { isNetworkPolicy, networkPolicyToPack } from './network-policy.js';
import { parsePack } from './pack.js';
import { shippedRulesDir } from './package-root.js';
import { checkSchema } from './schema.js';
import { diagnosticAt, formatLocation, readYamlFile } from './yaml-source.js';
import type { YamlDoc } from './yaml-source.js';
import type { Diagnostic, Inventory, LoadedRules, ParamDecl, PortRange, RulePack } from './types.js';

/** What a YAML document is, by its content. */
export type DocumentKind = 'rule-pack' | 'network-policy' | 'inventory' | 'pack-test' | 'unknown';

export function documentKind(value: unknown): DocumentKind {
  if (isNetworkPolicy(value)) return 'network-policy';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'unknown';
  if ('cases' in value) return 'pack-test';
  if ('rules' in value || 'pack' in value) return 'rule-pack';
  if ('endpoints' in value || 'params' in value) return 'inventory';
  return 'unknown';
}

/** YAML files under `path` (itself when it is a file), in a stable order. */
export async function yamlFilesUnder(path: string): Promise<{ files: string[]; walked: boolean }> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new ConfigError(`no such file or folder: ${path}`, 'check the path', path);
  if (!info.isDirectory()) return { files: [path], walked: false };
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.ya?ml$/i.test(entry.name)) files.push(full);
    }
  };
  await walk(path);
  return { files, walked: true };
}

export interface RuleSources {
  packs: RulePack[];
  /** Inventories met on the way, when asked for (`rules validate`); otherwise they are skipped or refused. */
  inventories: { doc: YamlDoc; inventory: Inventory }[];
  files: string[];
  diagnostics: Diagnostic[];
}

/**
 * Read every rule source under `paths` (the shipped packs when empty), collecting problems instead
 * of throwing. With `withInventories`, inventories are read and checked too.
 */
export async function readRuleSources(paths: readonly string[], withInventories = false): Promise<RuleSources> {
  const roots = paths.length > 0 ? paths : [shippedRulesDir()];
  const result: RuleSources = { packs: [], inventories: [], files: [], diagnostics: [] };
  for (const root of roots) {
    const { files, walked } = await yamlFilesUnder(root);
    for (const file of files) await readSourceFile(file, walked, withInventories, result);
  }
  checkAcrossPacks(result);
  result.diagnostics = sortDiagnostics(result.diagnostics, result.files);
  return result;
}

/** Problems in the order the files were read, then by position within each file. */
function sortDiagnostics(diagnostics: readonly Diagnostic[], files: readonly string[]): Diagnostic[] {
  const order = (file: string): number => {
    const index = files.indexOf(file);
    return index < 0 ? files.length : index;
  };
  return [...diagnostics].sort((a, b) => order(a.file) - order(b.file) || a.line - b.line || a.column - b.column);
}

async function readSourceFile(file: string, walked: boolean, withInventories: boolean, into: RuleSources): Promise<void> {
  const yaml = await readYamlFile(file);
  const kinds = yaml.docs.map((doc) => documentKind(doc.value));
  // A folder walk passes over the test files beside the packs, and over inventories unless asked for them.
  const skipped = (kind: DocumentKind): boolean => kind === 'pack-test' || (kind === 'inventory' && !withInventories);
  if (walked && kinds.length > 0 && kinds.every(skipped)) return;
  into.files.push(file);
  into.diagnostics.push(...yaml.diagnostics);
  for (const [i, doc] of yaml.docs.entries()) {
    if (kinds[i] === 'inventory' && withInventories) {
      const { inventory } = parseInventoryDoc(doc, into.diagnostics);
      if (inventory) into.inventories.push({ doc, inventory });
      continue;
    }
    const pack = ruleSource(doc, kinds[i]!, into.diagnostics);
    if (pack) into.packs.push(pack);
  }
}

/** The pack a document stands for; inventories and test files are reported as misplaced. */
function ruleSource(doc: YamlDoc, kind: DocumentKind, diagnostics: Diagnostic[]): RulePack | null {
  switch (kind) {
    case 'network-policy':
      return networkPolicyToPack(doc, diagnostics);
    case 'rule-pack': {
      const problems = checkSchema('rule-pack', doc);
      diagnostics.push(...problems);
      return problems.length === 0 ? parsePack(doc, diagnostics) : null;
    }
    case 'inventory':
      diagnostics.push(diagnosticAt(doc, [], 'this is an inventory, not a rule source', 'pass it with --inventory; --rules takes rule packs and NetworkPolicies'));
      return null;
    case 'pack-test':
      diagnostics.push(diagnosticAt(doc, [], 'this is a rule pack test file, not a rule source', 'pass the pack itself; its tests run with vitest'));
      return null;
    case 'unknown':
      diagnostics.push(diagnosticAt(doc, [], 'not a rule pack or NetworkPolicy', 'a rule pack has pack:, title:, document: and rules:; a NetworkPolicy has kind: NetworkPolicy'));
      return null;
  }
}

/** Pack ids are unique; packs that declare the same param must agree on its default. */
function checkAcrossPacks(sources: RuleSources): void {
  const packs = new Map<string, RulePack>();
  const params = new Map<string, ParamDecl>();
  for (const pack of sources.packs) {
    const other = packs.get(pack.id);
    if (other) {
      sources.diagnostics.push({
        ...pack.location,
        message: `pack id "${pack.id}" is also used at ${formatLocation(other.location)}`,
        hint: 'give each pack its own id; flows are reported as <pack>/<rule>',
      });
    } else {
      packs.set(pack.id, pack);
    }
    for (const param of pack.params) {
      const first = params.get(param.name);
      if (!first) params.set(param.name, param);
      else if (!sameRanges(first.defaultValue, param.defaultValue)) {
        sources.diagnostics.push({
          ...param.location,
          message: `param "${param.name}" has a different default than at ${formatLocation(first.location)}`,
          hint: 'packs sharing a param must agree on its documented default',
        });
      }
    }
  }
}

function sameRanges(a: readonly PortRange[] | null, b: readonly PortRange[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((r, i) => r.lo === b[i]!.lo && r.hi === b[i]!.hi);
}

/** Every param any pack declares, by name. */
export function paramsOf(packs: readonly RulePack[]): Map<string, ParamDecl> {
  const params = new Map<string, ParamDecl>();
  for (const pack of packs) for (const param of pack.params) if (!params.has(param.name)) params.set(param.name, param);
  return params;
}

/**
 * Load rule packs and NetworkPolicies from `paths` (files or folders; the shipped `rules/` when
 * empty). Throws a ConfigError on the first problem, saying how many more there are.
 */
export async function loadRulePacks(paths: readonly string[] = []): Promise<LoadedRules> {
  const sources = await readRuleSources(paths);
  const first = sources.diagnostics[0];
  if (first) {
    const more = sources.diagnostics.length - 1;
    throw new ConfigError(more > 0 ? `${first.message} (and ${more} more problem${more === 1 ? '' : 's'})` : first.message, more > 0 ? `${first.hint}; run flowaudit rules validate to list them all` : first.hint, formatLocation(first));
  }
  if (sources.packs.length === 0) {
    throw new ConfigError('no rule packs found', 'pass rule pack or NetworkPolicy files (or folders holding them) with --rules', paths.join(', '));
  }
  return { packs: sources.packs, params: paramsOf(sources.packs), files: sources.files };
}

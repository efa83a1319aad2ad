/**
 * The inventory: which real addresses, pods and host names each endpoint name stands for, and the
 * values of configurable ports. Overlapping CIDRs are allowed (the longest prefix wins when an
 * address is placed); the same CIDR under two endpoints is ambiguous and rejected.
 */
import { ConfigError } from '../errors.js';
import { parseBinding } from './bindings.js';
import { parseCidr } from './cidr.js';
import type { RawBinding } from './bindings.js';
import { parsePortValue } from './ports.js';
import { checkSchema } from './schema.js';
import { diagnosticAt, formatLocation, readYamlFile } from './yaml-source.js';
import type { YamlDoc } from './yaml-source.js';
import type { Diagnostic, Inventory, SourceLocation } from './types.js';

interface RawInventory {
  endpoints: Record<string, RawBinding>;
  params?: Record<string, unknown>;
}

/** Read an inventory file, collecting problems instead of throwing (for `rules validate`). */
export async function readInventory(file: string): Promise<{ inventory: Inventory | null; diagnostics: Diagnostic[] }> {
  const yaml = await readYamlFile(file);
  const diagnostics = [...yaml.diagnostics];
  if (yaml.docs.length !== 1) {
    if (diagnostics.length === 0) diagnostics.push({ file, line: 1, column: 1, message: `the inventory has ${yaml.docs.length} YAML documents`, hint: 'keep one inventory per file' });
    return { inventory: null, diagnostics };
  }
  return parseInventoryDoc(yaml.docs[0]!, diagnostics);
}

export function parseInventoryDoc(doc: YamlDoc, diagnostics: Diagnostic[] = []): { inventory: Inventory | null; diagnostics: Diagnostic[] } {
  const problems = checkSchema('inventory', doc);
  diagnostics.push(...problems);
  if (problems.length > 0) return { inventory: null, diagnostics };
  const raw = doc.value as RawInventory;
  const endpoints = Object.entries(raw.endpoints).map(([name, binding]) => parseBinding(doc, ['endpoints', name], name, binding, diagnostics));
  for (const endpoint of endpoints) {
    if (endpoint.cidrs.length + endpoint.k8s.length + endpoint.hosts.length === 0) {
      diagnostics.push(diagnosticAt(doc, ['endpoints', endpoint.name], `endpoint "${endpoint.name}" binds nothing`, 'give it cidrs, k8s selectors or hosts, or remove it', 'key'));
    }
  }
  checkDuplicateCidrs(doc, raw, diagnostics);
  const params = new Map<string, { value: { lo: number; hi: number }[]; location: SourceLocation }>();
  for (const [name, value] of Object.entries(raw.params ?? {})) {
    const parsed = parsePortValue(value);
    if (parsed.ok) params.set(name, { value: parsed.ranges, location: doc.locate(['params', name], 'key') });
    else diagnostics.push(diagnosticAt(doc, ['params', name], parsed.reason, parsed.hint));
  }
  return { inventory: { file: doc.file, endpoints, params }, diagnostics };
}

/** An exact tie between two endpoints leaves no longest prefix to decide an address by. */
function checkDuplicateCidrs(doc: YamlDoc, raw: RawInventory, diagnostics: Diagnostic[]): void {
  const owners = new Map<string, { endpoint: string; location: SourceLocation }>();
  for (const [name, binding] of Object.entries(raw.endpoints)) {
    (binding.cidrs ?? []).forEach((text, i) => {
      const block = parseCidrQuiet(text);
      if (!block) return;
      const location = doc.locate(['endpoints', name, 'cidrs', i]);
      const owner = owners.get(block);
      if (!owner) owners.set(block, { endpoint: name, location });
      else if (owner.endpoint !== name) {
        diagnostics.push({
          ...location,
          message: `${block} is bound to both "${owner.endpoint}" (${formatLocation(owner.location)}) and "${name}"`,
          hint: 'an address must belong to one endpoint: remove one, or make one of them a longer (more specific) prefix',
        });
      }
    });
  }
}

/** The normalised text of a CIDR; bad ones are reported by parseBinding. */
function parseCidrQuiet(text: string): string | null {
  const parsed = parseCidr(text);
  return parsed.ok ? parsed.block.text : null;
}

/** Load an inventory; the first problem is thrown as a ConfigError. */
export async function loadInventory(file: string): Promise<Inventory> {
  const { inventory, diagnostics } = await readInventory(file);
  const first = diagnostics[0];
  if (first || !inventory) {
    const more = diagnostics.length - 1;
    const message = first ? (more > 0 ? `${first.message} (and ${more} more problem${more === 1 ? '' : 's'})` : first.message) : 'the inventory could not be read';
    throw new ConfigError(message, first?.hint ?? 'check the file', first ? formatLocation(first) : file);
  }
  return inventory;
}

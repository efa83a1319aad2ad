/**
 * Param values: `--param NAME=VALUE` overrides the inventory, which overrides the pack's documented
 * default. A name no loaded pack declares is a mistake (a typo would otherwise be ignored silently).
 */
import { ConfigError } from '../errors.js';
import { parsePortValue } from './ports.js';
import { formatLocation } from './yaml-source.js';
import type { Inventory, ParamDecl, PortRange } from './types.js';

export type ParamSource = 'default' | 'inventory' | 'cli';

export interface ResolvedParam {
  name: string;
  /** Null: no value anywhere (the document gives none and nobody supplied one). */
  value: PortRange[] | null;
  source: ParamSource;
}

/** `["apic.gateway_service_port=3001"]` → `{ "apic.gateway_service_port": "3001" }`. */
export function parseParamArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0 || eq === arg.length - 1) {
      throw new ConfigError(`--param "${arg}" is not NAME=VALUE`, 'write e.g. --param apic.gateway_service_port=3001', '--param');
    }
    out[arg.slice(0, eq).trim()] = arg.slice(eq + 1).trim();
  }
  return out;
}

export function resolveParams(
  declared: ReadonlyMap<string, ParamDecl>,
  inventory: Inventory | null,
  cli: Readonly<Record<string, string>> = {},
): Map<string, ResolvedParam> {
  const resolved = new Map<string, ResolvedParam>();
  for (const decl of declared.values()) resolved.set(decl.name, { name: decl.name, value: decl.defaultValue, source: 'default' });
  for (const [name, { value, location }] of inventory?.params ?? []) {
    if (!declared.has(name)) throw unknownParam(name, declared, formatLocation(location));
    resolved.set(name, { name, value, source: 'inventory' });
  }
  for (const [name, text] of Object.entries(cli)) {
    if (!declared.has(name)) throw unknownParam(name, declared, '--param');
    const parsed = parsePortValue(text);
    if (!parsed.ok) throw new ConfigError(`--param ${name}: ${parsed.reason}`, parsed.hint, '--param');
    resolved.set(name, { name, value: parsed.ranges, source: 'cli' });
  }
  return resolved;
}

function unknownParam(name: string, declared: ReadonlyMap<string, ParamDecl>, location: string): ConfigError {
  const problem = unknownParamProblem(name, declared);
  return new ConfigError(problem.message, problem.hint, location);
}

/** What to say about a param name no loaded pack declares. */
export function unknownParamProblem(name: string, declared: ReadonlyMap<string, ParamDecl>): { message: string; hint: string } {
  const prefix = name.split('.')[0]!;
  const sameNamespace = [...declared.keys()].filter((n) => n.startsWith(`${prefix}.`)).sort();
  const hint = sameNamespace.length > 0 ? `params under ${prefix}.: ${sameNamespace.join(', ')}` : 'run flowaudit rules list to see the packs; each pack declares its params';
  return { message: `no loaded rule pack declares param "${name}"`, hint };
}

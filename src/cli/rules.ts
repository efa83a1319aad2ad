/**
 * `flowaudit rules list | show ID | validate [PATH...]`. Argument parsing and printing only: the
 * output functions are pure, `(data, options) => string`, so tests compare text.
 */
import { relative, isAbsolute } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { loadRulePacks } from '../rules/load.js';
import { formatPortRange } from '../rules/ports.js';
import { validate } from '../rules/validate.js';
import type { ValidationReport } from '../rules/validate.js';
import type { EndpointRef, LoadedRules, Rule, RulePack } from '../rules/types.js';
import { endpointRefText } from '../rules/endpoint-ref.js';
import { citationText } from '../rules/citation.js';

export interface FormatOptions {
  /** Paths under this folder print relative to it. */
  cwd: string;
}

export function rulesCommand(): Command {
  const rules = new Command('rules').description('list, show and validate rule packs, NetworkPolicies and inventories');
  const options = (): FormatOptions => ({ cwd: process.cwd() });

  rules
    .command('list')
    .description('one line per rule: id, title, from → to, protocols/ports, requirement')
    .option('--rules <path...>', 'rule packs or NetworkPolicies, files or folders (default: the shipped packs)')
    .action(async (opts: { rules?: string[] }) => {
      process.stdout.write(formatRuleList(await loadRulePacks(opts.rules ?? []), options()));
    });

  rules
    .command('show')
    .description('a rule in full, with its citation')
    .argument('<id>', 'PACK/RULE, or RULE when only one pack has it')
    .option('--rules <path...>', 'rule packs or NetworkPolicies, files or folders (default: the shipped packs)')
    .action(async (id: string, opts: { rules?: string[] }) => {
      const loaded = await loadRulePacks(opts.rules ?? []);
      const { pack, rule } = findRule(loaded, id);
      process.stdout.write(formatRule(pack, rule, loaded, options()));
    });

  rules
    .command('validate')
    .description('check rule packs, NetworkPolicies and inventories; every problem as file:line:column')
    .argument('[paths...]', 'files or folders (default: the shipped packs)')
    .action(async (paths: string[]) => {
      const report = await validate(paths);
      process.stdout.write(formatValidation(report, options()));
      const problems = report.diagnostics.length;
      if (problems > 0) {
        throw new ConfigError(`${plural(problems, 'problem')} found`, 'fix them and run flowaudit rules validate again');
      }
    });
  return rules;
}

/** The rule an id names: `pack/rule`, or a rule id only one pack has. */
export function findRule(loaded: LoadedRules, id: string): { pack: RulePack; rule: Rule } {
  const slash = id.lastIndexOf('/');
  const candidates = loaded.packs.flatMap((pack) =>
    pack.rules.filter((rule) => (slash < 0 ? rule.id === id : pack.id === id.slice(0, slash) && rule.id === id.slice(slash + 1))).map((rule) => ({ pack, rule })),
  );
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    throw new ConfigError(`rule id "${id}" is in several packs`, `name one: ${candidates.map((c) => `${c.pack.id}/${c.rule.id}`).join(', ')}`);
  }
  throw new ConfigError(`no rule "${id}"`, 'run flowaudit rules list to see the rule ids');
}

export function formatRuleList(loaded: LoadedRules, options: FormatOptions): string {
  const rows = loaded.packs.flatMap((pack) =>
    pack.rules.map((rule) => [`${pack.id}/${rule.id}`, rule.title, `${refsText(rule.from)} ${rule.direction === 'both-ways' ? '↔' : '→'} ${refsText(rule.to)}`, portsText(rule, loaded), requirementText(rule)]),
  );
  const widths = [0, 1, 2, 3].map((column) => Math.max(0, ...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => `${row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ')}\n`);
  const sources = loaded.files.map((file) => displayPath(file, options)).join(', ');
  return `${lines.join('')}${plural(rows.length, 'rule')} in ${plural(loaded.packs.length, 'pack')} (${sources})\n`;
}

export function formatRule(pack: RulePack, rule: Rule, loaded: LoadedRules, options: FormatOptions): string {
  const field = (name: string, value: string): string => `  ${(name === '' ? '' : `${name}:`).padEnd(13)}${value}\n`;
  let out = `${pack.id}/${rule.id}\n`;
  out += field('title', rule.title);
  out += field('from', refsDetail(rule.from, pack));
  out += field('to', refsDetail(rule.to, pack));
  out += field('direction', rule.direction === 'both-ways' ? 'both ways (either side may start the connection)' : 'one way (from starts the connection)');
  out += field('protocols', rule.protocols.join(', '));
  out += field('ports', portsDetail(rule, loaded));
  out += field('requirement', requirementText(rule));
  out += field('security', rule.security.length > 0 ? rule.security.join(', ') : 'none named');
  rule.citations.forEach((citation, i) => {
    out += field(i === 0 ? 'citation' : '', `${pack.document.file} (${pack.document.title}), ${citationText(citation)}`);
  });
  if (rule.vague !== null) out += field('vague', rule.vague);
  if (rule.notes !== null) out += field('notes', rule.notes);
  out += field('defined at', `${displayPath(rule.location.file, options)}:${rule.location.line}:${rule.location.column}`);
  return out;
}

export function formatValidation(report: ValidationReport, options: FormatOptions): string {
  if (report.diagnostics.length === 0) return `${plural(report.files, 'file')}, ${plural(report.rules, 'rule')}: ok\n`;
  return report.diagnostics.map((d) => `${displayPath(d.file, options)}:${d.line}:${d.column}: ${d.message} — ${d.hint}\n`).join('');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function displayPath(file: string, options: FormatOptions): string {
  const rel = relative(options.cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function refsText(refs: readonly EndpointRef[]): string {
  return refs.map(endpointRefText).join(',');
}

/** Names with the pack's own addresses say so: they work without an inventory entry. */
function refsDetail(refs: readonly EndpointRef[], pack: RulePack): string {
  return refs
    .map((ref) => {
      if (ref.kind !== 'name') return endpointRefText(ref);
      const binding = pack.endpoints.find((e) => e.name === ref.name);
      if (!binding) return `${ref.name} (bound by the inventory)`;
      const parts = [
        binding.cidrs.length > 0 ? `${binding.cidrs.length} CIDR${binding.cidrs.length === 1 ? '' : 's'}` : '',
        binding.hosts.length > 0 ? `${binding.hosts.length} host name${binding.hosts.length === 1 ? '' : 's'}` : '',
        binding.k8s.length > 0 ? 'a pod selector' : '',
      ].filter((p) => p !== '');
      return parts.length > 0 ? `${ref.name} (the pack binds ${parts.join(', ')}; the inventory may rebind it)` : `${ref.name} (bound by the inventory: ${binding.description ?? 'no addresses in the document'})`;
    })
    .join(', ');
}

function portsText(rule: Rule, loaded: LoadedRules): string {
  const protocols = rule.protocols.join(',');
  switch (rule.ports.kind) {
    case 'none':
      return protocols;
    case 'any':
      return `${protocols}/any`;
    case 'list':
      return `${protocols}/${rule.ports.specs
        .map((spec) => {
          switch (spec.kind) {
            case 'single':
              return String(spec.port);
            case 'range':
              return `${spec.lo}-${spec.hi}`;
            case 'param': {
              const value = loaded.params.get(spec.param)?.defaultValue;
              return `{${spec.param}=${value ? value.map(formatPortRange).join(',') : '?'}}`;
            }
          }
        })
        .join(',')}`;
  }
}

function portsDetail(rule: Rule, loaded: LoadedRules): string {
  switch (rule.ports.kind) {
    case 'none':
      return 'none (the protocols have no ports)';
    case 'any':
      return 'any';
    case 'list':
      return rule.ports.specs
        .map((spec) => {
          switch (spec.kind) {
            case 'single':
              return String(spec.port);
            case 'range':
              return `${spec.lo}-${spec.hi}`;
            case 'param': {
              const decl = loaded.params.get(spec.param);
              const value = decl?.defaultValue ? `default ${decl.defaultValue.map(formatPortRange).join(', ')}` : 'no default: set it with --param or in the inventory';
              return `param ${spec.param} (${value})`;
            }
          }
        })
        .join(', ');
  }
}

function requirementText(rule: Rule): string {
  let text: string;
  switch (rule.requirement.kind) {
    case 'required':
      text = 'required';
      break;
    case 'optional':
      text = 'optional';
      break;
    case 'conditional':
      text = `when ${rule.requirement.condition}`;
      break;
  }
  return rule.vague === null ? text : `${text} [vague]`;
}

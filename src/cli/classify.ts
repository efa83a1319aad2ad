/**
 * `flowaudit classify [--db FILE] --inventory FILE [--rules PATH...] [--param NAME=VALUE...]`:
 * hold the connections in the DuckDB file against the documented flows and print a short summary.
 * Rule, inventory and param problems are ConfigErrors (one line, exit 2, printed by main).
 */
import { Command } from 'commander';
import { classify } from '../classify/classify.js';
import type { ClassifySummary } from '../classify/classify.js';
import { parseParamArgs } from '../rules/params.js';
import { Store } from '../store/store.js';
import { DEFAULT_DB } from './ingest.js';

interface ClassifyFlags {
  db: string;
  inventory: string;
  rules?: string[];
  param?: string[];
}

export function classifyCommand(): Command {
  return new Command('classify')
    .description('hold the ingested connections against the documented flows: a verdict per connection, a status per flow')
    .option('--db <file>', 'DuckDB file to classify', DEFAULT_DB)
    .requiredOption('--inventory <file>', 'inventory binding the rules\' endpoint names to addresses, pods and host names')
    .option('--rules <path...>', 'rule packs or NetworkPolicies, files or folders (default: the shipped packs)')
    .option('--param <name=value...>', 'set a configurable port, e.g. --param apic.gateway_service_port=3001 (repeatable)')
    .action(async (flags: ClassifyFlags) => {
      const params = parseParamArgs(flags.param ?? []);
      const store = await Store.open(flags.db);
      try {
        const progress = process.stderr.isTTY
          ? (step: { name: string }, index: number, total: number) => process.stderr.write(`\r\x1b[Kclassify: ${index + 1}/${total} ${step.name}`)
          : undefined;
        const summary = await classify(store, { rules: flags.rules ?? [], inventory: flags.inventory, params, ...(progress ? { onStep: progress } : {}) });
        if (progress) process.stderr.write('\r\x1b[K');
        process.stdout.write(formatClassifySummary(summary));
      } finally {
        store.close();
      }
    });
}

/** Three lines: what was classified, connections by verdict, flows by status. */
export function formatClassifySummary(summary: ClassifySummary): string {
  const v = summary.verdicts;
  const f = summary.flows;
  const flows = Object.values(f).reduce((a, b) => a + b, 0);
  return (
    `classified ${count(summary.connections, 'connection')} against ${count(flows, 'documented flow')} ` +
    `(${count(summary.packs.length, 'pack')}, inventory ${summary.inventory}) in ${(summary.durationMs / 1000).toFixed(1)} s\n` +
    `connections: ${v.documented} documented, ${v.unexpected} unexpected, ${v.denied} denied, ${v.unanswered} unanswered\n` +
    `flows: ${f.observed} observed, ${f.denied} denied, ${f.unanswered} unanswered, ${f.unobserved} unobserved, ${f.not_covered} not covered\n`
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

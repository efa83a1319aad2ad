/**
 * `flowaudit rules validate`: every rule pack, NetworkPolicy and inventory under the paths, with
 * every problem (not just the first) as file:line:column, what is wrong and what to do.
 */
import { paramsOf, readRuleSources } from './load.js';
import { unknownParamProblem } from './params.js';
import { diagnosticAt } from './yaml-source.js';
import type { Diagnostic } from './types.js';

export interface ValidationReport {
  files: number;
  rules: number;
  diagnostics: Diagnostic[];
}

/** Validate the files and folders in `paths` (the shipped packs when empty). */
export async function validate(paths: readonly string[] = []): Promise<ValidationReport> {
  const sources = await readRuleSources(paths, true);
  const diagnostics = [...sources.diagnostics];
  if (sources.inventories.length > 0) {
    // An inventory's params are checked against the packs given with it, or else the shipped ones.
    const declared = sources.packs.length > 0 ? paramsOf(sources.packs) : paramsOf((await readRuleSources([])).packs);
    for (const { doc, inventory } of sources.inventories) {
      for (const name of inventory.params.keys()) {
        if (declared.has(name)) continue;
        const problem = unknownParamProblem(name, declared);
        diagnostics.push(diagnosticAt(doc, ['params', name], problem.message, problem.hint, 'key'));
      }
    }
  }
  return { files: sources.files.length, rules: sources.packs.reduce((n, pack) => n + pack.rules.length, 0), diagnostics };
}

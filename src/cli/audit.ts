/**
 * `flowaudit audit --inventory FILE [--rules PATH...] [--format F] [-o FILE] [--db FILE] [--fail-on KINDS] PATH...`:
 * ingest, classify and report in one command. The database lives in memory unless --db names a file.
 * Progress and per-input lines go to stderr; standard output carries only the report.
 */
import { Command, Option } from 'commander';
import { classify } from '../classify/classify.js';
import { FlowauditError } from '../errors.js';
import { INGESTERS } from '../ingest/registry.js';
import { resolveInputs } from '../ingest/inputs.js';
import type { InputKind } from '../ingest/types.js';
import { checkBaselineFor, parseFailOn } from '../report/fail-on.js';
import { loadBaseline } from '../report/baseline.js';
import { loadReport } from '../report/load.js';
import { loadInventory } from '../rules/inventory.js';
import { parseParamArgs } from '../rules/params.js';
import { Store } from '../store/store.js';
import { formatClassifySummary } from './classify.js';
import { EXIT } from './exit-codes.js';
import { collectPort, ingestInputs } from './ingest.js';
import { addOutputOptions, writeReport } from './report.js';
import type { OutputFlags } from './report.js';

interface AuditFlags extends OutputFlags {
  inventory: string;
  rules?: string[];
  param?: string[];
  db?: string;
  inputFormat: 'auto' | InputKind;
  logFormat?: string;
  vxlanPort: number[];
}

export function auditCommand(): Command {
  return addOutputOptions(
    new Command('audit')
      .description('ingest captures and flow logs, classify them against the documented flows and report, in one command')
      .argument('<path...>', 'captures and flow logs: files, directories (walked recursively) or - for standard input')
      .requiredOption('--inventory <file>', "inventory binding the rules' endpoint names to addresses, pods and host names")
      .option('--rules <path...>', 'rule packs or NetworkPolicies, files or folders (default: the shipped packs)')
      .option('--param <name=value...>', 'set a configurable port, e.g. --param apic.gateway_service_port=3001')
      .option('--db <file>', 'keep the DuckDB file here (default: in memory, gone when the audit ends)')
      .addOption(new Option('--input-format <kind>', 'input format; auto detects it from the content').choices(['auto', ...Object.keys(INGESTERS)]).default('auto'))
      .option('--log-format <fields>', "VPC flow-log field list for files without a header, e.g. '${version} ${account-id} ...'")
      .option('--vxlan-port <port>', 'also decode this UDP port as VXLAN (repeatable)', collectPort, []),
  ).action(async (paths: string[], flags: AuditFlags) => {
    // Check everything the user typed before any work starts.
    const failOn = parseFailOn(flags.failOn);
    const params = parseParamArgs(flags.param ?? []);
    // A wrong inventory or baseline is found before minutes of ingesting, not after.
    await loadInventory(flags.inventory);
    const baseline = flags.baseline === undefined ? undefined : await loadBaseline(flags.baseline);
    checkBaselineFor(failOn, baseline !== undefined);
    const inputs = await resolveInputs(paths);
    if (inputs.length === 0) throw new FlowauditError('no inputs found', 'name capture or flow-log files, or folders holding them', paths.join(' '));
    const store = await Store.open(flags.db ?? ':memory:');
    try {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const ingestExit = await ingestInputs(store, inputs, { format: flags.inputFormat, logFormat: flags.logFormat, vxlanPort: flags.vxlanPort }, log);
      const summary = await classify(store, { rules: flags.rules ?? [], inventory: flags.inventory, params });
      process.stderr.write(formatClassifySummary(summary));
      const report = await loadReport(store, { generatedAt: new Date() });
      const exit = await writeReport(report, flags, failOn, baseline);
      // A bad input makes the audit incomplete: that outranks findings.
      process.exitCode = ingestExit === EXIT.ok ? exit : ingestExit;
    } finally {
      store.close();
    }
  });
}

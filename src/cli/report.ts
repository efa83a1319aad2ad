/**
 * `flowaudit report [--db FILE] [--format table|json|csv|markdown|html] [-o FILE] [--baseline PREV] [--fail-on KINDS]`:
 * render the classified results of the DuckDB file. Exit 1 when results of the --fail-on kinds exist.
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { FlowauditError } from '../errors.js';
import { compareWithBaseline, loadBaseline } from '../report/baseline.js';
import { DEFAULT_FAIL_ON, failures, parseFailOn } from '../report/fail-on.js';
import type { FailKind } from '../report/fail-on.js';
import { RENDERERS, REPORT_FORMATS } from '../report/formats.js';
import type { ReportFormat } from '../report/formats.js';
import { loadReport, unclassifiedConnections } from '../report/load.js';
import type { Report } from '../report/model.js';
import { Store } from '../store/store.js';
import { EXIT } from './exit-codes.js';
import { DEFAULT_DB } from './ingest.js';

/** The output options `report` and `audit` share. */
export interface OutputFlags {
  format: ReportFormat;
  output?: string;
  baseline?: string;
  failOn: string;
}

interface ReportFlags extends OutputFlags {
  db: string;
}

export function addOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'report format').choices(REPORT_FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to this file instead of standard output')
    .option('--baseline <previous>', 'a previous DuckDB file or JSON report: mark findings new / gone / unchanged and flows whose status changed')
    .option('--fail-on <kinds>', 'exit 1 when any of these are found: unexpected, denied, unanswered, unobserved, not_covered, new (with --baseline), or none', DEFAULT_FAIL_ON);
}

export function reportCommand(): Command {
  return addOutputOptions(
    new Command('report')
      .description('render the classified results: findings, documented flows by status, rejected traffic, admin ports, top talkers')
      .option('--db <file>', 'classified DuckDB file', DEFAULT_DB),
  ).action(async (flags: ReportFlags) => {
    const failOn = parseFailOn(flags.failOn);
    const store = await Store.open(flags.db);
    let report: Report;
    try {
      report = await loadReport(store, { generatedAt: new Date() });
      const late = await unclassifiedConnections(store);
      if (late > 0) process.stderr.write(`flowaudit: warning: ${late} connection(s) were ingested after the last classify run and have no verdict — run classify again\n`);
    } finally {
      store.close();
    }
    process.exitCode = await writeReport(report, flags, failOn);
  });
}

/** Compare with the baseline (loaded here unless given), render, write; the exit code --fail-on asks for. */
export async function writeReport(current: Report, flags: OutputFlags, failOn: readonly FailKind[], baseline?: Report): Promise<number> {
  const report = flags.baseline === undefined ? current : compareWithBaseline(current, baseline ?? (await loadBaseline(flags.baseline)), flags.baseline);
  const found = failures(report, failOn);
  const color = flags.format === 'table' && flags.output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const text = RENDERERS[flags.format](report, { color });
  if (flags.output === undefined) {
    process.stdout.write(text);
  } else {
    try {
      await writeFile(flags.output, text);
    } catch (err) {
      throw new FlowauditError(`cannot write the report: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'check the -o path and its folder', flags.output);
    }
    const s = report.summary;
    process.stderr.write(
      `flowaudit: wrote ${flags.output} (${flags.format}): ${s.connections} connections — ${s.unexpected} unexpected, ${s.denied} denied, ${s.unanswered} unanswered; ` +
        `flows ${s.flows.observed} observed, ${s.flows.unobserved} unobserved\n`,
    );
  }
  return found.length > 0 ? EXIT.findings : EXIT.ok;
}

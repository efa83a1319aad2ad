/** `flowaudit ingest`: read captures and flow logs into the DuckDB file. */
import { Command, Option } from 'commander';
import { Store } from '../store/store.js';
import { FlowauditError } from '../errors.js';
import { INGESTERS, INGESTER_LIST } from '../ingest/registry.js';
import { detectFormat, readHead, resolveInputs } from '../ingest/inputs.js';
import type { ResolvedInput } from '../ingest/inputs.js';
import type { Ingester, IngestOptions, InputKind, InputReport } from '../ingest/types.js';
import { progressFor } from './progress.js';
import { formatInputReport } from './format-input-report.js';
import { EXIT } from './exit-codes.js';
import { readStdinHead } from './stdin.js';
import { ingestCloudWatch } from '../ingest/vpc/index.js';

export const DEFAULT_DB = 'flowaudit.duckdb';

interface IngestFlags extends InputFlags {
  db: string;
  cloudwatch?: string;
  since?: string;
  until?: string;
  logStreamPrefix?: string;
  region?: string;
  endpoint?: string;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('read captures (pcap, pcapng, .gz) and flow logs into the DuckDB file; PATH may be a file, a directory or - for stdin')
    .argument('[path...]', 'files, directories (walked recursively) or - for standard input')
    .option('--db <file>', 'DuckDB file to write', DEFAULT_DB)
    .addOption(new Option('--format <kind>', 'input format; auto detects it from the content').choices(['auto', ...Object.keys(INGESTERS)]).default('auto'))
    .option('--log-format <fields>', "VPC flow-log field list for files without a header, e.g. '${version} ${account-id} ...'")
    .option('--vxlan-port <port>', 'also decode this UDP port as VXLAN (repeatable)', collectPort, [])
    .option('--cloudwatch <group>', 'read VPC flow-log records from this CloudWatch Logs group instead of files')
    .option('--since <time>', 'CloudWatch: earliest event, ISO 8601 or a duration before now (90m, 24h, 7d)')
    .option('--until <time>', 'CloudWatch: latest event, same forms')
    .option('--log-stream-prefix <prefix>', 'CloudWatch: only streams (interfaces) starting with this')
    .option('--region <region>', 'CloudWatch: AWS region (default: the standard AWS configuration)')
    .option('--endpoint <url>', 'CloudWatch: another endpoint than AWS (a VPC endpoint, a test server)')
    .action(async (paths: string[], flags: IngestFlags) => {
      if (flags.cloudwatch !== undefined) {
        if (paths.length > 0) throw new FlowauditError('--cloudwatch reads a log group, not files', 'run one ingest for files and another for CloudWatch');
        process.exitCode = await runCloudWatch(flags);
        return;
      }
      if (paths.length === 0) throw new FlowauditError('nothing to ingest', 'name files or directories, - for standard input, or --cloudwatch GROUP');
      process.exitCode = await runIngest(paths, flags);
    });
}

async function runCloudWatch(flags: IngestFlags): Promise<number> {
  const store = await Store.open(flags.db);
  try {
    const report = await ingestCloudWatch(store, {
      group: flags.cloudwatch!,
      ...(flags.since !== undefined ? { since: flags.since } : {}),
      ...(flags.until !== undefined ? { until: flags.until } : {}),
      ...(flags.logStreamPrefix !== undefined ? { logStreamPrefix: flags.logStreamPrefix } : {}),
      ...(flags.region !== undefined ? { region: flags.region } : {}),
      ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
      ...(flags.logFormat !== undefined ? { logFormat: flags.logFormat } : {}),
    });
    process.stdout.write(`${formatInputReport(report)}\n`);
    for (const w of report.warnings) process.stderr.write(`flowaudit: warning: ${w}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}

export function collectPort(value: string, previous: number[]): number[] {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new FlowauditError(`--vxlan-port ${value} is not a UDP port`, 'give a number from 1 to 65535');
  }
  return [...previous, n];
}

async function runIngest(paths: string[], flags: IngestFlags): Promise<number> {
  const inputs = await resolveInputs(paths);
  const store = await Store.open(flags.db);
  try {
    return await ingestInputs(store, inputs, flags, (line) => process.stdout.write(`${line}\n`));
  } finally {
    store.close();
  }
}

/** What shapes how inputs are read (shared by `ingest` and `audit`). */
export interface InputFlags {
  format: 'auto' | InputKind;
  logFormat?: string;
  vxlanPort?: number[];
}

/**
 * Ingest resolved inputs into an open store, printing one report line per input with `print`.
 * A bad input is reported on stderr and the others still run; the result is then exit code 2.
 */
export async function ingestInputs(store: Store, inputs: ResolvedInput[], flags: InputFlags, print: (line: string) => void): Promise<number> {
  const options = ingestOptions(flags);
  let exit: number = EXIT.ok;
  for (const input of inputs) {
    try {
      const ingester = await chooseIngester(input.path, flags.format, options);
      if (!ingester) {
        if (input.fromDirectory) {
          process.stderr.write(`flowaudit: ${input.path}: skipped — not a capture or flow log this version reads\n`);
          continue;
        }
        throw new FlowauditError(
          'not a format flowaudit reads (pcap, pcapng, or a flow log), judged by its first bytes',
          'check the file, or name the format with --format',
          input.path,
        );
      }
      const report = await ingestOne(store, ingester, input.path, options);
      print(formatInputReport(report));
      for (const w of report.warnings) process.stderr.write(`flowaudit: warning: ${w}\n`);
    } catch (err) {
      const known = asKnownError(err, input.path);
      if (!known) throw err;
      // One bad input does not stop the others; the run still ends with exit code 2.
      process.stderr.write(`flowaudit: ${known.toLine()}\n`);
      exit = EXIT.error;
    }
  }
  return exit;
}

/** Our own errors, and the operating system's (unreadable file, disk full) as one line. */
function asKnownError(err: unknown, path: string): FlowauditError | null {
  if (err instanceof FlowauditError) return err;
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall) {
    const e = err as NodeJS.ErrnoException;
    return new FlowauditError(`cannot ${e.syscall ?? 'read'}: ${e.code}`, 'check the path and its permissions', path);
  }
  return null;
}

async function chooseIngester(path: string, format: InputFlags['format'], options: IngestOptions): Promise<Ingester | null> {
  if (format !== 'auto') return INGESTERS[format];
  const head = path === '-' ? await readStdinHead() : await readHead(path);
  return detectFormat(head, INGESTER_LIST, options);
}

function ingestOptions(flags: InputFlags): IngestOptions {
  return {
    ...(flags.logFormat !== undefined ? { logFormat: flags.logFormat } : {}),
    ...(flags.vxlanPort && flags.vxlanPort.length > 0 ? { vxlanPorts: flags.vxlanPort } : {}),
  };
}

async function ingestOne(store: Store, ingester: Ingester, path: string, options: IngestOptions): Promise<InputReport> {
  const progress = progressFor(path);
  try {
    return await ingester.ingest(store, path, { ...options, progress: (done, total) => progress.update(done, total) });
  } finally {
    progress.done();
  }
}

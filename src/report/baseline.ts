/**
 * Week-over-week comparison: `--baseline PREVIOUS` (a previous DuckDB file or JSON report) marks each
 * finding new / gone / unchanged and gives each flow its previous status. A finding is the same
 * finding when its grouping keys are equal (verdict, protocol, addresses, server port, endpoints):
 * a connection that was unexpected and is now denied is one gone and one new finding.
 */
import { open, readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { schemaValidator } from '../rules/schema.js';
import { Store } from '../store/store.js';
import { loadReport } from './load.js';
import { REPORT_SCHEMA } from './model.js';
import type { Change, Report, ReportFinding } from './model.js';

/** DuckDB files carry this at byte 8. */
const DUCKDB_MAGIC = 'DUCK';

/** The previous report, from a DuckDB file or a JSON report. */
export async function loadBaseline(path: string): Promise<Report> {
  const head = await readHead(path);
  if (head.subarray(8, 12).toString('latin1') === DUCKDB_MAGIC) {
    const store = await Store.openReadOnly(path);
    try {
      const report = await loadReport(store, { generatedAt: new Date(0) });
      return { ...report, generated_at: report.classification.classified_at ?? report.generated_at };
    } finally {
      store.close();
    }
  }
  if (head.toString('utf8').trimStart().startsWith('{')) return parseJsonReport(path);
  throw new ConfigError('the baseline is neither a flowaudit DuckDB file nor a JSON report', 'give the previous run\'s --db file or its `--format json` output', path);
}

async function readHead(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`cannot read the baseline: ${code}`, 'check the --baseline path', path);
  }
  try {
    const buffer = Buffer.alloc(64);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function parseJsonReport(path: string): Promise<Report> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`the baseline is not valid JSON: ${(err as Error).message}`, 'give the previous run\'s `--format json` output unchanged', path);
  }
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (schema !== REPORT_SCHEMA) {
    throw new ConfigError(`the baseline's schema is ${JSON.stringify(schema ?? null)}, not "${REPORT_SCHEMA}"`, 'give a report written by `flowaudit report --format json`', path);
  }
  // Everything of the baseline reaches the new report (gone findings, previous statuses): hold it to the schema.
  const validate = schemaValidator('report');
  if (!validate(value)) {
    const error = validate.errors?.[0];
    throw new ConfigError(
      `the baseline does not follow ${REPORT_SCHEMA}: ${error?.instancePath || '/'} ${error?.message ?? 'is invalid'}`,
      'give an unedited report written by `flowaudit report --format json`',
      path,
    );
  }
  return value as Report;
}

/** The key that makes two findings the same finding across runs. */
function findingKey(f: Pick<ReportFinding, 'verdict' | 'proto' | 'client_ip' | 'server_ip' | 'server_port' | 'client_endpoint' | 'server_endpoint'>): string {
  return JSON.stringify([f.verdict, f.proto, f.client_ip, f.server_ip, f.server_port, f.client_endpoint, f.server_endpoint]);
}

/** The current report with every finding and flow compared with the baseline's. */
export function compareWithBaseline(current: Report, baseline: Report, baselinePath: string): Report {
  const previous = new Map(baseline.findings.map((f) => [findingKey(f), f]));
  const currentKeys = new Set<string>();
  const counts: Record<Change, number> = { new: 0, gone: 0, unchanged: 0 };
  const findings: ReportFinding[] = current.findings.map((f) => {
    const key = findingKey(f);
    currentKeys.add(key);
    const change: Change = previous.has(key) ? 'unchanged' : 'new';
    counts[change]++;
    return { ...f, change };
  });
  for (const [key, f] of previous) {
    if (currentKeys.has(key)) continue;
    counts.gone++;
    findings.push({ ...f, change: 'gone' });
  }
  const previousStatus = new Map(baseline.flows.map((f) => [f.id, f.status]));
  const flows = current.flows.map((f) => ({ ...f, previous_status: previousStatus.get(f.id) ?? null }));
  const flowsChanged = flows.filter((f) => f.previous_status !== f.status).length;
  return {
    ...current,
    flows,
    findings,
    baseline: { path: baselinePath, generated_at: baseline.generated_at ?? null, findings: counts, flows_changed: flowsChanged },
  };
}

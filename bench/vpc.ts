/**
 * `npm run bench -- vpc [--records N] [--repeat N]`: VPC flow log ingest-to-connections against
 * plain DuckDB read_csv into a table, on the same generated default-format file, plain and
 * gzipped. Each side runs in a child process (peak RSS is per process), alternating; with
 * --repeat the fastest run of each side counts (a shared machine only ever makes runs slower).
 * The budget is flowaudit >= 60 % of the peer.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNodeScript } from './peak-rss.js';
import { generateFlowLog } from './vpc-generate.js';
import type { ChildResult } from './vpc-child.js';

const DEFAULT_RECORDS = 10_000_000;
const BUDGET_RATIO = 0.6;

interface Run {
  label: string;
  peer: ChildResult;
  flowaudit: ChildResult;
}

export async function runVpcBench(args: string[]): Promise<void> {
  const records = countArg(args, '--records', DEFAULT_RECORDS);
  const repeat = countArg(args, '--repeat', 1);
  const outDir = resolve(process.env.FLOWAUDIT_BENCH_OUT ?? join(process.cwd(), 'bench', 'out'));
  await mkdir(outDir, { recursive: true });
  const runs: Run[] = [];
  for (const gzip of [false, true]) {
    const file = join(outDir, `vpc-default-${records}.log${gzip ? '.gz' : ''}`);
    await ensureFile(file, records, gzip);
    const peers: ChildResult[] = [];
    const ours: ChildResult[] = [];
    for (let i = 0; i < repeat; i++) {
      peers.push(await runChild('peer', file, outDir));
      ours.push(await runChild('flowaudit', file, outDir));
    }
    runs.push({ label: gzip ? 'gzip' : 'plain', peer: fastest(peers), flowaudit: fastest(ours) });
  }
  printTable(records, runs);
}

function countArg(args: string[], flag: string, fallback: number): number {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} ${args[i + 1]}: give a positive whole number`);
  return n;
}

const fastest = (results: ChildResult[]) => results.reduce((best, r) => (r.seconds < best.seconds ? r : best));

/** Generated once per size and reused; written under a temporary name so an interrupted run leaves nothing half-made. */
async function ensureFile(file: string, records: number, gzip: boolean): Promise<void> {
  if (existsSync(file)) return;
  process.stderr.write(`generating ${file} ...\n`);
  const partial = `${file}.partial${gzip ? '.gz' : ''}`;
  await generateFlowLog(partial, records, gzip);
  await rename(partial, file);
}

async function runChild(side: 'peer' | 'flowaudit', file: string, outDir: string): Promise<ChildResult> {
  const db = join(outDir, `bench-${side}.duckdb`);
  await removeDb(db);
  const child = join(dirname(fileURLToPath(import.meta.url)), 'vpc-child.js');
  try {
    // The child times its own work (without node's start-up) and reports its own peak RSS.
    return (await runNodeScript<ChildResult>(child, [side, file, db])).output;
  } finally {
    await removeDb(db);
  }
}

async function removeDb(db: string): Promise<void> {
  await rm(db, { force: true });
  await rm(`${db}.wal`, { force: true });
}

function printTable(records: number, runs: Run[]): void {
  const rate = (r: ChildResult) => r.records / r.seconds;
  const mb = (r: ChildResult) => (r.maxRssKiB / 1024).toFixed(0);
  const lines = [
    `VPC flow logs, ${records.toLocaleString('en-US')} default-format records (peer: DuckDB read_csv into a table)`,
    'input  side       records/s     seconds  peak RSS MB  ratio',
  ];
  for (const run of runs) {
    const ratio = rate(run.flowaudit) / rate(run.peer);
    for (const [name, r] of [['peer', run.peer], ['flowaudit', run.flowaudit]] as const) {
      lines.push(
        `${run.label.padEnd(6)} ${name.padEnd(10)} ${Math.round(rate(r)).toLocaleString('en-US').padStart(10)}  ${r.seconds.toFixed(2).padStart(9)}  ${mb(r).padStart(11)}` +
          (name === 'flowaudit' ? `  ${(ratio * 100).toFixed(0)} % ${ratio >= BUDGET_RATIO ? '(ok)' : `(below ${BUDGET_RATIO * 100} %)`}` : ''),
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * `npm run bench -- calico [--lines N] [--keep-db]`: ingest a generated Calico flows.log into a
 * fresh DuckDB file, load the same file with plain DuckDB `read_json`, each in its own process,
 * and hold the numbers against the budget (>= 300 k lines/s; peak RSS printed). A third row is
 * a ceiling, not a peer: V8's JSON.parse alone over the same lines, nothing stored.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureFlowLog } from './calico-generate.js';
import type { CalicoChildOutput } from './calico-child.js';
import type { JsonParseOutput } from './calico-json-parse.js';
import type { ReadJsonOutput } from './calico-read-json.js';
import { runNodeScript } from './peak-rss.js';
import type { Measurement } from './peak-rss.js';
import { alignedTable } from './text-table.js';

const BUDGET_LINES_PER_SECOND = 300_000;
/** The design's memory budget is for a 7 GB file; it is printed here for the file at hand. */
const BUDGET_PEAK_RSS_BYTES = 3_000_000_000;

/** Compiled to dist/bench/: the children sit beside this file, bench/out/ is two levels up. */
const CHILD_SCRIPT = fileURLToPath(new URL('./calico-child.js', import.meta.url));
const PEER_SCRIPT = fileURLToPath(new URL('./calico-read-json.js', import.meta.url));
const CEILING_SCRIPT = fileURLToPath(new URL('./calico-json-parse.js', import.meta.url));
const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../bench/out/', import.meta.url));

export async function runCalicoBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      lines: { type: 'string', default: '2000000' },
      'keep-db': { type: 'boolean', default: false },
    },
  });
  const lines = Number(values.lines);
  if (!Number.isSafeInteger(lines) || lines <= 0) throw new Error(`--lines wants a positive integer, got ${JSON.stringify(values.lines)}`);
  const outDir = process.env.FLOWAUDIT_BENCH_DIR ?? DEFAULT_OUT_DIR;
  await mkdir(outDir, { recursive: true });

  log(`flows.log: ${lines} lines (generated once, then reused)`);
  const genStarted = performance.now();
  const file = await ensureFlowLog(outDir, lines);
  log(`  ${file.path}: ${mib(file.bytes)} MiB, ${Math.round(file.bytes / lines)} bytes a line` +
    (file.reused ? ' (reused)' : ` (generated in ${seconds((performance.now() - genStarted) / 1000)} s)`));

  const ours = await measured<CalicoChildOutput>('flowaudit', CHILD_SCRIPT, file.path, outDir, values['keep-db']);
  log(`  ${ours.output.records} records, ${ours.output.rejected} rejected, ${ours.output.connections} connections`);
  const peer = await measured<ReadJsonOutput>('duckdb read_json', PEER_SCRIPT, file.path, outDir, values['keep-db']);
  log(`  ${peer.output.rows} rows`);
  log('JSON.parse alone (one thread, nothing stored): running...');
  const ceiling = await runNodeScript<JsonParseOutput>(CEILING_SCRIPT, [file.path]);
  log(`  ${ceiling.output.rows} lines`);

  const rate = (m: Measurement): number => lines / m.seconds;
  printTable([
    ['tool', 'seconds', 'lines/s', 'peak RSS MiB', 'ours/peer'],
    ['flowaudit', seconds(ours.seconds), thousands(rate(ours)), rss(ours), `${(rate(ours) / rate(peer)).toFixed(2)}x`],
    ['duckdb read_json', seconds(peer.seconds), thousands(rate(peer)), rss(peer), ''],
    ['JSON.parse alone', seconds(ceiling.seconds), thousands(rate(ceiling)), rss(ceiling), ''],
  ]);
  const verdicts: [boolean, string][] = [
    [rate(ours) >= BUDGET_LINES_PER_SECOND, `flowaudit ${thousands(rate(ours))} lines/s (budget >= ${thousands(BUDGET_LINES_PER_SECOND)})`],
    [ours.peakRssKiB !== null && ours.peakRssKiB * 1024 < BUDGET_PEAK_RSS_BYTES,
      `flowaudit peak RSS ${rss(ours)} MiB on a ${mib(file.bytes)} MiB file (budget < 3 GB on a 7 GB file)`],
  ];
  for (const [ok, text] of verdicts) log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
}

/** Run one child on the file with a database of its own; the whole process is timed, start-up included. */
async function measured<T extends { maxRssKiB: number }>(name: string, script: string, path: string, outDir: string, keep: boolean): Promise<Measurement & { output: T }> {
  const db = join(outDir, `calico-bench-${name.replace(/\W+/g, '-')}-${process.pid}.duckdb`);
  await removeDb(db);
  log(`${name}: running...`);
  try {
    return await runNodeScript<T>(script, [path, db]);
  } finally {
    if (keep) log(`  database kept: ${db}`);
    else await removeDb(db);
  }
}

function printTable(rows: string[][]): void {
  log('');
  for (const line of alignedTable(rows)) log(line);
  log('');
}

async function removeDb(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.wal`, { force: true });
}

const seconds = (s: number): string => s.toFixed(2);
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');
const rss = (m: Measurement): string => (m.peakRssKiB === null ? '?' : mib(m.peakRssKiB * 1024));

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

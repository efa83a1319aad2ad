/**
 * `npm run bench -- pcap [--size-mb N] [--flows N] [--keep-db]`: ingest a generated capture into a
 * fresh DuckDB file, run argus and tshark over the same file, and hold the numbers against the budget.
 * `--appender` measures the store side alone instead (pcap-append.ts).
 */
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureCapture } from './pcap-generate.js';
import { runAppendBench } from './pcap-append.js';
import type { PcapChildOutput } from './pcap-child.js';
import { FLOOR_LABELS, FLOOR_STAGES } from './pcap-floor-stages.js';
import type { PcapFloorOutput } from './pcap-floor-stages.js';
import { findExecutable, runCommand, runNodeScript } from './peak-rss.js';
import type { Measurement } from './peak-rss.js';
import { parseBenchFlags } from './usage.js';
import { alignedTable } from './text-table.js';

const BUDGET_PACKETS_PER_SECOND = 2_000_000;
const BUDGET_PEAK_RSS_BYTES = 250_000_000;
const CAPTURE_SEED = 1;

/** The peers, as the issue names them, with how many times faster we aim to be; each is skipped when not installed. */
const PEERS = [
  { name: 'argus', package: 'argus-server', goalRatio: 2, args: (capture: string) => ['-r', capture, '-w', '/dev/null'] },
  { name: 'tshark', package: 'tshark', goalRatio: 20, args: (capture: string) => ['-n', '-q', '-r', capture, '-z', 'conv,tcp'] },
];

/** Compiled to dist/bench/: the child sits beside this file, bench/out/ is two levels up. */
const CHILD_SCRIPT = fileURLToPath(new URL('./pcap-child.js', import.meta.url));
const FLOOR_SCRIPT = fileURLToPath(new URL('./pcap-floor.js', import.meta.url));
const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../bench/out/', import.meta.url));

const USAGE = 'usage: npm run bench -- pcap [--size-mb N] [--flows N] [--keep-db] [--appender]';

interface Flags {
  sizeMiB: number;
  flows: number;
  keepDb: boolean;
  appender: boolean;
}

export async function runPcapBench(args: string[]): Promise<void> {
  const flags = parseBenchFlags(USAGE, () => parseFlags(args));
  const { sizeMiB, flows, keepDb } = flags;
  if (flags.appender) {
    await runAppendBench(flows);
    return;
  }
  const outDir = process.env.FLOWAUDIT_BENCH_DIR ?? DEFAULT_OUT_DIR;
  await mkdir(outDir, { recursive: true });

  log(`capture: ${sizeMiB} MiB, ${flows} flows, seed ${CAPTURE_SEED} (generated once, then reused)`);
  const genStarted = performance.now();
  const capture = await ensureCapture(outDir, { targetBytes: Math.round(sizeMiB * 2 ** 20), flows, seed: CAPTURE_SEED });
  log(`  ${capture.path}: ${capture.packets} packets, ${mib(capture.bytes)} MiB` +
    (capture.reused ? ' (reused)' : ` (generated in ${seconds((performance.now() - genStarted) / 1000)} s)`));

  const dbPath = join(outDir, `pcap-bench-${process.pid}.duckdb`);
  await removeDb(dbPath);
  log('flowaudit: ingesting...');
  let ours: Measurement & { output: PcapChildOutput };
  try {
    ours = await runNodeScript<PcapChildOutput>(CHILD_SCRIPT, [capture.path, dbPath]);
  } finally {
    if (!keepDb) await removeDb(dbPath);
  }
  if (keepDb) log(`  database kept: ${dbPath}`);
  if (ours.output.packets !== capture.packets) {
    log(`  note: flowaudit read ${ours.output.packets} packets, the generator wrote ${capture.packets}`);
  }
  log(`  ${ours.output.connections} connections; ${seconds(ours.output.seconds)} s from opening the database to closing it`);

  const rows: Row[] = [{ tool: 'flowaudit', m: ours, goalRatio: null }];
  for (const peer of PEERS) {
    const exe = findExecutable(peer.name);
    if (!exe) {
      log(`${peer.name}: skipped, not installed (Debian package ${peer.package})`);
      continue;
    }
    log(`${peer.name}: running...`);
    rows.push({ tool: peer.name, m: await runCommand(exe, peer.args(capture.path)), goalRatio: peer.goalRatio });
  }

  // Every tool is timed the same way: its whole process, start-up included.
  const rate = (m: Measurement): number => capture.packets / m.seconds;
  const ourRate = rate(ours);
  printTable(rows, rate, ourRate);

  const verdicts: [boolean, string][] = [
    [ourRate >= BUDGET_PACKETS_PER_SECOND, `flowaudit ${millions(ourRate)} M packets/s (budget >= ${millions(BUDGET_PACKETS_PER_SECOND)} M)`],
  ];
  const rssKiB = ours.peakRssKiB;
  verdicts.push(rssKiB === null
    ? [false, 'flowaudit peak RSS unknown (budget < 250 MB)']
    : [rssKiB * 1024 < BUDGET_PEAK_RSS_BYTES, `flowaudit peak RSS ${mib(rssKiB * 1024)} MiB = ${((rssKiB * 1024) / 1e6).toFixed(1)} MB (budget < 250 MB)`]);
  for (const { tool, m, goalRatio } of rows) {
    if (goalRatio === null) continue;
    const ratio = ourRate / rate(m);
    verdicts.push([ratio >= goalRatio, `${ratio.toFixed(2)}x ${tool} (goal >= ${goalRatio}x)`]);
  }
  for (const [ok, text] of verdicts) log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);

  await printFloors(capture.path, capture.packets, ours.output, ours.seconds);
}

/**
 * Where the budget goes: each floor stage in its own process, and the CPU the ingest used
 * against the CPU 2 M packets/s would allow on this machine (every core busy all the time).
 */
async function printFloors(capture: string, packets: number, ours: PcapChildOutput, ourWall: number): Promise<void> {
  log('');
  log('floors, each in its own process (seconds of work; start: the whole process):');
  const lines = [['stage', 'seconds', 'ns/packet', 'CPU s']];
  for (const stage of FLOOR_STAGES) {
    const m = await runNodeScript<PcapFloorOutput>(FLOOR_SCRIPT, [stage, capture]);
    const s = stage === 'start' ? m.seconds : m.output.seconds;
    lines.push([FLOOR_LABELS[stage], seconds(s), stage === 'start' || stage === 'hash' ? '' : (s * 1e9 / packets).toFixed(0), seconds(m.output.cpuSeconds)]);
  }
  lines.push(['flowaudit ingest (whole process)', seconds(ourWall), (ourWall * 1e9 / packets).toFixed(0), seconds(ours.cpuSeconds)]);
  for (const line of alignedTable(lines)) log(line);
  const cores = availableParallelism();
  const budgetSeconds = packets / BUDGET_PACKETS_PER_SECOND;
  log('');
  log(`CPU: the ingest used ${seconds(ours.cpuSeconds)} CPU-seconds (all threads); ${millions(BUDGET_PACKETS_PER_SECOND)} M packets/s on this file ` +
    `is ${seconds(budgetSeconds)} s of wall time, at most ${seconds(budgetSeconds * cores)} CPU-seconds on ${cores} cores.`);
}

interface Row {
  tool: string;
  m: Measurement;
  /** How many times faster than this peer we aim to be; null for our own row. */
  goalRatio: number | null;
}

function printTable(rows: Row[], rate: (m: Measurement) => number, ourRate: number): void {
  const lines = [['tool', 'seconds', 'packets/s', 'peak RSS MiB', 'ours/peer']];
  for (const { tool, m, goalRatio } of rows) {
    lines.push([
      tool,
      seconds(m.seconds),
      Math.round(rate(m)).toLocaleString('en-US'),
      m.peakRssKiB === null ? '?' : mib(m.peakRssKiB * 1024),
      goalRatio === null ? '' : `${(ourRate / rate(m)).toFixed(2)}x`,
    ]);
  }
  log('');
  for (const line of alignedTable(lines)) log(line);
  log('');
}

function parseFlags(args: string[]): Flags {
  const { values } = parseArgs({
    args,
    options: {
      'size-mb': { type: 'string', default: '1024' },
      flows: { type: 'string', default: '100000' },
      'keep-db': { type: 'boolean', default: false },
      appender: { type: 'boolean', default: false },
    },
  });
  return {
    sizeMiB: positiveNumber('--size-mb', values['size-mb']),
    flows: Math.floor(positiveNumber('--flows', values.flows)),
    keepDb: values['keep-db'],
    appender: values.appender,
  };
}

function positiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!(n > 0)) throw new Error(`${flag} wants a positive number, got ${JSON.stringify(text)}`);
  return n;
}

async function removeDb(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.wal`, { force: true });
}

const seconds = (s: number): string => s.toFixed(2);
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
const millions = (n: number): string => (n / 1e6).toFixed(2);

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

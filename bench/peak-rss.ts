/**
 * Run one measured process and report its wall time and peak resident set size.
 * A node child reports its own peak (the last line it prints is JSON with `maxRssKiB`); an
 * external command is wrapped in GNU time when that is installed, else its /proc status is polled.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface Measurement {
  /** Wall-clock seconds from spawn to exit. */
  seconds: number;
  /** Peak resident set size in KiB; null when it could not be read. */
  peakRssKiB: number | null;
}

/** What a node child printed last: its result, which includes its own peak RSS. */
export interface NodeChildOutput {
  maxRssKiB: number;
}

const GNU_TIME = '/usr/bin/time';
/** How often /proc is read when GNU time is missing; VmHWM keeps the peak between reads. */
const POLL_MS = 20;

/** Run a compiled node script; its last stdout line must be a JSON object with `maxRssKiB`. */
export async function runNodeScript<T extends NodeChildOutput>(script: string, args: string[]): Promise<Measurement & { output: T }> {
  const started = performance.now();
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  await exited(child, script);
  const seconds = (performance.now() - started) / 1000;
  const lastLine = stdout.trimEnd().split('\n').pop() ?? '';
  let output: T;
  try {
    output = JSON.parse(lastLine) as T;
  } catch {
    throw new Error(`${script} did not end with a JSON line; its stdout ended with: ${lastLine.slice(-200)}`);
  }
  return { seconds, peakRssKiB: typeof output.maxRssKiB === 'number' ? output.maxRssKiB : null, output };
}

/** Run an external command with its stdout discarded. Throws with the end of its stderr if it fails. */
export async function runCommand(command: string, args: string[]): Promise<Measurement> {
  if (existsSync(GNU_TIME)) return runUnderGnuTime(command, args);
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let peakRssKiB: number | null = null;
  const poll = setInterval(() => {
    void readPeakRss(child.pid).then((kib) => {
      if (kib !== null) peakRssKiB = Math.max(peakRssKiB ?? 0, kib);
    });
  }, POLL_MS);
  try {
    await exited(child, command);
  } finally {
    clearInterval(poll);
  }
  return { seconds: (performance.now() - started) / 1000, peakRssKiB };
}

/** The executable `name` on PATH or in the sbin directories (where argus lives), or null. */
export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

async function runUnderGnuTime(command: string, args: string[]): Promise<Measurement> {
  // -o keeps time's report apart from the command's own stderr.
  const dir = await mkdtemp(join(tmpdir(), 'flowaudit-time-'));
  const report = join(dir, 'rss');
  try {
    const started = performance.now();
    const child = spawn(GNU_TIME, ['-f', '%M', '-o', report, command, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    await exited(child, command);
    const seconds = (performance.now() - started) / 1000;
    const kib = Number((await readFile(report, 'utf8')).trim().split('\n').pop());
    return { seconds, peakRssKiB: Number.isFinite(kib) && kib > 0 ? kib : null };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readPeakRss(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null; // already gone
  }
}

/** Resolve when `child` exits with status 0; reject with the tail of its stderr otherwise. */
function exited(child: ChildProcess, what: string): Promise<void> {
  let stderrTail = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderrTail = (stderrTail + text).slice(-2000)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (${signal ?? `exit ${code}`})${stderrTail ? `:\n${stderrTail.trimEnd()}` : ''}`));
    });
  });
}

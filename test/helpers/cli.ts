/**
 * Runs the compiled CLI (dist/, built by `npm test` before vitest) as a user would: a child
 * process with NO_COLOR=1 and no terminal.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { vi } from 'vitest';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { stdin?: Uint8Array; cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.stdin) child.stdin.end(Buffer.from(options.stdin));
    else child.stdin.end();
  });
}

/**
 * Runs a command in this process (for coverage and spies), its stdout captured; a thrown error
 * (commander's exit included, with exitOverride) is returned, not thrown.
 */
export async function runInProcess(command: Command, args: string[]): Promise<{ out: string; error: unknown }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  let error: unknown = null;
  try {
    await command.exitOverride().parseAsync(args, { from: 'user' });
  } catch (e) {
    error = e;
  } finally {
    spy.mockRestore();
  }
  return { out, error };
}

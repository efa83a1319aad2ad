import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const ALL_COMMANDS = ['ingest', 'names', 'classify', 'report', 'audit', 'tighten', 'rules'];

describe('flowaudit (the program)', () => {
  it('lists every command in --help, in order, though each is loaded only when run', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    const listed = [...r.stdout.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]);
    expect(listed).toEqual([...ALL_COMMANDS, 'help']);
  });

  it('prints the version without loading any command', async () => {
    const r = await runCli(['--version']);
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect([r.code, r.stdout.trim()]).toEqual([0, version]);
  });

  it('gives a command its own help, and refuses an unknown one with exit 2', async () => {
    const help = await runCli(['names', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: flowaudit names/);
    const unknown = await runCli(['inspect']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'inspect'");
  });
});

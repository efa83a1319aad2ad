/**
 * Golden files for every report format over the shipped demo (fixtures/demo): the demo is ingested
 * and classified once by spawning the CLI, then `report --format F` must print exactly
 * test/report/golden/demo.F, with the report time and the classify time masked. Rewrite them with
 * FLOWAUDIT_UPDATE_GOLDEN=1 and review the diff like code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaValidator } from '../../src/rules/schema.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const GOLDEN_DIR = join(REPO_ROOT, 'test', 'report', 'golden');
const DEMO = join('fixtures', 'demo');
const FORMATS = { table: 'txt', json: 'json', csv: 'csv', markdown: 'md', html: 'html' } as const;

/**
 * Times that change on every run — when the report was made and when classify ran — in any
 * rendering. The demo's own data lies in 2024, so any time from 2025 on is one of those.
 */
function maskTimes(text: string): string {
  return text.replace(/20(?:2[5-9]|[3-9]\d)-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z?/g, '<time>');
}

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowaudit-report-golden-'));
  db = join(dir, 'demo.duckdb');
  const ingest = await runCli(['ingest', '--db', db, join(DEMO, 'data')]);
  expect(ingest.stderr).toBe('');
  expect(ingest.code).toBe(0);
  // The packs `npm run demo` uses: the demo is an API Connect deployment.
  const classify = await runCli(['classify', '--db', db, '--inventory', join(DEMO, 'inventory.yaml'), '--rules', 'rules/apic-firewall.yaml', 'rules/apic-inter-subsystem.yaml']);
  expect(classify.code, classify.stderr).toBe(0);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report formats on the demo', () => {
  for (const [format, ext] of Object.entries(FORMATS)) {
    it(`--format ${format} matches golden/demo.${ext}`, async () => {
      const result = await runCli(['report', '--db', db, '--format', format, '--fail-on', 'none']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const actual = maskTimes(result.stdout);
      const golden = join(GOLDEN_DIR, `demo.${ext}`);
      if (process.env.FLOWAUDIT_UPDATE_GOLDEN === '1') writeFileSync(golden, actual);
      expect(actual).toBe(readFileSync(golden, 'utf8'));
    }, 60_000);
  }

  it('the JSON report validates against schemas/report.schema.json', async () => {
    const result = await runCli(['report', '--db', db, '--format', 'json', '--fail-on', 'none']);
    const validate = schemaValidator('report');
    const report: unknown = JSON.parse(result.stdout);
    expect(validate(report), JSON.stringify(validate.errors, null, 2)).toBe(true);
  }, 60_000);

  it('a baseline of itself marks every finding unchanged and no flow changed', async () => {
    const result = await runCli(['report', '--db', db, '--format', 'json', '--baseline', db, '--fail-on', 'new']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { findings: { change: string }[]; baseline: { findings: Record<string, number>; flows_changed: number } };
    expect(report.findings.length).toBeGreaterThan(0);
    expect(new Set(report.findings.map((f) => f.change))).toEqual(new Set(['unchanged']));
    expect(report.baseline.findings).toEqual({ new: 0, gone: 0, unchanged: report.findings.length });
    expect(report.baseline.flows_changed).toBe(0);
  }, 60_000);
});

/**
 * The demo data (scripts/demo/generate.ts → fixtures/demo/data): it is generated, byte for byte,
 * and every anomaly planted in it comes out of `flowaudit ingest` + `classify` as planted.
 * The CLI runs from dist/ (`npm run build` first, as `npm test` does).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDemoDir, generateDemo } from '../../scripts/demo/generate.js';
import { Store } from '../../src/store/store.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const DATA_DIR = defaultDemoDir();
const INVENTORY = join(REPO_ROOT, 'fixtures', 'demo', 'inventory.yaml');
const REFRESH = 'the committed demo data is stale: run `npm run build && node dist/scripts/demo/generate.js` and commit fixtures/demo/data';

const scratch = mkdtempSync(join(tmpdir(), 'flowaudit-demo-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every file under `dir`, as sorted paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('demo data generator', () => {
  it('writes the same bytes on every run, and they are the committed files', async () => {
    const [first, second] = [join(scratch, 'first'), join(scratch, 'second')];
    const written = (await generateDemo(first)).map((path) => relative(first, path)).sort();
    await generateDemo(second);
    expect(filesUnder(first)).toEqual(written);
    expect(filesUnder(second)).toEqual(written);
    expect(filesUnder(DATA_DIR), REFRESH).toEqual(written);
    for (const file of written) {
      const bytes = readFileSync(join(first, file));
      expect(readFileSync(join(second, file)).equals(bytes), `${file} differs between two runs`).toBe(true);
      expect(readFileSync(join(DATA_DIR, file)).equals(bytes), `${file}: ${REFRESH}`).toBe(true);
    }
  });

  it('keeps the demo small', () => {
    expect(readFileSync(join(DATA_DIR, 'capture.pcap')).length).toBeLessThan(200_000);
  });
});

describe('the demo, ingested and classified', () => {
  const db = join(scratch, 'demo.duckdb');
  let classifyOutput = '';

  beforeAll(async () => {
    const ingest = await runCli(['ingest', '--db', db, DATA_DIR]);
    expect(ingest.stderr).toBe('');
    expect(ingest.code).toBe(0);
    const classify = await runCli(['classify', '--db', db, '--inventory', INVENTORY]);
    expect(classify.stderr).toBe('');
    expect(classify.code).toBe(0);
    classifyOutput = classify.stdout;
  });

  async function rows<T>(sql: string, params: string[] = []): Promise<T[]> {
    const store = await Store.open(db);
    try {
      return await store.queryRows<T>(sql, params);
    } finally {
      store.close();
    }
  }

  /** The verdicts of the connections `where` selects (over connections c joined to verdicts v). */
  async function verdictsWhere(where: string): Promise<{ kind: string; verdict: string; state: string | null; action: string | null; bytes: number }[]> {
    return rows(`SELECT s.kind, v.verdict, c.state, c.action, CAST(c.client_bytes + c.server_bytes AS DOUBLE) AS bytes
      FROM connections c JOIN verdicts v ON v.connection_id = c.id JOIN sources s ON s.id = c.source_id
      WHERE ${where} ORDER BY s.kind, c.id`);
  }

  async function flowStatus(flow: string): Promise<string | undefined> {
    const [row] = await rows<{ status: string }>('SELECT status FROM flow_status WHERE flow = $1', [flow]);
    return row?.status;
  }

  it('reads every record of the three inputs, none rejected', async () => {
    const sources = await rows<{ kind: string; read: number; used: number; rejected: number }>(
      'SELECT kind, CAST(records_read AS INTEGER) AS read, CAST(records_used AS INTEGER) AS used, CAST(records_rejected AS INTEGER) AS rejected FROM sources ORDER BY kind');
    expect(sources.map((s) => s.kind)).toEqual(['calico', 'pcap', 'vpc']);
    for (const s of sources) {
      expect(s.read, s.kind).toBe(s.used + s.rejected);
      expect(s.rejected, s.kind).toBe(0);
    }
    const [problems] = await rows<{ rejects: number; anomalies: number; gaps: number }>(`SELECT
      (SELECT CAST(count(*) AS INTEGER) FROM rejects) AS rejects,
      (SELECT CAST(count(*) AS INTEGER) FROM anomalies) AS anomalies,
      (SELECT CAST(count(*) AS INTEGER) FROM gaps) AS gaps`);
    expect(problems).toEqual({ rejects: 0, anomalies: 0, gaps: 0 });
    expect(classifyOutput).toMatch(/^classified \d+ connections against \d+ documented flows/);
  });

  it('(a) finds the exfiltration to 203.0.113.66:443 unexpected, named by DNS and SNI', async () => {
    const exfil = await verdictsWhere(`c.server_ip = '203.0.113.66' AND c.server_port = 443`);
    expect(exfil.map((c) => c.kind)).toEqual(['pcap', 'vpc']);
    expect(exfil.every((c) => c.verdict === 'unexpected')).toBe(true);
    expect(exfil[0]!.bytes).toBeGreaterThan(5e6);
    expect(exfil[1]!.bytes).toBeGreaterThan(40e6);
    const names = await rows<{ evidence: string }>(`SELECT evidence FROM names WHERE address = '203.0.113.66' AND name = 'files.exfil-drop.example' ORDER BY evidence`);
    expect(names.map((n) => n.evidence)).toEqual(['dns', 'sni']);
  });

  it('(b) finds the port scan from 192.0.2.99 unexpected, mostly refused', async () => {
    const scan = await verdictsWhere(`c.client_ip = '192.0.2.99'`);
    expect(scan).toHaveLength(100);
    expect(scan.every((c) => c.verdict === 'unexpected')).toBe(true);
    expect(scan.filter((c) => c.state === 'REJ').length).toBeGreaterThanOrEqual(90);
  });

  it('(c) finds the XML management attempt unanswered, and its flow unanswered', async () => {
    const attempt = await verdictsWhere(`c.client_ip = '10.10.5.20' AND c.server_port = 5550`);
    expect(attempt).toEqual([expect.objectContaining({ kind: 'pcap', verdict: 'unanswered', state: 'S0' })]);
    expect(await flowStatus('apic-firewall/gateway-xml-management')).toBe('unanswered');
  });

  it('(d) reports portal-to-analytics unobserved, though both endpoints appear', async () => {
    expect(await flowStatus('apic-firewall/portal-to-analytics')).toBe('unobserved');
    const seen = await rows<{ endpoint: string }>(`SELECT DISTINCT e AS endpoint FROM verdicts, unnest([client_endpoint, server_endpoint]) t(e)
      WHERE e IN ('portal', 'analytics') ORDER BY e`);
    expect(seen.map((s) => s.endpoint)).toEqual(['analytics', 'portal']);
  });

  it('(e) finds the rejected Web GUI access denied, and datapower-administration denied', async () => {
    const rejected = await verdictsWhere(`c.client_ip = '10.10.5.20' AND c.server_port = 9090`);
    expect(rejected).toHaveLength(2);
    expect(rejected.every((c) => c.kind === 'vpc' && c.verdict === 'denied' && c.action === 'REJECT')).toBe(true);
    expect(await flowStatus('apic-firewall/datapower-administration')).toBe('denied');
  });

  it('(f) shows SSH and RDP from the internet reaching the gateways, unexpected', async () => {
    const ssh = await verdictsWhere(`c.client_ip = '203.0.113.200' AND c.server_port = 22`);
    const rdp = await verdictsWhere(`c.client_ip = '203.0.113.201' AND c.server_port = 3389`);
    for (const admin of [ssh, rdp]) {
      expect(admin.length).toBeGreaterThan(0);
      expect(admin.every((c) => c.kind === 'vpc' && c.verdict === 'unexpected' && c.action === 'ACCEPT')).toBe(true);
    }
  });

  it('documents the API Connect traffic, the pods by their Kubernetes identity', async () => {
    for (const flow of ['api-request', 'gateway-to-analytics', 'management-gateway-configuration', 'portal-to-management', 'management-to-portal']) {
      expect(await flowStatus(`apic-firewall/${flow}`), flow).toBe('observed');
    }
    // Pod addresses (100.64.0.0/16) are in no inventory CIDR: only the pod's labels make it management.
    const pods = await rows<{ endpoint: string; verdict: string }>(`SELECT DISTINCT v.client_endpoint AS endpoint, v.verdict
      FROM connections c JOIN verdicts v ON v.connection_id = c.id WHERE c.client_ip = '100.64.2.17'`);
    expect(pods).toEqual([{ endpoint: 'management', verdict: 'documented' }]);
  });
});

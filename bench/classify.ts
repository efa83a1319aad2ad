/**
 * `npm run bench -- classify [--connections N] [--cidrs N] [--regenerate] [--memory] [--steps]`:
 * generate N connections (default 10 M) straight into a DuckDB file with SQL (range() + hashing),
 * and an inventory of 1,000 CIDRs (mixed prefix lengths, nested across endpoints, IPv4 and IPv6)
 * for the API Connect endpoints; classify them against the shipped packs and hold the time
 * against the budget (3 s), printed beside a bare GROUP BY over the same table.
 *
 * The data is meant to look like a busy deployment: ~100,000 distinct addresses (most inside the
 * inventory, some outside it, 6 % IPv6), servers on documented and undocumented ports, ephemeral
 * server ports, TCP/UDP/ICMP, unanswered and rejected attempts, a capture source and a flow-log
 * source with interfaces, a truncated-capture gap and SKIPDATA windows.
 *
 * The database and inventory are generated once into bench/out/ (or $FLOWAUDIT_BENCH_DIR) and
 * reused; every run classifies afresh (which also exercises replacing a previous run's results).
 * --memory generates into an in-memory database instead.
 */
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { classify } from '../src/classify/classify.js';
import { parseCidr } from '../src/rules/cidr.js';
import type { CidrBlock } from '../src/rules/types.js';
import { Store } from '../src/store/store.js';
import { formatAddressNumber } from '../src/net/ip.js';
import { mulberry32 } from './seeded-random.js';
import { parseBenchFlags } from './usage.js';

const BUDGET_SECONDS = 3;
const USAGE = 'usage: npm run bench -- classify [--connections N] [--cidrs N] [--regenerate] [--memory] [--steps]';
const SEED = 7;
/** Bump when the generator changes: cached databases of older versions are not reused. */
const GENERATOR_VERSION = 1;
/** Compiled to dist/bench/: bench/out/ is two levels up. */
const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../bench/out/', import.meta.url));

/** Endpoints of the API Connect packs and how many of the CIDRs each gets. */
const ENDPOINTS = [
  ['protected', 0.3],
  ['gateway', 0.25],
  ['management', 0.15],
  ['portal', 0.15],
  ['analytics', 0.15],
] as const;

/** Distinct addresses: servers (inside gateway/management/portal/analytics) and clients, per family. */
const POOL = { v4Servers: 4_000, v4Clients: 90_000, v6Servers: 500, v6Clients: 5_500 };

interface Flags {
  connections: number;
  cidrs: number;
  regenerate: boolean;
  memory: boolean;
  steps: boolean;
}

export async function runClassifyBench(args: string[]): Promise<void> {
  const flags = parseBenchFlags(USAGE, () => parseFlags(args));
  const outDir = process.env.FLOWAUDIT_BENCH_DIR ?? DEFAULT_OUT_DIR;
  await mkdir(outDir, { recursive: true });
  const base = join(outDir, `classify-v${GENERATOR_VERSION}-seed${SEED}-${flags.connections}-${flags.cidrs}`);
  const inventoryPath = `${base}-inventory.yaml`;
  const dbPath = flags.memory ? ':memory:' : `${base}.duckdb`;
  const reuse = !flags.memory && !flags.regenerate && (await exists(dbPath)) && (await exists(inventoryPath));
  if (!reuse && !flags.memory) {
    await rm(dbPath, { force: true });
    await rm(`${dbPath}.wal`, { force: true });
  }

  const random = mulberry32(SEED);
  const inventory = generateInventory(flags.cidrs, random);
  if (!reuse) await writeFile(inventoryPath, inventoryYaml(inventory));
  log(`inventory: ${inventory.length} CIDRs (${inventory.filter((c) => c.block.family === 6).length} IPv6), ${inventoryPath}`);

  const store = await Store.open(dbPath);
  try {
    let started = performance.now();
    if (!reuse) await generateConnections(store, inventory, flags.connections, random);
    log(`connections: ${reuse ? 'reused' : `generated in ${seconds(performance.now() - started)} s`}, ${dbPath}`);
    if (!flags.memory) await store.conn.run('CHECKPOINT');

    started = performance.now();
    const groupBy = await store.queryRows('SELECT server_port, count(*) FROM connections GROUP BY 1');
    const groupByMs = performance.now() - started;

    const summary = await classify(store, {
      rules: [],
      inventory: inventoryPath,
      params: {},
      ...(flags.steps ? { onStep: (step: { name: string }, index: number, total: number) => process.stderr.write(`  step ${index + 1}/${total}: ${step.name}\n`) } : {}),
    });
    const rulesMs = summary.timings.filter((t) => t.step === 'load rule packs and inventory' || t.step === 'compile rule tables').reduce((a, t) => a + t.ms, 0);

    if (flags.steps) {
      for (const t of summary.timings) log(`  ${t.ms.toFixed(0).padStart(6)} ms  ${t.step}`);
    }
    // Described after the timings, so that describing does not warm the columns classify reads.
    const [shape] = await store.queryRows<{ addresses: bigint; ports: bigint }>(`
      SELECT (SELECT count(*) FROM (SELECT client_ip_num FROM connections UNION SELECT server_ip_num FROM connections) d) AS addresses,
        (SELECT count(*) FROM (SELECT DISTINCT proto, server_port FROM connections) d) AS ports`);
    log(`${summary.connections.toLocaleString('en-US')} connections, ${Number(shape!.addresses).toLocaleString('en-US')} distinct addresses, ` +
      `${Number(shape!.ports).toLocaleString('en-US')} distinct (proto, server port)`);
    const v = summary.verdicts;
    const f = summary.flows;
    log(`verdicts: ${v.documented} documented, ${v.unexpected} unexpected, ${v.denied} denied, ${v.unanswered} unanswered`);
    log(`flows: ${f.observed} observed, ${f.denied} denied, ${f.unanswered} unanswered, ${f.unobserved} unobserved, ${f.not_covered} not covered`);
    log('');
    log(`bare GROUP BY server_port:                ${seconds(groupByMs)} s (${groupBy.length} groups)`);
    log(`classify: load and compile rules:         ${seconds(rulesMs)} s`);
    log(`classify: SQL, write and commit:          ${seconds(summary.durationMs - rulesMs)} s (${((summary.durationMs - rulesMs) / groupByMs).toFixed(1)} x the GROUP BY)`);
    log(`classify: total:                          ${seconds(summary.durationMs)} s, ${(summary.connections / (summary.durationMs / 1000) / 1e6).toFixed(1)} M connections/s`);
    const pass = summary.durationMs / 1000 <= BUDGET_SECONDS;
    log(`budget: ${flags.connections.toLocaleString('en-US')} connections, ${inventory.length} CIDRs in <= ${BUDGET_SECONDS} s: ${pass ? 'PASS' : 'FAIL'}`);
    if (!pass) process.exitCode = 1;
  } finally {
    store.close();
  }
}

function parseFlags(args: string[]): Flags {
  const { values } = parseArgs({
    args,
    options: {
      connections: { type: 'string', default: '10000000' },
      cidrs: { type: 'string', default: '1000' },
      regenerate: { type: 'boolean', default: false },
      memory: { type: 'boolean', default: false },
      steps: { type: 'boolean', default: false },
    },
  });
  const count = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${text}: give a positive whole number`);
    return n;
  };
  return { connections: count('connections', values.connections), cidrs: count('cidrs', values.cidrs), regenerate: values.regenerate, memory: values.memory, steps: values.steps };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Inventory

interface InventoryCidr {
  endpoint: string;
  block: CidrBlock;
}

/** Prefix lengths of the IPv4 CIDRs and how often each is drawn. */
const V4_PREFIXES: readonly (readonly [number, number])[] = [[8, 0.01], [12, 0.02], [16, 0.12], [20, 0.15], [22, 0.1], [24, 0.33], [26, 0.1], [28, 0.1], [32, 0.07]];
const V6_PREFIXES: readonly (readonly [number, number])[] = [[48, 0.2], [56, 0.2], [64, 0.4], [96, 0.1], [128, 0.1]];
const V4_SPACES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map(block);
const V6_SPACE = block('fd00::/8');

/**
 * `count` CIDRs; 94 % IPv4. About a third are drawn inside an earlier, shorter CIDR (usually of
 * another endpoint), so longest-prefix matching decides. `public` binds everything else.
 */
function generateInventory(count: number, random: () => number): InventoryCidr[] {
  const out: InventoryCidr[] = [
    { endpoint: 'public', block: block('0.0.0.0/0') },
    { endpoint: 'public', block: block('::/0') },
  ];
  const seen = new Set(out.map((c) => c.block.text));
  while (out.length < count) {
    const family = random() < 0.06 ? 6 : 4;
    const prefix = pick(family === 4 ? V4_PREFIXES : V6_PREFIXES, random);
    const parents = out.filter((c) => c.endpoint !== 'public' && c.block.family === family && c.block.prefix < prefix);
    const within = parents.length > 0 && random() < 0.35 ? parents[Math.floor(random() * parents.length)]!.block : family === 4 ? V4_SPACES[Math.floor(random() * V4_SPACES.length)]! : V6_SPACE;
    if (within.prefix > prefix) continue;
    const width = family === 4 ? 32 : 128;
    const blocks = 1n << BigInt(prefix - within.prefix);
    const start = within.start + randomBigInt(blocks, random) * (1n << BigInt(width - prefix));
    const cidr = block(`${formatAddressNumber(start, family)}/${prefix}`);
    if (seen.has(cidr.text)) continue;
    seen.add(cidr.text);
    out.push({ endpoint: pick(ENDPOINTS, random), block: cidr });
  }
  return out;
}

function inventoryYaml(cidrs: readonly InventoryCidr[]): string {
  const byEndpoint = new Map<string, string[]>();
  for (const c of cidrs) byEndpoint.set(c.endpoint, [...(byEndpoint.get(c.endpoint) ?? []), c.block.text]);
  let yaml = '# Generated by bench/classify.ts\nendpoints:\n';
  for (const [name, list] of byEndpoint) yaml += `  ${name}:\n    cidrs: [${list.map((t) => JSON.stringify(t)).join(', ')}]\n`;
  return yaml;
}

// ---------------------------------------------------------------------------------------------
// Connections

/**
 * The address pool is drawn here (addresses inside the inventory's CIDRs need bigint arithmetic),
 * appended as a small table, and the connections are generated from it in one INSERT ... SELECT.
 */
async function generateConnections(store: Store, inventory: readonly InventoryCidr[], count: number, random: () => number): Promise<void> {
  const conn = store.conn;
  await conn.run('CREATE TEMP TABLE bench_pool (pool VARCHAR, idx INTEGER, ip_num UHUGEINT, ip VARCHAR)');
  const appender = await conn.createAppender('bench_pool', 'main', 'temp');
  const serverCidrs = inventory.filter((c) => c.endpoint !== 'public' && c.endpoint !== 'protected');
  const anyCidrs = inventory.filter((c) => c.endpoint !== 'public');
  const draw = (family: 4 | 6, role: 'server' | 'client', n: number): void => {
    const seen = new Set<bigint>();
    const inside = (role === 'server' ? serverCidrs : anyCidrs).filter((c) => c.block.family === family);
    let misses = 0;
    while (seen.size < n) {
      // Clients: 15 % outside every inventory CIDR but public (the internet); everyone, once the
      // inventory's CIDRs have no fresh addresses left to draw.
      const outside = inside.length === 0 || misses > 20 * n || (role === 'client' && random() < 0.15);
      const cidr = outside ? null : inside[Math.floor(random() * inside.length)]!.block;
      const address = cidr ? cidr.start + randomBigInt(cidr.end - cidr.start + 1n, random) : family === 4 ? 0x0b000000n + randomBigInt(0xbf000000n, random) : (0x2001n << 112n) + randomBigInt(1n << 100n, random);
      if (seen.has(address)) {
        misses++;
        continue;
      }
      appender.appendVarchar(`${role}${family}`);
      appender.appendInteger(seen.size);
      appender.appendUHugeInt(address);
      appender.appendVarchar(formatAddressNumber(address, family));
      appender.endRow();
      seen.add(address);
    }
  };
  draw(4, 'server', POOL.v4Servers);
  draw(4, 'client', POOL.v4Clients);
  draw(6, 'server', POOL.v6Servers);
  draw(6, 'client', POOL.v6Clients);
  appender.flushSync();
  appender.closeSync();

  await conn.run(`INSERT INTO sources (id, path, kind, records_read, records_used, records_rejected, non_ip_records, connections, ingested_at)
    VALUES (1, 'bench-capture.pcap', 'pcap', 0, 0, 0, 0, 0, now()::TIMESTAMP), (2, 'bench-flowlogs', 'vpc', 0, 0, 0, 0, 0, now()::TIMESTAMP)`);
  // h(k): the k-th independent hash of the row number, 0..2^64-1.
  const h = (k: number): string => `hash(i, ${k})`;
  await conn.run(`
    INSERT INTO connections (id, source_id, first_seen, last_seen, proto, ip_family, client_ip, client_ip_num, client_port,
      server_ip, server_ip_num, server_port, client_packets, client_bytes, server_packets, server_bytes, state, action,
      initiator_evidence, num_flows, interface_id)
    WITH draws AS (
      SELECT i,
        CASE WHEN ${h(1)} % 100 < 6 THEN 6 ELSE 4 END AS family,
        CASE WHEN ${h(2)} % 100 < 80 THEN 1 ELSE 2 END AS source_id,
        CASE WHEN ${h(3)} % 100 < 85 THEN 6 WHEN ${h(3)} % 100 < 97 THEN 17 ELSE 1 END AS proto,
        ${h(4)} % 1000 AS port_draw,
        ${h(5)} % 100 AS outcome_draw,
        ${h(6)} AS client_draw,
        ${h(7)} AS server_draw
      FROM range(${count}) t(i)
    ),
    g AS (
      SELECT *,
        CAST(client_draw % (CASE family WHEN 4 THEN ${POOL.v4Clients} ELSE ${POOL.v6Clients} END) AS INTEGER) AS client_idx,
        CAST(server_draw % (CASE family WHEN 4 THEN ${POOL.v4Servers} ELSE ${POOL.v6Servers} END) AS INTEGER) AS server_idx,
        CASE family WHEN 4 THEN 'client4' ELSE 'client6' END AS client_key,
        CASE family WHEN 4 THEN 'server4' ELSE 'server6' END AS server_key
      FROM draws
    )
    SELECT g.i + 1, g.source_id,
      TIMESTAMP '2026-01-01 00:00:00' + to_microseconds(CAST(g.i * 8640 AS BIGINT)),
      TIMESTAMP '2026-01-01 00:00:00' + to_microseconds(CAST(g.i * 8640 + (g.outcome_draw * 600000) AS BIGINT)),
      CAST(CASE WHEN g.family = 6 AND g.proto = 1 THEN 58 ELSE g.proto END AS SMALLINT), g.family,
      c.ip, c.ip_num, CASE WHEN g.proto = 1 THEN 8 ELSE 32768 + CAST(g.client_draw % 28000 AS INTEGER) END,
      s.ip, s.ip_num,
      CASE WHEN g.proto = 1 THEN 0
        WHEN g.proto = 17 THEN [53, 53, 53, 123, 123, 161, 162, 514, 4789, 30000 + CAST(g.port_draw AS INTEGER)][1 + CAST(g.port_draw % 10 AS INTEGER)]
        WHEN g.port_draw < 450 THEN 443
        WHEN g.port_draw < 530 THEN 22
        WHEN g.port_draw < 600 THEN 3000
        WHEN g.port_draw < 660 THEN 9443
        WHEN g.port_draw < 700 THEN 5550
        WHEN g.port_draw < 760 THEN 8080
        WHEN g.port_draw < 800 THEN 80
        WHEN g.port_draw < 820 THEN 44135
        WHEN g.port_draw < 840 THEN 9090
        ELSE 1024 + CAST(g.server_draw % 64000 AS INTEGER) END,
      1 + g.outcome_draw % 20, 60 + (g.outcome_draw % 20) * 700,
      CASE WHEN g.outcome_draw < 5 THEN 0 ELSE 1 + g.outcome_draw % 18 END,
      CASE WHEN g.outcome_draw < 5 THEN 0 ELSE 60 + (g.outcome_draw % 18) * 1300 END,
      CASE WHEN g.source_id = 2 THEN NULL WHEN g.proto <> 6 THEN 'SF' WHEN g.outcome_draw < 5 THEN 'S0' WHEN g.outcome_draw < 7 THEN 'REJ' ELSE 'SF' END,
      CASE WHEN g.source_id = 1 THEN NULL WHEN g.outcome_draw BETWEEN 5 AND 7 THEN 'REJECT' ELSE 'ACCEPT' END,
      CASE WHEN g.source_id = 1 THEN 'syn' ELSE 'flow-direction' END, 1,
      CASE WHEN g.source_id = 2 THEN 'eni-' || lpad(CAST(g.client_draw % 40 AS VARCHAR), 4, '0') END
    FROM g
    JOIN bench_pool c ON c.pool = g.client_key AND c.idx = g.client_idx
    JOIN bench_pool s ON s.pool = g.server_key AND s.idx = g.server_idx`);
  // The capture was cut short near its end; the flow logs skipped records on a few interfaces.
  await conn.run(`
    INSERT INTO gaps (source_id, kind, interface_id, start_time, end_time, byte_offset, detail)
    SELECT 1, 'truncated_capture', NULL, max(last_seen) - INTERVAL 1 MINUTE, NULL, NULL, 'bench' FROM connections WHERE source_id = 1
    UNION ALL
    SELECT 2, 'skipdata', 'eni-' || lpad(CAST(i % 40 AS VARCHAR), 4, '0'),
      TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (i * 17) MINUTE, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (i * 17 + 10) MINUTE, NULL, 'bench'
    FROM range(60) t(i)`);
  await conn.run('DROP TABLE temp.main.bench_pool');
}

// ---------------------------------------------------------------------------------------------

function block(text: string): CidrBlock {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.block;
}


function pick<T>(weighted: readonly (readonly [T, number])[], random: () => number): T {
  let r = random() * weighted.reduce((a, [, w]) => a + w, 0);
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

/** Uniform in [0, n) (n > 0), from 53-bit draws. */
function randomBigInt(n: bigint, random: () => number): bigint {
  let value = 0n;
  let range = 1n;
  while (range < n) {
    value = (value << 32n) | BigInt(Math.floor(random() * 2 ** 32));
    range <<= 32n;
  }
  return value % n;
}


function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

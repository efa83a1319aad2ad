/**
 * `classify`: holds every connection in the store against the documented flows, inside DuckDB.
 *
 * Rules and inventory are compiled to tables (prepare.ts) and staged as TEMP copies (load.ts);
 * the classification itself is the generated SQL of `classifySteps`, computed into TEMP tables.
 * Then one transaction replaces every result table — match_verdicts and the class tables behind
 * the verdicts view (recreated too), flow_status, and the rule tables they were computed from — and
 * adds a classify_runs row: a reader sees the previous results or the new ones, never a mix, and a
 * failed run leaves the previous ones in place.
 */
import { FlowauditError } from '../errors.js';
import { loadInventory } from '../rules/inventory.js';
import { loadRulePacks } from '../rules/load.js';
import type { Store } from '../store/store.js';
import { addressSteps, identitySteps, sideSteps } from './endpoints.js';
import { FLOW_STATUSES, flowStatusSteps, gapSteps } from './coverage.js';
import type { FlowStatus } from './coverage.js';
import { loadRuleTables } from './load.js';
import { matchSteps, portSteps } from './match.js';
import { paramText, prepareTables } from './prepare.js';
import { DOCUMENTED_TABLES, STAGED_TABLES, TEMP_TABLES } from './steps.js';
import type { DataShape, RuleTableNames, SqlStep } from './steps.js';
import { VERDICTS, keySteps, keyVerdictSteps, keysFit, sizeSteps, verdictsViewSql, writeVerdictSteps } from './verdicts.js';
import type { Verdict } from './verdicts.js';

export interface ClassifyOptions {
  /** Rule pack and NetworkPolicy files or folders; empty: the shipped packs. */
  rules: string[];
  /** The inventory file. */
  inventory: string;
  /** `--param NAME=VALUE` values (they override the inventory's and the packs' defaults). */
  params: Record<string, string>;
  /** Called before each SQL step (for progress). */
  onStep?: (step: SqlStep, index: number, total: number) => void;
}

export interface StepTiming {
  step: string;
  ms: number;
}

export interface ClassifySummary {
  /** classify_runs.id of this run. */
  runId: number;
  inventory: string;
  ruleFiles: string[];
  packs: string[];
  /** Connections classified. */
  connections: number;
  /** Connections by verdict. */
  verdicts: Record<Verdict, number>;
  /** Documented flows by status. */
  flows: Record<FlowStatus, number>;
  /** Wall-clock milliseconds: loading and compiling the rules, staging them, each SQL step, the commit. */
  timings: StepTiming[];
  durationMs: number;
}

/** The rule tables a run replaces (besides the class tables and match_verdicts). */
const RULE_TABLE_KEYS = Object.keys(DOCUMENTED_TABLES) as (keyof RuleTableNames)[];

export interface ClassifySql {
  /** Computes the results into TEMP tables (and the status columns of the flow_status table named). */
  compute: SqlStep[];
  /**
   * Replaces the documented result tables: run these in one transaction, followed by
   * verdictsViewSql (it embeds the radixes the compute steps leave in classify_sizes).
   */
  write: SqlStep[];
}

/**
 * The whole classification as SQL, for data of this shape, reading the rule tables from `tables`.
 * With the documented tables (the default), `write` only replaces the class tables and
 * match_verdicts: the rule tables and flow_status are already where they belong.
 */
export function classifySteps(shape: DataShape, tables: RuleTableNames = DOCUMENTED_TABLES): ClassifySql {
  const compute = [
    ...addressSteps(shape, tables),
    ...identitySteps(shape, tables),
    ...portSteps(tables),
    ...sizeSteps(shape),
    ...(shape.gaps ? gapSteps() : []),
    ...keySteps(shape),
    ...sideSteps(shape, tables),
    ...matchSteps(tables),
    ...keyVerdictSteps(),
    ...flowStatusSteps(tables),
  ];
  const copies = RULE_TABLE_KEYS.filter((k) => tables[k] !== DOCUMENTED_TABLES[k]).flatMap((k): SqlStep[] => [
    { name: `clear ${DOCUMENTED_TABLES[k]}`, sql: `DELETE FROM ${DOCUMENTED_TABLES[k]}` },
    { name: `write ${DOCUMENTED_TABLES[k]}`, sql: `INSERT INTO ${DOCUMENTED_TABLES[k]} SELECT * FROM ${tables[k]}` },
  ]);
  return { compute, write: [...copies, ...writeVerdictSteps(shape)] };
}

export async function classify(store: Store, options: ClassifyOptions): Promise<ClassifySummary> {
  const startedAt = Date.now();
  const started = performance.now();
  const timings: StepTiming[] = [];
  let mark = started;
  const lap = (step: string): void => {
    const now = performance.now();
    timings.push({ step, ms: now - mark });
    mark = now;
  };

  const rules = await loadRulePacks(options.rules);
  const inventory = await loadInventory(options.inventory);
  lap('load rule packs and inventory');
  const tables = prepareTables(rules, inventory, options.params);
  lap('compile rule tables');

  const conn = store.conn;
  try {
    for (const k of RULE_TABLE_KEYS) await conn.run(`CREATE OR REPLACE TEMP TABLE ${STAGED_TABLES[k]} AS SELECT * FROM ${DOCUMENTED_TABLES[k]} LIMIT 0`);
    await loadRuleTables(conn, tables, STAGED_TABLES, 'temp');
    const shape = await dataShape(store, STAGED_TABLES);
    lap('stage rule tables');

    const { compute, write } = classifySteps(shape, STAGED_TABLES);
    const total = compute.length + write.length;
    for (const [index, step] of compute.entries()) {
      options.onStep?.(step, index, total);
      await conn.run(step.sql);
      lap(step.name);
      if (step.name === 'key sizes') await checkKeySizes(store);
    }

    const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    for (const row of await store.queryRows<{ verdict: Verdict; n: bigint | number }>('SELECT verdict, sum(connections) AS n FROM classify_key_verdicts GROUP BY verdict')) {
      verdicts[row.verdict] = Number(row.n);
    }
    const flows = Object.fromEntries(FLOW_STATUSES.map((s) => [s, 0])) as Record<FlowStatus, number>;
    for (const row of await store.queryRows<{ status: FlowStatus; n: bigint | number }>(`SELECT status, count(*) AS n FROM ${STAGED_TABLES.flowStatus} GROUP BY status`)) {
      flows[row.status] = Number(row.n);
    }
    const connections = Object.values(verdicts).reduce((a, b) => a + b, 0);
    const [sizes] = await store.queryRows<{ nc: bigint; ni: bigint; np: bigint; last: bigint | null }>(
      'SELECT nc, ni, np, (SELECT max(id) FROM connections) AS last FROM classify_sizes',
    );
    const packs = rules.packs.map((p) => p.id);
    const params = Object.fromEntries(tables.params.map((p) => [p.name, { value: paramText(p), source: p.source }]));

    await conn.run('BEGIN TRANSACTION');
    let runId: number;
    try {
      for (const [index, step] of write.entries()) {
        options.onStep?.(step, compute.length + index, total);
        await conn.run(step.sql);
        lap(step.name);
      }
      await conn.run(verdictsViewSql(shape, { nc: BigInt(sizes!.nc), ni: BigInt(sizes!.ni), np: BigInt(sizes!.np) }, sizes!.last === null ? null : BigInt(sizes!.last)));
      lap('verdicts view');
      const [run] = await store.queryRows<{ id: number }>('SELECT coalesce(max(id), 0) + 1 AS id FROM classify_runs');
      runId = Number(run!.id);
      await conn.run(
        `INSERT INTO classify_runs VALUES ($1, make_timestamp($2::BIGINT), now()::TIMESTAMP, $3, $4::JSON::VARCHAR[], $5::JSON::VARCHAR[], $6::JSON, $7, $8,
          $9::BIGINT, $10::BIGINT, $11::BIGINT, $12::BIGINT)`,
        [
          runId,
          startedAt * 1000,
          options.inventory,
          JSON.stringify(rules.files),
          JSON.stringify(packs),
          JSON.stringify(params),
          connections,
          tables.flows.length,
          sizes!.last === null ? null : String(sizes!.last),
          String(sizes!.nc),
          String(sizes!.ni),
          String(sizes!.np),
        ],
      );
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
    lap('commit');
    return { runId, inventory: options.inventory, ruleFiles: rules.files, packs, connections, verdicts, flows, timings, durationMs: performance.now() - started };
  } finally {
    for (const table of TEMP_TABLES) await conn.run(`DROP TABLE IF EXISTS temp.main.${table}`);
  }
}

async function checkKeySizes(store: Store): Promise<void> {
  const [row] = await store.queryRows<{ nc: bigint; ni: bigint; ns: bigint; np: bigint }>('SELECT nc, ni, ns, np FROM classify_sizes');
  const sizes = { ns: Number(row!.ns), np: Number(row!.np) };
  if (!keysFit(sizes)) {
    throw new FlowauditError(
      `the data and rules make ${row!.nc} address classes, ${row!.ni} pod identity classes and ${row!.np} port classes: too many to classify`,
      'classify with fewer rule packs or a smaller inventory, or report this case',
    );
  }
}

/** What the data holds: the steps leave out what has nothing to work on. */
export async function dataShape(store: Store, tables: RuleTableNames = DOCUMENTED_TABLES): Promise<DataShape> {
  const [row] = await store.queryRows<{ identities: boolean; gaps: boolean; hosts: boolean }>(`
    SELECT
      EXISTS (SELECT 1 FROM connections WHERE client_namespace IS NOT NULL OR server_namespace IS NOT NULL) AS identities,
      EXISTS (SELECT 1 FROM gaps) AS gaps,
      EXISTS (SELECT 1 FROM ${tables.bindings} WHERE kind = 'host') AND EXISTS (SELECT 1 FROM names) AS hosts`);
  return { identities: row!.identities, gaps: row!.gaps, hosts: row!.hosts };
}

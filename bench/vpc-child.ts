/**
 * One side of the VPC benchmark, in its own process so its peak RSS is its own:
 *   node vpc-child.js peer|flowaudit FILE DB
 * peer: plain DuckDB `CREATE TABLE AS SELECT * FROM read_csv(FILE)`; flowaudit: the VPC ingester.
 * Prints one JSON line: { records, seconds, maxRssKiB }. Both sides write a database file and
 * include closing it (the checkpoint) in their time.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { Store } from '../src/store/store.js';
import { vpcIngester } from '../src/ingest/vpc/index.js';

export interface ChildResult {
  records: number;
  seconds: number;
  maxRssKiB: number;
}

async function runPeer(file: string, db: string): Promise<number> {
  const instance = await DuckDBInstance.create(db);
  const conn = await instance.connect();
  await conn.run(`CREATE TABLE flows AS SELECT * FROM read_csv('${file.replace(/'/g, "''")}', delim = ' ', header = true)`);
  const reader = await conn.runAndReadAll('SELECT count(*)::BIGINT FROM flows');
  const records = Number(reader.getRows()[0]![0]);
  conn.closeSync();
  instance.closeSync();
  return records;
}

async function runFlowaudit(file: string, db: string): Promise<number> {
  const store = await Store.open(db);
  const report = await vpcIngester.ingest(store, file, {});
  store.close();
  return report.recordsRead;
}

async function main(): Promise<void> {
  const [side, file, db] = process.argv.slice(2);
  if ((side !== 'peer' && side !== 'flowaudit') || !file || !db) throw new Error('usage: vpc-child.js peer|flowaudit FILE DB');
  const started = process.hrtime.bigint();
  const records = side === 'peer' ? await runPeer(file, db) : await runFlowaudit(file, db);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: ChildResult = { records, seconds, maxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();

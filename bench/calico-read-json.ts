/**
 * The peer of the Calico benchmark: plain DuckDB loading the same flows.log with `read_json`
 * (schema detected by DuckDB) into a table of a new DuckDB file, in its own process:
 * `node dist/bench/calico-read-json.js FLOWS_LOG DB` prints one JSON line like calico-child.js.
 */
import { DuckDBInstance } from '@duckdb/node-api';

export interface ReadJsonOutput {
  seconds: number;
  rows: number;
  maxRssKiB: number;
}

const [logPath, dbPath] = process.argv.slice(2);
if (logPath === undefined || dbPath === undefined) {
  process.stderr.write('usage: node dist/bench/calico-read-json.js FLOWS_LOG DB\n');
  process.exit(2);
}

const started = performance.now();
const instance = await DuckDBInstance.create(dbPath);
const conn = await instance.connect();
await conn.run(`CREATE TABLE flows AS SELECT * FROM read_json($1, format = 'newline_delimited')`, [logPath]);
const rows = Number((await conn.runAndReadAll('SELECT count(*)::DOUBLE AS n FROM flows')).getRowObjectsJS()[0]!.n);
conn.closeSync();
instance.closeSync();
const output: ReadJsonOutput = { seconds: (performance.now() - started) / 1000, rows, maxRssKiB: process.resourceUsage().maxRSS };
process.stdout.write(`${JSON.stringify(output)}\n`);

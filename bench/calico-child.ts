/**
 * The measured side of the Calico benchmark, run as its own process so its peak RSS is its own:
 * `node dist/bench/calico-child.js FLOWS_LOG DB` ingests the flows.log into a new DuckDB file and
 * prints one JSON line with the time, the counts and the peak RSS.
 */
import { Store } from '../src/store/store.js';
import { calicoIngester } from '../src/ingest/calico/index.js';

/** The line this script prints; read by runNodeScript in peak-rss.ts. */
export interface CalicoChildOutput {
  /** From opening the database to closing it. */
  seconds: number;
  records: number;
  rejected: number;
  connections: number;
  maxRssKiB: number;
}

const [logPath, dbPath] = process.argv.slice(2);
if (logPath === undefined || dbPath === undefined) {
  process.stderr.write('usage: node dist/bench/calico-child.js FLOWS_LOG DB\n');
  process.exit(2);
}

const started = performance.now();
const store = await Store.open(dbPath);
const report = await calicoIngester.ingest(store, logPath, {});
store.close();
const output: CalicoChildOutput = {
  seconds: (performance.now() - started) / 1000,
  records: report.recordsRead,
  rejected: report.recordsRejected,
  connections: report.connections,
  maxRssKiB: process.resourceUsage().maxRSS,
};
process.stdout.write(`${JSON.stringify(output)}\n`);

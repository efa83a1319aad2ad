/**
 * The measured side of the pcap benchmark, run as its own process so its peak RSS is its own:
 * `node dist/bench/pcap-child.js CAPTURE DB` ingests CAPTURE into a new DuckDB file DB and prints
 * one JSON line with the time, the counts and the peak RSS.
 */
import { Store } from '../src/store/store.js';
import { pcapIngester } from '../src/ingest/pcap/index.js';

/** The line this script prints; read by runNodeScript in peak-rss.ts. */
export interface PcapChildOutput {
  /** From opening the database to closing it. */
  seconds: number;
  packets: number;
  connections: number;
  /** User + system CPU of the whole process, every thread (the SHA-256 worker's too). */
  cpuSeconds: number;
  maxRssKiB: number;
}

const [capturePath, dbPath] = process.argv.slice(2);
if (capturePath === undefined || dbPath === undefined) {
  process.stderr.write('usage: node dist/bench/pcap-child.js CAPTURE DB\n');
  process.exit(2);
}

const started = performance.now();
const store = await Store.open(dbPath);
const report = await pcapIngester.ingest(store, capturePath, {});
store.close();
const cpu = process.cpuUsage();
const output: PcapChildOutput = {
  seconds: (performance.now() - started) / 1000,
  packets: report.recordsRead,
  connections: report.connections,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  maxRssKiB: process.resourceUsage().maxRSS,
};
process.stdout.write(`${JSON.stringify(output)}\n`);

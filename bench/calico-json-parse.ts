/**
 * A ceiling for the Calico benchmark, not a peer: how fast V8's JSON.parse alone gets through the
 * same flows.log on one thread, with nothing stored — what any JavaScript path that parses each
 * line must pay before it does anything else.
 * `node dist/bench/calico-json-parse.js FLOWS_LOG` prints one JSON line like calico-child.js.
 */
import { fileChunks } from '../src/ingest/file-chunks.js';
import { LineSplitter } from '../src/ingest/calico/input.js';

export interface JsonParseOutput {
  seconds: number;
  rows: number;
  maxRssKiB: number;
}

const [logPath] = process.argv.slice(2);
if (logPath === undefined) {
  process.stderr.write('usage: node dist/bench/calico-json-parse.js FLOWS_LOG\n');
  process.exit(2);
}

const started = performance.now();
let rows = 0;
// Touches one field so the parse cannot be skipped; the sum itself is not used.
let bytesIn = 0;
const lines = new LineSplitter((line) => {
  if (line.length === 0) return;
  bytesIn += (JSON.parse(line.toString('utf8')) as { bytes_in?: number }).bytes_in ?? 0;
  rows++;
});
for await (const chunk of fileChunks(logPath)) lines.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
lines.end();
const output: JsonParseOutput = { seconds: (performance.now() - started) / 1000, rows, maxRssKiB: process.resourceUsage().maxRSS };
process.stdout.write(`${JSON.stringify({ ...output, bytesIn })}\n`);

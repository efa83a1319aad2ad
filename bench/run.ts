/**
 * `npm run bench -- NAME [flags]`: benchmarks run side by side with a peer on generated data.
 * Never part of `npm test`; each prints its numbers, the peer's, the ratio and the budget verdict.
 */
import { runPcapBench } from './pcap.js';
import { runVpcBench } from './vpc.js';
import { runCalicoBench } from './calico.js';
import { runClassifyBench } from './classify.js';
import { BenchUsageError } from './usage.js';

const BENCHES: Record<string, (args: string[]) => Promise<void>> = {
  pcap: runPcapBench,
  vpc: runVpcBench,
  calico: runCalicoBench,
  classify: runClassifyBench,
};

const [name, ...args] = process.argv.slice(2);
const bench = name === undefined ? undefined : BENCHES[name];
if (!bench) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [flags]\n`);
  process.exitCode = 2;
} else {
  try {
    await bench(args);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`${err.message}\n${err.usage}\n`);
    process.exitCode = 2;
  }
}

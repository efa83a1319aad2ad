/**
 * A floor of the pcap bench, in its own process: `node dist/bench/pcap-floor.js STAGE CAPTURE`
 * does only part of an ingest (pcap-floor-stages.ts says which) and prints one JSON line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHash } from '../src/ingest/background-hash.js';
import { fileChunks } from '../src/ingest/file-chunks.js';
import { CaptureRecordReader } from '../src/ingest/pcap/reader/record-reader.js';
import { DecodedPacket } from '../src/ingest/pcap/decode/packet.js';
import { decodePacket } from '../src/ingest/pcap/decode/decode.js';
import { udpTunnelPorts } from '../src/ingest/pcap/decode/udp-tunnel-ports.js';
import { ConnTracker } from '../src/ingest/conntrack.js';
import { FLOOR_STAGES } from './pcap-floor-stages.js';
import type { FloorStage, PcapFloorOutput } from './pcap-floor-stages.js';

const [stage, capturePath] = process.argv.slice(2) as [FloorStage | undefined, string | undefined];
if (stage === undefined || !FLOOR_STAGES.includes(stage) || capturePath === undefined) {
  process.stderr.write(`usage: node dist/bench/pcap-floor.js <${FLOOR_STAGES.join('|')}> CAPTURE\n`);
  process.exit(2);
}

const started = performance.now();
const packets = await runStage(stage, capturePath);
const cpu = process.cpuUsage();
const output: PcapFloorOutput = {
  stage,
  seconds: (performance.now() - started) / 1000,
  packets,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  maxRssKiB: process.resourceUsage().maxRSS,
};
process.stdout.write(`${JSON.stringify(output)}\n`);

async function runStage(which: FloorStage, path: string): Promise<number> {
  switch (which) {
    case 'start':
      return openEmptyDatabase();
    case 'hash':
      await new FileHash(path, statSync(path).size).digest();
      return 0;
    case 'read':
    case 'decode':
    case 'track':
      return readPackets(which, path);
  }
}

async function openEmptyDatabase(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'flowaudit-floor-'));
  try {
    const { Store } = await import('../src/store/store.js');
    (await Store.open(join(dir, 'floor.duckdb'))).close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return 0;
}

async function readPackets(which: 'read' | 'decode' | 'track', path: string): Promise<number> {
  const pkt = new DecodedPacket(udpTunnelPorts([]));
  let nextId = 0;
  const tracker = new ConnTracker(() => undefined, () => ++nextId);
  let packets = 0;
  const reader = new CaptureRecordReader(path, {
    packet(buf, off, caplen, origlen, tsMicros, linktype) {
      packets++;
      if (which === 'read') return;
      decodePacket(pkt, buf, off, caplen, linktype, origlen);
      if (which === 'decode' || pkt.ipVersion === 0 || pkt.anomaly !== 0) return;
      if (pkt.tunnelDepth > 0) {
        // As the ingest does, minus the tunnel contexts: each layer is a connection.
        for (let level = 0; level < pkt.tunnelDepth; level++) tracker.add(pkt.outer[level]!, tsMicros, pkt.outer[level]!.ipLen, level);
      }
      tracker.add(pkt, tsMicros, pkt.ipLen, pkt.tunnelDepth);
    },
    problem() {},
  }, 2 * 1024 * 1024);
  for await (const chunk of fileChunks(path)) reader.push(chunk);
  reader.end(null);
  tracker.flushAll();
  return packets;
}

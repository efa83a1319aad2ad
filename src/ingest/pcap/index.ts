/**
 * Capture ingest: reader → decoders → connection tracker → store, for one file in one transaction.
 */
import { statSync } from 'node:fs';
import type { Ingester, IngestOptions, InputReport } from '../types.js';
import type { Store } from '../../store/store.js';
import type { InputWriter } from '../../store/input-writer.js';
import { openCaptureInput, readCapture } from './reader/read-capture.js';
import type { CaptureInput } from './reader/read-capture.js';
import { sniffCapture } from './reader/detect.js';
import type { CaptureProblem, PacketSink } from './reader/types.js';
import { DecodedPacket } from './decode/packet.js';
import { decodePacket } from './decode/decode.js';
import { ANOMALY_NAMES, Anomaly, newAnomalyCounters } from './decode/anomalies.js';
import { ConnTracker } from '../conntrack.js';
import { captureConnectionRow } from './connection-row.js';
import { FragmentTracker } from '../fragments.js';
import type { Connection } from '../connection.js';
import { udpTunnelPorts } from './decode/udp-tunnel-ports.js';
import { TunnelContexts } from './tunnel-contexts.js';
import { NameCollector } from './names/name-collector.js';

export const pcapIngester: Ingester = {
  kind: 'pcap',
  sniff(head) {
    const kind = sniffCapture(head);
    return kind === 'pcap' || kind === 'pcapng';
  },
  ingest: ingestCapture,
};

/** Per-input counters the packet callback updates (plain numbers: no allocation per packet). */
class CaptureCounts {
  frame = 0;
  used = 0;
  nonIp = 0;
  rejected = 0;
  readonly anomalies = newAnomalyCounters();
}

/** What the packet callback feeds: connections per layer, fragments, tunnel contexts, names. */
interface Trackers {
  connections: ConnTracker;
  fragments: FragmentTracker;
  tunnels: TunnelContexts;
  names: NameCollector;
}

async function ingestCapture(store: Store, path: string, options: IngestOptions): Promise<InputReport> {
  const vxlanPorts = options.vxlanPorts ?? [];
  const writer = await store.beginInput({ path, kind: 'pcap', ...(vxlanPorts.length > 0 ? { options: { vxlan_ports: vxlanPorts } } : {}) });
  const warnings: string[] = [];
  const counts = new CaptureCounts();
  let gaps = 0;
  try {
    const connections = new ConnTracker(
      (c) => writer.appendConnection(captureConnectionRow(c)),
      () => writer.allocateConnectionId(),
    );
    const trackers: Trackers = {
      connections,
      fragments: new FragmentTracker((c, fromClient, ts, bytes) => connections.countInto(c, fromClient, ts, bytes)),
      tunnels: new TunnelContexts(),
      names: new NameCollector((row) => writer.appendName(row)),
    };
    const pkt = new DecodedPacket(udpTunnelPorts(vxlanPorts));
    const sink = packetSink(pkt, writer, trackers, counts, (problem) => {
      if (problem.kind === 'truncated_file') {
        gaps++;
        warnings.push(`${path}: capture cut short at byte ${problem.byteOffset} (${problem.reason}); everything before it was read`);
        writer.appendGap({
          kind: 'truncated_capture',
          interfaceId: null,
          startMicros: problem.lastTsMicros,
          endMicros: null,
          byteOffset: problem.byteOffset,
          detail: problem.reason,
        });
      } else {
        counts.rejected++;
        writer.appendReject({ byteOffset: problem.byteOffset, line: null, reason: 'bad_record', excerpt: problem.reason });
      }
    });
    const summary = await readCapture(withProgress(openCaptureInput(path), path, options), sink);
    for (const f of trackers.fragments.finish()) {
      counts.rejected++;
      writer.appendReject({ frame: f.frame, byteOffset: null, line: null, reason: f.reason, excerpt: 'an IP fragment whose first fragment is not in the capture' });
    }
    trackers.connections.flushAll();
    trackers.names.flush();
    counts.anomalies[Anomaly.fragment_overlap]! += trackers.fragments.overlaps;
    const anomalyCounts = new Map<string, number>();
    counts.anomalies.forEach((n, code) => {
      if (code > 0 && n > 0) anomalyCounts.set(ANOMALY_NAMES[code]!, n);
    });
    await writer.writeAnomalies(anomalyCounts);
    const result = await writer.finish({
      kind: summary.format,
      formatDetail: `${summary.gzip ? 'gzip, ' : ''}linktypes ${summary.linktypes.join(',')}${summary.sections > 1 ? `, ${summary.sections} sections` : ''}`,
      sizeBytes: sizeOf(path),
      sha256: summary.sha256,
      recordsRead: summary.packets + summary.badRecords,
      recordsUsed: counts.used + counts.nonIp,
      recordsRejected: counts.rejected,
      nonIpRecords: counts.nonIp,
      firstSeenMicros: summary.firstTsMicros,
      lastSeenMicros: summary.lastTsMicros,
    });
    return {
      path,
      kind: summary.format,
      recordsRead: summary.packets + summary.badRecords,
      recordsUsed: counts.used + counts.nonIp,
      recordsRejected: counts.rejected,
      connections: result.committed ? result.connections : 0,
      anomalies: [...anomalyCounts.values()].reduce((a, b) => a + b, 0),
      gaps,
      duplicateOf: result.committed ? null : result.duplicateOf,
      warnings,
    };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

function packetSink(pkt: DecodedPacket, writer: InputWriter, trackers: Trackers, counts: CaptureCounts, onProblem: (p: CaptureProblem) => void): PacketSink {
  return {
    packet(buf, off, caplen, origlen, tsMicros, linktype) {
      counts.frame++;
      decodePacket(pkt, buf, off, caplen, linktype, origlen);
      if (pkt.anomaly !== 0) counts.anomalies[pkt.anomaly]!++;
      if (pkt.tunnelDepth > 0) {
        trackTunnelled(pkt, tsMicros, trackers, counts);
        return;
      }
      if (pkt.ipVersion === 0) {
        if (pkt.anomaly === 0) {
          counts.nonIp++;
          return;
        }
      } else if (pkt.anomaly === 0) {
        if (pkt.isFragment && pkt.fragmentOffset > 0) {
          // Counted as used when attributed; still waiting ones are settled at the end of the input.
          if (trackers.fragments.later(pkt, tsMicros, pkt.ipLen, counts.frame)) counts.used++;
          return;
        }
        const conn = trackers.connections.add(pkt, tsMicros, pkt.ipLen);
        counts.used++;
        if (pkt.isFragment) counts.used += trackers.fragments.first(pkt, conn, tsMicros);
        trackers.names.observe(pkt, conn, tsMicros);
        return;
      }
      // A malformed layer: the packet cannot be put into a connection, so it is a rejected record.
      counts.rejected++;
      writer.appendReject({ frame: counts.frame, byteOffset: null, line: null, reason: ANOMALY_NAMES[pkt.anomaly]!, excerpt: hexExcerpt(buf, off, caplen) });
    },
    problem: onProblem,
  };
}

/**
 * A tunnelled packet: one connection per layer, outermost first, each inner one keyed in its
 * tunnel's context and pointing at the connection that carried it. The outer layers are complete,
 * so the packet is a used record even when the innermost layer is malformed (its anomaly is counted).
 */
function trackTunnelled(pkt: DecodedPacket, ts: number, trackers: Trackers, counts: CaptureCounts): void {
  let outer: Connection | null = null;
  let context = 0;
  for (let level = 0; level < pkt.tunnelDepth; level++) {
    const layer = pkt.outer[level]!;
    if (level > 0) context = trackers.tunnels.contextOf(context, pkt.outer[level - 1]!, layer);
    outer = trackers.connections.add(layer, ts, layer.ipLen, context, outer);
  }
  counts.used++;
  if (pkt.ipVersion === 0 || pkt.anomaly !== 0) return;
  context = trackers.tunnels.contextOf(context, pkt.outer[pkt.tunnelDepth - 1]!, pkt);
  if (pkt.isFragment && pkt.fragmentOffset > 0) {
    trackers.fragments.later(pkt, ts, pkt.ipLen, counts.frame, context, true);
    return;
  }
  const conn = trackers.connections.add(pkt, ts, pkt.ipLen, context, outer);
  if (pkt.isFragment) trackers.fragments.first(pkt, conn, ts, context);
  trackers.names.observe(pkt, conn, ts);
}

/** The first bytes of a rejected packet as hex, enough to find it in a hex dump. */
function hexExcerpt(buf: Uint8Array, off: number, len: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + off, Math.min(len, 32)).toString('hex');
}

function sizeOf(path: string): number | null {
  if (path === '-') return null;
  return statSync(path).size;
}

/** Report bytes read to the progress callback, if any (the reader itself knows nothing of progress). */
function withProgress(input: CaptureInput, path: string, options: IngestOptions): CaptureInput {
  const progress = options.progress;
  if (!progress) return input;
  const total = path === '-' ? null : sizeOf(path);
  const source = input.stream;
  async function* counted(): AsyncIterable<Uint8Array> {
    let done = 0;
    for await (const chunk of source) {
      done += chunk.length;
      progress!(done, total);
      yield chunk;
    }
  }
  return { ...input, stream: counted() };
}

/**
 * Cilium Hubble exports into the store: events → connections (hubble-connections.ts), DNS names
 * from `source_names`/`destination_names` and L7 DNS answers, pod names beside pod addresses, and
 * the exporter's lost-events notices as gaps.
 */
import { canonicalAddress } from '../../net/ip.js';
import type { InputWriter, NameRow } from '../../store/input-writer.js';
import type { IngestOptions } from '../types.js';
import { HubbleConnection, IDLE_MICROS } from './hubble-connections.js';
import { hubbleEvent } from './hubble-event.js';
import type { HubbleEndpoint, HubbleFlow } from './hubble-event.js';
import type { FlowInput } from './input.js';
import { JsonRecordSplitter, streamJsonRecords } from './json-records.js';
import { excerpt } from './json-text.js';
import type { ShapeOutcome } from './outcome.js';

/** How many events pass between sweeps for idle connections. */
const SWEEP_EVERY = 65_536;

export async function readHubble(writer: InputWriter, input: FlowInput, options: IngestOptions): Promise<ShapeOutcome> {
  const open = new Map<string, HubbleConnection>();
  const names = new NameCollector();
  let read = 0;
  let rejected = 0;
  let notFlows = 0;
  let gaps = 0;
  let first: number | null = null;
  let last: number | null = null;
  let sinceSweep = 0;

  const emit = (c: HubbleConnection): void => writer.appendConnection(c.toRow());
  const sweep = (now: number): void => {
    for (const [key, c] of open) {
      if (now - c.last > IDLE_MICROS) {
        emit(c);
        open.delete(key);
      }
    }
  };

  const records = new JsonRecordSplitter((record) => {
    read++;
    const reject = (reason: string, text: string): void => {
      rejected++;
      writer.appendReject({ line: record.line, byteOffset: record.byteOffset, reason, excerpt: excerpt(text) });
    };
    if (record.error !== null) return reject(record.error, record.text);
    const event = hubbleEvent(record.value);
    switch (event.kind) {
      case 'bad':
        return reject(event.reason, `${event.detail}: ${record.text}`);
      case 'no-ip':
      case 'other':
        notFlows++;
        return;
      case 'lost':
        notFlows++;
        gaps++;
        writer.appendGap({
          kind: 'capture_drops',
          interfaceId: null,
          startMicros: event.micros,
          endMicros: event.micros,
          byteOffset: null,
          detail: `Hubble lost ${event.lost} events${event.source === null ? '' : ` (${event.source})`}`,
        });
        return;
      case 'flow': {
        const flow = event.flow;
        first = Math.min(first ?? flow.micros, flow.micros);
        last = Math.max(last ?? flow.micros, flow.micros);
        const key = connectionKey(flow);
        let c = open.get(key);
        if (c !== undefined && (flow.micros - c.last > IDLE_MICROS || (c.closing && flow.tcp?.syn === true && !flow.tcp.ack))) {
          emit(c);
          c = undefined;
        }
        if (c === undefined) {
          c = new HubbleConnection(writer.allocateConnectionId(), flow.src, flow.dst, flow.proto, flow.ipFamily, flow);
          open.set(key, c);
        }
        c.add(flow);
        names.add(flow, c.id);
        if (++sinceSweep === SWEEP_EVERY) {
          sinceSweep = 0;
          sweep(flow.micros);
        }
        return;
      }
    }
  });
  const streamed = await streamJsonRecords(input, records, options);
  for (const c of open.values()) emit(c);
  for (const n of names.rows()) writer.appendName(n);

  return {
    kind: 'hubble',
    formatDetail: input.gzip ? 'json events, gzip' : 'json events',
    sha256: streamed.sha256,
    recordsRead: read,
    recordsRejected: rejected,
    nonIpRecords: notFlows,
    firstSeenMicros: first,
    lastSeenMicros: last,
    gaps,
    warnings: streamed.gzipError === null ? [] : [`${input.displayPath}: ${streamed.gzipError}; the events before it were read`],
  };
}

/** Protocol and the two endpoints in a fixed order, so both directions share one key. */
function connectionKey(f: HubbleFlow): string {
  const s = `${f.src.ip}|${f.src.port ?? ''}`;
  const d = `${f.dst.ip}|${f.dst.port ?? ''}`;
  return s < d ? `${f.proto}|${s}|${d}` : `${f.proto}|${d}|${s}`;
}

/** Address ↔ name evidence, one row per address, name and kind of evidence. */
class NameCollector {
  private readonly byKey = new Map<string, NameRow>();

  add(f: HubbleFlow, connectionId: number): void {
    for (const e of [f.src, f.dst]) {
      for (const n of e.names) this.note(e.ip, n, 'dns', f.micros, connectionId);
      const pod = podName(e);
      if (pod !== null) this.note(e.ip, pod, 'flowlog', f.micros, connectionId);
    }
    for (const ip of f.dns?.ips ?? []) {
      const address = canonicalAddress(ip);
      if (address !== null) this.note(address, f.dns!.query, 'dns', f.micros, connectionId);
    }
  }

  rows(): IterableIterator<NameRow> {
    return this.byKey.values();
  }

  private note(address: string, name: string, evidence: 'dns' | 'flowlog', micros: number, connectionId: number): void {
    const key = `${address}\u0000${name}\u0000${evidence}`;
    const row = this.byKey.get(key);
    if (row) {
      row.firstSeenMicros = Math.min(row.firstSeenMicros!, micros);
      row.lastSeenMicros = Math.max(row.lastSeenMicros!, micros);
      row.timesSeen++;
      return;
    }
    this.byKey.set(key, {
      address,
      name,
      evidence,
      firstSeenMicros: micros,
      lastSeenMicros: micros,
      connectionId,
      // eslint-disable-next-line no-control-regex
      suspicious: /[\u0000-\u001f\u007f<>]/.test(name) || name.length > 253,
      timesSeen: 1,
    });
  }
}

function podName(e: HubbleEndpoint): string | null {
  if (e.podName === null) return null;
  return e.namespace === null ? e.podName : `${e.namespace}/${e.podName}`;
}

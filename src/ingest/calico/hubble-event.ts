/**
 * One Cilium Hubble event as exported: `hubble observe -o json` (a bare Flow), `-o jsonpb` and the
 * exporter's events file (`{flow, node_name, time}` and the other event kinds). Field names are
 * the protobuf ones (snake_case, with Hubble's capitalised `IP`, `TCP`, `Type`); the camelCase
 * spelling of protobuf JSON is accepted too.
 */
import { addressToBigInt, formatIPv4, formatIPv6, parseAddress } from '../../net/ip.js';
import { integer, isObject, pick, text } from './json-text.js';
import type { JsonObject } from './json-text.js';
import { ciliumLabelMap } from './labels.js';
import type { LabelMap } from './labels.js';
import { HUBBLE_EVENTS } from './shape.js';
import { rfc3339Micros } from './time.js';

export type HubbleEvent =
  | { kind: 'flow'; flow: HubbleFlow }
  | { kind: 'no-ip' }
  | { kind: 'lost'; micros: number | null; lost: number; source: string | null }
  | { kind: 'other' }
  | { kind: 'bad'; reason: string; detail: string };

export interface HubbleEndpoint {
  ip: string;
  ipNum: bigint;
  /** Port, or for ICMP null (the type and code are on the flow). */
  port: number | null;
  namespace: string | null;
  podName: string | null;
  labels: LabelMap | null;
  /** pod, host, remote-node, kube-apiserver, health, ingress, world, ... */
  endpointType: string | null;
  workload: string | null;
  identity: number | null;
  /** DNS names Cilium's proxy saw resolve to this address (source_names / destination_names). */
  names: string[];
}

export interface HubbleFlow {
  micros: number;
  verdict: string;
  proto: number;
  ipFamily: 4 | 6;
  src: HubbleEndpoint;
  dst: HubbleEndpoint;
  tcp: { syn: boolean; ack: boolean; fin: boolean; rst: boolean } | null;
  icmp: { type: number; code: number } | null;
  /** null when Hubble does not know. */
  isReply: boolean | null;
  /** Where the event was seen: node and trace observation point. */
  vantage: string;
  node: string | null;
  dropReason: string | null;
  /** DNS answers carried by an L7 DNS event. */
  dns: { query: string; ips: string[] } | null;
}

/** Verdict enum numbers (flow.proto) → names, for JSON that writes enums as numbers. */
const VERDICTS = ['VERDICT_UNKNOWN', 'FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED'];

/** Layer-4 messages of flow.proto and their IANA protocol numbers. */
const L4_PROTOCOLS: Readonly<Record<string, number>> = { TCP: 6, UDP: 17, ICMPv4: 1, ICMPv6: 58, SCTP: 132, IGMP: 2, VRRP: 112 };

/** Reserved identity labels that name what kind of endpoint an address is, most specific first. */
const RESERVED_TYPES: readonly [string, string][] = [
  ['reserved:host', 'host'],
  ['reserved:remote-node', 'remote-node'],
  ['reserved:kube-apiserver', 'kube-apiserver'],
  ['reserved:health', 'health'],
  ['reserved:ingress', 'ingress'],
  ['reserved:init', 'init'],
  ['reserved:unmanaged', 'unmanaged'],
  ['reserved:world', 'world'],
  ['reserved:world-ipv4', 'world'],
  ['reserved:world-ipv6', 'world'],
];

const bad = (reason: string, detail: string): HubbleEvent => ({ kind: 'bad', reason, detail });

export function hubbleEvent(record: unknown): HubbleEvent {
  if (!isObject(record)) return bad('not_a_flow_record', 'not an object');
  const flow = isObject(record.flow) ? record.flow : 'verdict' in record ? record : null;
  if (flow === null) {
    const lost = pick(record, 'lost_events', 'lostEvents');
    if (isObject(lost)) {
      return {
        kind: 'lost',
        micros: typeof record.time === 'string' ? rfc3339Micros(record.time) : null,
        lost: integer(pick(lost, 'num_events_lost', 'numEventsLost')) ?? 0,
        source: text(lost.source),
      };
    }
    if (HUBBLE_EVENTS.some((k) => isObject(record[k])) || isObject(record.nodeStatus) || isObject(record.agentEvent) || isObject(record.debugEvent)) {
      return { kind: 'other' };
    }
    return bad('not_a_flow_record', 'no flow');
  }
  return parseFlow(flow, record === flow ? null : record);
}

function parseFlow(f: JsonObject, wrapper: JsonObject | null): HubbleEvent {
  const timeText = text(f.time) ?? (wrapper ? text(wrapper.time) : null);
  const micros = timeText === null ? null : rfc3339Micros(timeText);
  if (micros === null) return bad('bad_time', `time=${JSON.stringify(f.time ?? null)}`);
  const ip = f.IP;
  if (!isObject(ip)) return { kind: 'no-ip' };
  const srcAddr = parseAddress(String(ip.source ?? '').trim());
  const dstAddr = parseAddress(String(ip.destination ?? '').trim());
  if (!srcAddr || !dstAddr || srcAddr.family !== dstAddr.family) {
    return bad('bad_address', `source=${JSON.stringify(ip.source ?? null)} destination=${JSON.stringify(ip.destination ?? null)}`);
  }
  const l4 = f.l4;
  const l4Key = isObject(l4) ? Object.keys(L4_PROTOCOLS).find((k) => isObject(l4[k])) : undefined;
  if (!isObject(l4) || l4Key === undefined) return bad(isObject(l4) ? 'unknown_l4' : 'missing_l4', JSON.stringify(l4 ?? null).slice(0, 80));
  const layer = l4[l4Key] as JsonObject;
  const isIcmp = l4Key === 'ICMPv4' || l4Key === 'ICMPv6';
  const srcPort = isIcmp ? null : integer(pick(layer, 'source_port', 'sourcePort'));
  const dstPort = isIcmp ? null : integer(pick(layer, 'destination_port', 'destinationPort'));
  const flags = isObject(layer.flags) ? layer.flags : null;
  const verdict = typeof f.verdict === 'number' ? (VERDICTS[f.verdict] ?? String(f.verdict)) : (text(f.verdict) ?? 'VERDICT_UNKNOWN');
  const isReply = pick(f, 'is_reply', 'isReply');
  const node = text(pick(f, 'node_name', 'nodeName')) ?? (wrapper ? text(pick(wrapper, 'node_name', 'nodeName')) : null);
  const dropReason = pick(f, 'drop_reason_desc', 'dropReasonDesc');
  return {
    kind: 'flow',
    flow: {
      micros,
      verdict,
      proto: L4_PROTOCOLS[l4Key]!,
      ipFamily: srcAddr.family,
      src: endpoint(f.source, srcAddr, srcPort, pick(f, 'source_names', 'sourceNames')),
      dst: endpoint(f.destination, dstAddr, dstPort, pick(f, 'destination_names', 'destinationNames')),
      tcp: l4Key === 'TCP'
        ? { syn: flags?.SYN === true, ack: flags?.ACK === true, fin: flags?.FIN === true, rst: flags?.RST === true }
        : null,
      icmp: isIcmp ? { type: integer(layer.type) ?? 0, code: integer(layer.code) ?? 0 } : null,
      isReply: typeof isReply === 'boolean' ? isReply : null,
      vantage: `${node ?? ''}/${text(pick(f, 'trace_observation_point', 'traceObservationPoint')) ?? ''}`,
      node,
      dropReason: dropReason === undefined || dropReason === null ? null : String(dropReason),
      dns: dnsAnswer(f.l7),
    },
  };
}

function endpoint(e: unknown, addr: { family: 4 | 6; bytes: Uint8Array }, port: number | null, names: unknown): HubbleEndpoint {
  const o = isObject(e) ? e : {};
  const labels = Array.isArray(o.labels) ? o.labels : [];
  const podName = text(pick(o, 'pod_name', 'podName'));
  const namespace = text(o.namespace);
  const workloads = Array.isArray(o.workloads) ? o.workloads.filter(isObject) : [];
  return {
    ip: addr.family === 4 ? formatIPv4(addr.bytes, 0) : formatIPv6(addr.bytes, 0),
    ipNum: addressToBigInt(addr.bytes, 0, addr.family === 4 ? 4 : 16),
    port,
    namespace,
    podName,
    labels: labels.length > 0 ? ciliumLabelMap(labels) : null,
    endpointType: podName !== null ? 'pod' : (RESERVED_TYPES.find(([label]) => labels.includes(label))?.[1] ?? (namespace !== null ? 'pod' : null)),
    workload: workloads.length > 0 ? text(workloads[0]!.name) : null,
    identity: integer(o.identity),
    names: Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string' && n !== '') : [],
  };
}

/** An L7 DNS response's query and the addresses it answered with. */
function dnsAnswer(l7: unknown): { query: string; ips: string[] } | null {
  if (!isObject(l7) || !isObject(l7.dns)) return null;
  const query = text(l7.dns.query);
  const ips = Array.isArray(l7.dns.ips) ? l7.dns.ips.filter((i): i is string => typeof i === 'string') : [];
  if (query === null || ips.length === 0) return null;
  return { query: query.endsWith('.') ? query.slice(0, -1) : query, ips };
}

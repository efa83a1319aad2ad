/**
 * Calico Open Source flows (Goldmane, and the Whisker console's API over it) as staged records.
 *
 * Goldmane's `Flow` comes in two JSON spellings: the emitter's (Go field names, snake_case, enums as
 * numbers, zero values left out) and the gRPC API's (protobuf JSON: camelCase, enum names, int64 as
 * text). Whisker's `FlowResponse` is flat, with RFC 3339 times and labels joined by " | ".
 * Goldmane aggregates by workload prefix across the cluster: its flows never carry addresses or
 * source ports, so every one of them stands for a group of connections.
 */
import { protocolNumber } from './protocols.js';
import { integer, isObject, pick, text } from './json-text.js';
import type { JsonObject } from './json-text.js';
import type { PolicyHit } from './policies.js';
import type { StagedEndpoint, StagedFlow } from './stage-append.js';
import type { ReporterView } from './stage.js';
import { rfc3339Micros } from './time.js';

export type FlowParse = { ok: true; flow: StagedFlow } | { ok: false; reason: string; detail: string };

const REPORTERS: Readonly<Record<string, 'src' | 'dst'>> = { '1': 'src', src: 'src', '2': 'dst', dst: 'dst' };
const ACTIONS: Readonly<Record<string, string>> = { '1': 'allow', allow: 'allow', '2': 'deny', deny: 'deny', '3': 'pass', pass: 'pass' };
const ENDPOINT_TYPES: Readonly<Record<string, string>> = {
  '1': 'wep', workloadendpoint: 'wep', wep: 'wep',
  '2': 'hep', hostendpoint: 'hep', hep: 'hep',
  '3': 'ns', networkset: 'ns', ns: 'ns',
  '4': 'net', network: 'net', net: 'net',
};

/** An enum given by number or by name (any case); null when it is not one of `names`. */
function enumValue<T>(v: unknown, names: Readonly<Record<string, T>>): T | null {
  if (typeof v !== 'number' && typeof v !== 'string') return null;
  return names[String(v).toLowerCase()] ?? null;
}

const fail = (reason: string, detail: string): FlowParse => ({ ok: false, reason, detail });

/** One Goldmane `Flow` (already out of any `FlowResult`/`FlowUpdate` wrapper). */
export function goldmaneFlow(flow: JsonObject): FlowParse {
  const key = flow.Key;
  if (!isObject(key)) return fail('missing_field', 'no Key object');
  const start = integer(pick(flow, 'start_time', 'startTime'));
  const end = integer(pick(flow, 'end_time', 'endTime'));
  const live = integer(pick(flow, 'num_connections_live', 'numConnectionsLive')) ?? 0;
  const completed = integer(pick(flow, 'num_connections_completed', 'numConnectionsCompleted')) ?? 0;
  const started = integer(pick(flow, 'num_connections_started', 'numConnectionsStarted')) ?? 0;
  const common = commonFields(start, end, pick(key, 'proto'), pick(key, 'reporter'), pick(key, 'action'));
  if (!common.ok) return common;
  const policies = pick(key, 'policies');
  return {
    ok: true,
    flow: {
      ...common.value,
      src: goldmaneEndpoint(key, flow, 'source', null),
      dst: goldmaneEndpoint(key, flow, 'dest', port(pick(key, 'dest_port', 'destPort'))),
      bytesIn: counter(flow, 'bytes_in', 'bytesIn'),
      bytesOut: counter(flow, 'bytes_out', 'bytesOut'),
      packetsIn: counter(flow, 'packets_in', 'packetsIn'),
      packetsOut: counter(flow, 'packets_out', 'packetsOut'),
      // Connections active in the window: those that ended in it plus those still open at its end.
      numFlows: Math.max(1, live + completed, started),
      policies: isObject(policies)
        ? { enforced: policyHits(pick(policies, 'enforced_policies', 'enforcedPolicies')), pending: policyHits(pick(policies, 'pending_policies', 'pendingPolicies')) }
        : null,
      view: view(destService(key), { started, completed, live }),
    },
  };
}

/** One Whisker `FlowResponse`. */
export function whiskerFlow(flow: JsonObject): FlowParse {
  const common = commonFields(seconds(flow.start_time), seconds(flow.end_time), flow.protocol, flow.reporter, flow.action);
  if (!common.ok) return common;
  const policies = flow.policies;
  return {
    ok: true,
    flow: {
      ...common.value,
      src: whiskerEndpoint(flow, 'source', null),
      dst: whiskerEndpoint(flow, 'dest', port(flow.dest_port)),
      bytesIn: counter(flow, 'bytes_in'),
      bytesOut: counter(flow, 'bytes_out'),
      packetsIn: counter(flow, 'packets_in'),
      packetsOut: counter(flow, 'packets_out'),
      numFlows: 1,
      policies: isObject(policies) ? { enforced: policyHits(policies.enforced), pending: policyHits(policies.pending) } : null,
      view: view(null, null),
    },
  };
}

type Common = Pick<StagedFlow, 'startSeconds' | 'endSeconds' | 'proto' | 'reporter' | 'action'>;

function commonFields(start: number | null, end: number | null, proto: unknown, reporter: unknown, action: unknown): { ok: true; value: Common } | { ok: false; reason: string; detail: string } {
  if (start === null || end === null || end < start) return { ok: false, reason: 'bad_time', detail: `start=${start} end=${end}` };
  const protoNumber = typeof proto === 'string' || typeof proto === 'number' ? protocolNumber(proto) : null;
  if (protoNumber === null) return { ok: false, reason: 'bad_proto', detail: `proto=${JSON.stringify(proto)}` };
  const rep = enumValue(reporter, REPORTERS);
  if (rep === null) return { ok: false, reason: 'bad_reporter', detail: `reporter=${JSON.stringify(reporter)}` };
  const act = enumValue(action, ACTIONS);
  if (act === null) return { ok: false, reason: 'bad_action', detail: `action=${JSON.stringify(action)}` };
  return { ok: true, value: { startSeconds: start, endSeconds: end, proto: protoNumber, reporter: rep, action: act } };
}

function goldmaneEndpoint(key: JsonObject, flow: JsonObject, side: 'source' | 'dest', portNumber: number | null): StagedEndpoint {
  const camel = side === 'source' ? 'source' : 'dest';
  const labels = pick(flow, `${side}_labels`, `${camel}Labels`);
  return {
    ip: null,
    port: portNumber,
    namespace: noneless(pick(key, `${side}_namespace`, `${camel}Namespace`)),
    name: noneless(pick(key, `${side}_name`, `${camel}Name`)),
    labels: Array.isArray(labels) ? labels.filter((l): l is string => typeof l === 'string') : null,
    type: enumValue(pick(key, `${side}_type`, `${camel}Type`), ENDPOINT_TYPES),
  };
}

function whiskerEndpoint(flow: JsonObject, side: 'source' | 'dest', portNumber: number | null): StagedEndpoint {
  const labels = flow[`${side}_labels`];
  return {
    ip: null,
    port: portNumber,
    namespace: noneless(flow[`${side}_namespace`]),
    name: noneless(flow[`${side}_name`]),
    // Whisker joins a flow's labels with " | " (an empty string: none known).
    labels: typeof labels === 'string' && labels.trim() !== '' ? labels.split(' | ').map((l) => l.trim()) : null,
    type: enumValue(flow[`${side}_type`], ENDPOINT_TYPES),
  };
}

/** A reporter's view (ReporterView in stage.ts): Goldmane knows the service and the connection counts. */
function view(destService: Record<string, unknown> | null, flows: Record<string, number> | null): ReporterView {
  return { ...(destService === null ? {} : { dest_service: destService }), ...(flows === null ? {} : { flows }) };
}

function destService(key: JsonObject): Record<string, unknown> | null {
  const name = noneless(pick(key, 'dest_service_name', 'destServiceName'));
  if (name === null) return null;
  return {
    namespace: noneless(pick(key, 'dest_service_namespace', 'destServiceNamespace')),
    name,
    port: noneless(pick(key, 'dest_service_port_name', 'destServicePortName')),
    port_num: port(pick(key, 'dest_service_port', 'destServicePort')),
  };
}

/** Policy rules that acted on the flow (proto3 leaves out zero values: a missing index or rule is 0). */
function policyHits(v: unknown): PolicyHit[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((h) => ({
    index: integer(pick(h, 'policy_index', 'policyIndex')) ?? 0,
    kind: pick(h, 'kind') ?? null,
    tier: text(h.tier),
    namespace: text(h.namespace),
    name: text(h.name) ?? '',
    action: enumValue(h.action, ACTIONS) ?? text(h.action),
    rule: integer(pick(h, 'rule_index', 'ruleIndex')) ?? 0,
    trigger: isObject(h.trigger) ? policyHits([h.trigger])[0] : null,
  }));
}

/** Text that is not one of the "none" spellings ('', '-'). */
function noneless(v: unknown): string | null {
  const t = text(v);
  return t === null || t === '-' ? null : t;
}

/** A port; 0 (protobuf's "not set") and anything out of range are no port. */
function port(v: unknown): number | null {
  const n = integer(v);
  return n !== null && n > 0 && n <= 65535 ? n : null;
}

function counter(o: JsonObject, ...names: string[]): number {
  const n = integer(pick(o, ...names));
  return n !== null && n >= 0 ? n : 0;
}

/** Unix seconds from a number or an RFC 3339 time. */
function seconds(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.floor(v) : null;
  if (typeof v !== 'string') return null;
  const micros = rfc3339Micros(v);
  return micros === null ? integer(v) : Math.floor(micros / 1e6);
}

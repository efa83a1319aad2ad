/**
 * Which Kubernetes flow-log shape a JSON input has, decided from its first records' keys:
 * - `calico`: Calico Enterprise / Calico Cloud flows.log lines (`start_time`, `reporter`, `source_name_aggr`, ...);
 * - `goldmane`: Calico Open Source Goldmane flows (a `Key` object), from the emitter or the gRPC API;
 * - `whisker`: the Whisker web console's flow API (`protocol`, `reporter`, RFC 3339 times);
 * - `hubble`: Cilium Hubble flows (`verdict`, `IP`, `l4`, ...) with or without the `flow` wrapper,
 *   and the exporter's other events.
 */
import { JsonRecordSplitter } from './json-records.js';
import type { JsonRecord } from './json-records.js';
import { isObject } from './json-text.js';
import type { JsonObject } from './json-text.js';

export type FlowShape = 'calico' | 'goldmane' | 'whisker' | 'hubble';

/** Records looked at before giving up: a few bad lines at the top do not hide the format. */
const SNIFF_RECORDS = 8;

export function detectShape(headText: string): FlowShape | null {
  const first = headText.trimStart();
  if (!first.startsWith('{') && !first.startsWith('[') && !first.startsWith('data:')) return null;
  const records: JsonRecord[] = [];
  const splitter = new JsonRecordSplitter((r) => records.push(r));
  const lines = headText.split('\n');
  for (let i = 0; i < lines.length && records.length < SNIFF_RECORDS; i++) splitter.pushLine(lines[i]!, i + 1, 0);
  for (const r of records) {
    const shape = r.error === null ? shapeOf(r.value) : null;
    if (shape !== null) return shape;
  }
  return documentShape(headText);
}

/** The shape of one parsed record (or of the list document it opens). */
export function shapeOf(v: unknown): FlowShape | null {
  if (Array.isArray(v)) return v.length > 0 && isWhiskerFlow(v[0]) ? 'whisker' : null;
  if (!isObject(v)) return null;
  if (isObject(v.Key)) return 'goldmane';
  if (isObject(v.flow)) {
    if (isObject(v.flow.Key)) return 'goldmane';
    if (isHubbleFlow(v.flow)) return 'hubble';
  }
  if (Array.isArray(v.flows) && v.flows.length > 0) return shapeOf(v.flows[0]) === 'goldmane' ? 'goldmane' : null;
  if (Array.isArray(v.items) && v.items.length > 0) return isWhiskerFlow(v.items[0]) ? 'whisker' : null;
  if (isHubbleFlow(v) || HUBBLE_EVENTS.some((k) => isObject(v[k]))) return 'hubble';
  if (isCalicoFlowLog(v)) return 'calico';
  if (isWhiskerFlow(v)) return 'whisker';
  return null;
}

/** Exporter events that are not flows (lost events become gaps; the others carry no traffic). */
export const HUBBLE_EVENTS = ['lost_events', 'node_status', 'agent_event', 'debug_event'] as const;

function isHubbleFlow(f: JsonObject): boolean {
  return 'verdict' in f && (isObject(f.IP) || isObject(f.l4) || 'Type' in f || isObject(f.event_type) || isObject(f.eventType));
}

function isCalicoFlowLog(v: JsonObject): boolean {
  return 'start_time' in v && 'reporter' in v && ('source_name_aggr' in v || 'dest_name_aggr' in v || 'source_type' in v);
}

function isWhiskerFlow(v: unknown): boolean {
  return isObject(v) && 'protocol' in v && 'reporter' in v && 'source_name' in v && typeof v.start_time === 'string';
}

/**
 * A pretty-printed document longer than the head never closes in it; its keys still tell:
 * a Goldmane list (`"flows"` of `"Key"` objects) or a Whisker list (`"items"` with `"protocol"`).
 */
function documentShape(head: string): FlowShape | null {
  if (/"Key"\s*:\s*\{/.test(head) && /"(source_name|sourceName)"\s*:/.test(head)) return 'goldmane';
  if (/"items"\s*:\s*\[/.test(head) && /"protocol"\s*:/.test(head) && /"reporter"\s*:/.test(head)) return 'whisker';
  return null;
}

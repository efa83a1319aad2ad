import { describe, it, expect } from 'vitest';
import { JsonRecordSplitter } from '../../../src/ingest/calico/json-records.js';
import type { JsonRecord } from '../../../src/ingest/calico/json-records.js';
import { detectShape } from '../../../src/ingest/calico/shape.js';
import { calicoPolicyHit, policyTrace } from '../../../src/ingest/calico/policies.js';
import { ciliumLabelMap, stagedLabelMap } from '../../../src/ingest/calico/labels.js';
import { FlowLogScanner } from '../../../src/ingest/calico/flowlog-scan.js';
import { rfc3339Micros } from '../../../src/ingest/calico/time.js';

function split(text: string): Pick<JsonRecord, 'line' | 'error' | 'value'>[] {
  const out: JsonRecord[] = [];
  const s = new JsonRecordSplitter((r) => out.push(r));
  text.split('\n').forEach((line, i) => s.pushLine(line, i + 1, 0));
  s.end();
  return out.map(({ line, error, value }) => ({ line, error, value }));
}

describe('JSON records', () => {
  it('reads one value per line, values spread over lines, and server-sent events', () => {
    expect(split('{"a":1}\n\n{\n  "b": [\n    1\n  ]\n}\ndata: {"c":3}\nevent: flow\n[1]')).toEqual([
      { line: 1, error: null, value: { a: 1 } },
      { line: 3, error: null, value: { b: [1] } },
      { line: 8, error: null, value: { c: 3 } },
      { line: 10, error: null, value: [1] },
    ]);
  });

  it('names what is wrong with a bad record and recovers at the next value', () => {
    expect(split('{"a":1,}\n{"b":\n{"c":3}\nnot json\n{"d":"unterminated\n{"e":5} trailing')).toEqual([
      { line: 1, error: 'trailing_comma', value: undefined },
      { line: 2, error: 'malformed_json', value: undefined },
      { line: 3, error: null, value: { c: 3 } },
      { line: 4, error: 'malformed_json', value: undefined },
      { line: 5, error: 'malformed_json', value: undefined },
      { line: 6, error: 'malformed_json', value: undefined },
    ]);
  });
});

describe('shape detection', () => {
  it('tells the four shapes apart by their keys, past a bad first line', () => {
    expect(detectShape('{"start_time":1,"end_time":2,"reporter":"src","source_name_aggr":"a-*"}\n')).toBe('calico');
    expect(detectShape('{"broken",}\n{"Key":{"proto":"tcp"},"start_time":1}\n')).toBe('goldmane');
    expect(detectShape('{\n  "id": "1",\n  "flow": {\n    "Key": {}\n  }\n}\n')).toBe('goldmane');
    expect(detectShape('{"total":1,"items":[{"start_time":"2024-01-01T00:00:00Z","protocol":"tcp","reporter":"Src","source_name":"a"}]}')).toBe('whisker');
    expect(detectShape('{"flow":{"verdict":"DROPPED","IP":{}},"node_name":"n"}\n')).toBe('hubble');
    expect(detectShape('{"time":"t","verdict":"FORWARDED","l4":{}}\n')).toBe('hubble');
    expect(detectShape('{"lost_events":{"num_events_lost":"1"}}\n')).toBe('hubble');
    expect(detectShape('{"a":1}\n')).toBeNull();
    expect(detectShape('\u00d4\u00c3\u00b2\u00a1 binary')).toBeNull();
  });

  it('tells a long pretty-printed list apart even when the head cuts it', () => {
    const head = `{\n  "meta": {},\n  "flows": [\n    {\n      "flow": {\n        "Key": {\n          "sourceName": "a-*",\n${'          "x": 1,\n'.repeat(50)}`;
    expect(detectShape(head)).toBe('goldmane');
  });
});

describe('policies and labels', () => {
  it('reads the 5-part, 4-part and 3-part policy strings', () => {
    expect(calicoPolicyHit('2|tier1|ns1/tier1.policy1|deny|-1')).toEqual({ index: 2, tier: 'tier1', name: 'ns1/tier1.policy1', action: 'deny', rule: -1 });
    expect(calicoPolicyHit('0|default|ns/default.p|allow')).toEqual({ index: 0, tier: 'default', name: 'ns/default.p', action: 'allow', rule: null });
    expect(calicoPolicyHit('allow-cnx|calico-monitoring/allow-cnx.es|allow')).toEqual({ index: null, tier: 'allow-cnx', name: 'calico-monitoring/allow-cnx.es', action: 'allow', rule: null });
    expect(calicoPolicyHit('odd')).toEqual({ index: null, tier: null, name: 'odd', action: null, rule: null });
  });

  it('keeps pending and all only where they differ from enforced', () => {
    const hit = '0|default|ns/default.p|allow|0';
    expect(policyTrace({ all_policies: [hit], enforced_policies: [hit], pending_policies: [hit] })).toEqual({ enforced: [calicoPolicyHit(hit)] });
    expect(policyTrace({ enforced: [{ index: 0, name: 'x' }] })).toEqual({ enforced: [{ index: 0, name: 'x' }] });
    expect(policyTrace({ something: 1 })).toBeNull();
  });

  it('turns label lists into maps, first key winning, and strips Cilium\'s k8s: source', () => {
    expect(stagedLabelMap({ labels: ['app=web', 'a=b=c', 'flag', 'app=other'] })).toEqual({ app: 'web', a: 'b=c', flag: '' });
    expect(stagedLabelMap(['x=1'])).toEqual({ x: '1' });
    expect(stagedLabelMap('-')).toBeNull();
    expect(ciliumLabelMap(['k8s:app=api', 'reserved:host', 'cidr:10.0.0.0/8'])).toEqual({ app: 'api', 'reserved:host': '', 'cidr:10.0.0.0/8': '' });
  });
});

describe('flows.log scan', () => {
  it('finds blank lines and trailing commas across chunk boundaries, not commas inside strings', () => {
    const text = '{"a":[1,]}\n\n  \n{"b":"x,]"}\n{"c":[1, \t]}\r\n{"d":1}';
    const scanner = new FlowLogScanner();
    for (let i = 0; i < text.length; i += 3) scanner.push(Buffer.from(text.slice(i, i + 3)));
    const scan = scanner.end();
    expect(scan.records).toBe(4);
    expect(scan.blankLines).toEqual([2, 3]);
    expect(scan.trailingCommas.map(({ ordinal, line, byteOffset }) => ({ ordinal, line, byteOffset }))).toEqual([
      { ordinal: 0, line: 1, byteOffset: 0 },
      { ordinal: 2, line: 5, byteOffset: 27 },
    ]);
  });

  it('reads RFC 3339 times to the microsecond', () => {
    expect(rfc3339Micros('2024-01-02T15:04:05.123456789Z')).toBe(Date.UTC(2024, 0, 2, 15, 4, 5) * 1000 + 123456);
    expect(rfc3339Micros('2024-01-02T16:04:05+01:00')).toBe(Date.UTC(2024, 0, 2, 15, 4, 5) * 1000);
    expect(rfc3339Micros('yesterday')).toBeNull();
  });
});

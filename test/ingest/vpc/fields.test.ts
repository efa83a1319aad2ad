import { describe, expect, it } from 'vitest';
import { DEFAULT_FORMAT, FIELD_CATALOGUE, FieldList, fieldSpec, parseHeaderLine, parseLogFormat } from '../../../src/ingest/vpc/fields.js';
import { classifyHead } from '../../../src/ingest/vpc/sniff.js';
import { parseTime } from '../../../src/ingest/vpc/time.js';
import { ConfigError } from '../../../src/errors.js';

const text = (s: string) => ({ head: Buffer.from(s), headText: s });

describe('VPC flow-log fields', () => {
  it('knows every documented field of versions 2 to 8 and of Transit Gateway logs, and keeps unknown ones as text', () => {
    expect(DEFAULT_FORMAT).toHaveLength(14);
    for (const f of ['pkt-srcaddr', 'flow-direction', 'traffic-path', 'ecs-task-id', 'reject-reason', 'resource-type', 'tgw-pair-attachment-id', 'packets-lost-ttl-expired']) {
      expect(FIELD_CATALOGUE.has(f), f).toBe(true);
    }
    expect(fieldSpec('account-id')).toEqual({ type: 'text', role: 'core' });
    expect(fieldSpec('some-future-field')).toEqual({ type: 'text', role: 'detail' });
  });

  it('recognises a header line by its field names, in any order, and nothing else', () => {
    expect(parseHeaderLine('srcaddr dstaddr version interface-id some-future-field')?.names).toEqual(['srcaddr', 'dstaddr', 'version', 'interface-id', 'some-future-field']);
    expect(parseHeaderLine('\uFEFFversion account-id srcaddr')?.names).toEqual(['version', 'account-id', 'srcaddr']);
    expect(parseHeaderLine('2 123456789010 eni-1235b8ca123456789 172.31.16.139')).toBeNull();
    expect(parseHeaderLine('name age city country')).toBeNull();
    expect(parseHeaderLine('srcaddr srcaddr dstaddr version')).toBeNull();
  });

  it('parses --log-format in AWS syntax or as bare names, and refuses what is not a field list', () => {
    expect(parseLogFormat('${version} ${vpc-id}  ${srcaddr}').names).toEqual(['version', 'vpc-id', 'srcaddr']);
    expect(parseLogFormat('version srcaddr dstaddr').toString()).toBe('version srcaddr dstaddr');
    expect(() => parseLogFormat('${version} ${src addr}')).toThrow(ConfigError);
    expect(() => parseLogFormat('${srcaddr} ${srcaddr}')).toThrow("field 'srcaddr' appears twice");
    expect(new FieldList(['version', 'interface-id']).missingEssentials(true)).toBe('the flow-log format has no ${srcaddr}, ${dstaddr}');
    expect(new FieldList(['pkt-srcaddr', 'pkt-dstaddr', 'end']).missingEssentials(false)).toBeNull();
  });

  it('sniffs headers, default-format records, Parquet and subscription payloads', () => {
    const h = text('version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n');
    expect(classifyHead(h.head, h.headText)).toMatchObject({ kind: 'text', header: true });
    const r = text('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n');
    expect(classifyHead(r.head, r.headText)).toMatchObject({ kind: 'text', header: false });
    const n = text('2 123456789010 eni-0eb1e4178af74336c - - - - - - - 1742570089 1742570142 - NODATA\n');
    expect(classifyHead(n.head, n.headText)).toMatchObject({ kind: 'text', header: false });
    const p = text('{"messageType":"DATA_MESSAGE","logEvents":[]}');
    expect(classifyHead(p.head, p.headText)).toEqual({ kind: 'cloudwatch-payload' });
    const calico = text('{"start_time":"2024-01-01T00:00:00Z","source_ip":"10.0.0.1"}\n');
    expect(classifyHead(calico.head, calico.headText)).toBeNull();
    const smallParquet = Buffer.concat([Buffer.from('PAR1'), Buffer.from('...srcaddr...'), Buffer.from('PAR1')]);
    expect(classifyHead(smallParquet, smallParquet.toString())).toEqual({ kind: 'parquet' });
    const otherParquet = Buffer.from('PAR1....PAR1');
    expect(classifyHead(otherParquet, otherParquet.toString())).toBeNull();
    const pcap = Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
    expect(classifyHead(pcap, pcap.toString())).toBeNull();
  });

  it('reads --since and --until as ISO 8601 times or durations before now', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    expect(parseTime('2024-05-01T10:00:00Z', now, '--since')).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(parseTime('2024-04-30', now, '--since')).toBe(Date.parse('2024-04-30'));
    expect(parseTime('90m', now, '--since')).toBe(now - 90 * 60_000);
    expect(parseTime('7d', now, '--since')).toBe(now - 7 * 86_400_000);
    expect(() => parseTime('March 7', now, '--until')).toThrow("--until: 'March 7' is not a time");
  });
});

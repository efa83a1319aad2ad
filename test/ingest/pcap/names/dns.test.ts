import { describe, expect, it } from 'vitest';
import { dnsAddressAnswers, isDnsResponse, readName } from '../../../../src/ingest/pcap/names/dns.js';
import { concat } from '../../../helpers/packet-builder.js';
import { a, aaaa, cname, dnsMessage, dnsName, pointer } from './message-builders.js';

const answers = (m: Uint8Array) => dnsAddressAnswers(m, 0, m.length).map((x) => [x.name, x.address]);

describe('dns answers', () => {
  it('reads A and AAAA records of every section, addresses in canonical text', () => {
    const m = dnsMessage({
      questions: ['www.example.org'],
      answers: [a('www.example.org', '192.0.2.1'), aaaa('www.example.org', '2001:db8:0:0::1')],
      authority: [{ name: 'example.org', type: 2, data: dnsName('ns.example.org') }],
      additional: [a('ns.example.org', '198.51.100.7')],
    });
    expect(answers(m)).toEqual([
      ['www.example.org', '192.0.2.1'],
      ['www.example.org', '2001:db8::1'],
      ['ns.example.org', '198.51.100.7'],
    ]);
  });

  it('binds every alias of a CNAME chain to the canonical name\u2019s addresses, names compared without case', () => {
    const m = dnsMessage({
      questions: ['apigee.googleapis.com'],
      answers: [cname('apigee.googleapis.com', 'googleapis.l.google.com'), cname('GoogleAPIs.L.Google.com', 'edge.google.com'), a('edge.google.com', '142.250.1.1')],
    });
    expect(answers(m)).toEqual([
      ['edge.google.com', '142.250.1.1'],
      ['GoogleAPIs.L.Google.com', '142.250.1.1'],
      ['apigee.googleapis.com', '142.250.1.1'],
    ]);
  });

  it('survives a CNAME loop', () => {
    const m = dnsMessage({ answers: [cname('a.test', 'b.test'), cname('b.test', 'a.test'), a('a.test', '192.0.2.9')] });
    expect(answers(m)).toEqual([
      ['a.test', '192.0.2.9'],
      ['b.test', '192.0.2.9'],
    ]);
  });

  it('follows compression pointers', () => {
    // The question name starts at offset 12; answers point back at it and at its suffix.
    const m = dnsMessage({
      questions: ['icr.io'],
      answers: [a(pointer(12), '169.63.104.236'), cname(pointer(12, ['registry']), pointer(12)), a(pointer(16, ['x']), '192.0.2.3')],
    });
    expect(answers(m)).toEqual([
      ['icr.io', '169.63.104.236'],
      ['registry.icr.io', '169.63.104.236'],
      ['x.io', '192.0.2.3'],
    ]);
  });

  it('rejects pointers that loop or point forward, without hanging', () => {
    const header = dnsMessage({});
    const selfLoop = concat(header, pointer(12));
    const forward = concat(header, pointer(14), new Uint8Array([0]));
    const mutual = concat(header, new Uint8Array([1, 0x61]), pointer(12));
    for (const m of [selfLoop, forward, mutual]) expect(readName(m, 0, m.length, 12)).toBeNull();
    // A message whose answer names loop: nothing read, nothing thrown.
    const loopingAnswer = concat(dnsMessage({ answers: [] }).slice(0, 6), new Uint8Array([0, 1, 0, 0, 0, 0]), pointer(12), new Uint8Array([0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]));
    expect(answers(loopingAnswer)).toEqual([]);
  });

  it('keeps the records read before a message is cut short', () => {
    const m = dnsMessage({ answers: [a('one.test', '192.0.2.1'), a('two.test', '192.0.2.2')] });
    expect(answers(m.subarray(0, m.length - 3))).toEqual([['one.test', '192.0.2.1']]);
  });

  it('ignores queries, other opcodes, other classes and odd record lengths', () => {
    const record = a('x.test', '192.0.2.1');
    expect(isDnsResponse(dnsMessage({ response: false }), 0, 12)).toBe(false);
    expect(answers(dnsMessage({ response: false, answers: [record] }))).toEqual([]);
    expect(answers(dnsMessage({ flags: 0xa800, answers: [record] }))).toEqual([]);
    expect(answers(dnsMessage({ answers: [{ ...record, klass: 3 }, { name: 'y.test', type: 1, data: new Uint8Array(5) }] }))).toEqual([]);
  });

  it('keeps hostile names verbatim and says when a label held a dot', () => {
    const dotted = dnsName([Uint8Array.from(Buffer.from('apigee.googleapis.com')), 'evil', 'test']);
    const markup = dnsName(['<script>alert(1)</script>', 'test']);
    const control = dnsName([new Uint8Array([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x9b]), 'test']);
    const m = dnsMessage({ answers: [a(dotted, '192.0.2.1'), a(markup, '192.0.2.2'), a(control, '192.0.2.3')] });
    const got = dnsAddressAnswers(m, 0, m.length);
    expect(got.map((x) => [x.name, x.dotInLabel])).toEqual([
      ['apigee.googleapis.com.evil.test', true],
      ['<script>alert(1)</script>.test', false],
      ['\x1b[31m\x9b.test', false],
    ]);
  });

  it('reads names longer than a host name can be, up to a bound', () => {
    const labels = Array.from({ length: 5 }, (_, i) => String(i).repeat(63));
    const m = dnsMessage({ answers: [a(labels.join('.'), '192.0.2.1')] });
    expect(dnsAddressAnswers(m, 0, m.length)[0]!.name).toHaveLength(5 * 64 - 1);
    const huge = dnsMessage({ answers: [a(Array.from({ length: 20 }, () => 'x'.repeat(63)).join('.'), '192.0.2.1')] });
    expect(answers(huge)).toEqual([]);
  });

  it('never throws on random bytes', () => {
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    const base = dnsMessage({ questions: ['a.example'], answers: [cname(pointer(12, ['www']), pointer(12)), a(pointer(12), '192.0.2.1')] });
    for (let round = 0; round < 5000; round++) {
      const m = base.slice(0, 12 + (next() % (base.length - 11)));
      for (let flips = 1 + (next() % 4); flips > 0; flips--) m[next() % m.length] = next();
      m[2]! |= 0x80;
      expect(() => dnsAddressAnswers(m, 0, m.length)).not.toThrow();
    }
  });
});

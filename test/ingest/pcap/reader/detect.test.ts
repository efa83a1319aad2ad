import { describe, expect, it } from 'vitest';
import { sniffCapture } from '../../../../src/ingest/pcap/reader/detect.js';
import { writePcap, writePcapng } from '../../../helpers/pcap-writer.js';

describe('sniffCapture', () => {
  it('recognises the four classic pcap magics', () => {
    for (const head of [[0xa1, 0xb2, 0xc3, 0xd4], [0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d], [0x4d, 0x3c, 0xb2, 0xa1]]) {
      expect(sniffCapture(Uint8Array.from(head))).toBe('pcap');
    }
    expect(sniffCapture(writePcap([], { bigEndian: true, nanos: true }))).toBe('pcap');
  });

  it('recognises pcapng in either byte order', () => {
    expect(sniffCapture(writePcapng([{ kind: 'shb' }]))).toBe('pcapng');
    expect(sniffCapture(writePcapng([{ kind: 'shb', bigEndian: true }]))).toBe('pcapng');
  });

  it('recognises gzip from two bytes', () => {
    expect(sniffCapture(Uint8Array.of(0x1f, 0x8b))).toBe('gzip');
  });

  it('answers null for anything else, or too few bytes', () => {
    expect(sniffCapture(new TextEncoder().encode('version account-id'))).toBeNull();
    expect(sniffCapture(new TextEncoder().encode('{"x":1}'))).toBeNull();
    expect(sniffCapture(Uint8Array.of(0xa1, 0xb2, 0xc3))).toBeNull();
    expect(sniffCapture(new Uint8Array(0))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { SegmentJoiner } from '../../../../src/ingest/pcap/names/segment-joiner.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('SegmentJoiner', () => {
  it('joins the following segments in sequence until the wanted length, then lets go', () => {
    const j = new SegmentJoiner(1000);
    j.hold(1, bytes(1, 2, 3), 0, 3, 7, 103);
    expect(j.join(1, 103, 2, bytes(4, 5), 0, 2)).toBe('waiting');
    expect(j.join(1, 105, 3, bytes(6, 7, 8), 0, 3)).toEqual(bytes(1, 2, 3, 4, 5, 6, 7, 8));
    expect(j.size).toBe(0);
    expect(j.join(1, 108, 1, bytes(9), 0, 1)).toBe('not-held');
  });

  it('ignores a retransmission and drops the stream at a gap or a snaplen cut', () => {
    const j = new SegmentJoiner(1000);
    j.hold(1, bytes(1, 2), 0, 2, 6, 0xfffffffe);
    expect(j.join(1, 0xfffffffc, 2, bytes(1, 2), 0, 2)).toBe('waiting');
    expect(j.join(1, 0xfffffffe, 2, bytes(3, 4), 0, 2)).toBe('waiting');
    expect(j.join(1, 5, 2, bytes(7, 8), 0, 2)).toBe('not-held');
    j.hold(2, bytes(1), 0, 1, 4, 10);
    expect(j.join(2, 10, 5, bytes(2, 3), 0, 2)).toBe('not-held');
  });

  it('holds nothing beyond its cap, and a bounded number of streams', () => {
    const j = new SegmentJoiner(10);
    j.hold(1, bytes(1), 0, 1, 11, 1);
    expect(j.size).toBe(0);
    for (let stream = 0; stream < 100; stream++) j.hold(stream, bytes(1), 0, 1, 5, 1);
    expect(j.size).toBeLessThan(100);
    expect(j.join(99, 1, 4, bytes(2, 3, 4, 5), 0, 4)).toEqual(bytes(1, 2, 3, 4, 5));
  });
});

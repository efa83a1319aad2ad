import { describe, expect, it } from 'vitest';
import { ByteWindow } from '../../../../src/ingest/pcap/reader/byte-window.js';

const bytes = (from: number, count: number): Uint8Array => Uint8Array.from({ length: count }, (_, i) => from + i);

describe('ByteWindow', () => {
  it('appends behind the unparsed bytes while there is room', () => {
    const window = new ByteWindow(8);
    expect(window.fill(bytes(0, 3), 0)).toBe(3);
    window.start = 2;
    expect(window.fill(bytes(3, 3), 0)).toBe(3);
    expect(Array.from(window.buf.subarray(window.start, window.end))).toEqual([2, 3, 4, 5]);
    expect(window.startOffset).toBe(2);
  });

  it('moves the remainder to the front when a chunk does not fit behind it', () => {
    const window = new ByteWindow(8);
    window.fill(bytes(0, 8), 0);
    window.start = 6;
    expect(window.fill(bytes(8, 5), 0)).toBe(5);
    expect(window.buf.length).toBe(8);
    expect(window.start).toBe(0);
    expect(Array.from(window.buf.subarray(0, window.end))).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(window.startOffset).toBe(6);
  });

  it('copies part of a chunk when only part fits, then the rest', () => {
    const window = new ByteWindow(8);
    const chunk = bytes(0, 12);
    expect(window.fill(chunk, 0)).toBe(8);
    window.start = 8;
    expect(window.fill(chunk, 8)).toBe(4);
    expect(Array.from(window.buf.subarray(window.start, window.end))).toEqual([8, 9, 10, 11]);
    expect(window.startOffset).toBe(8);
  });

  it('doubles only when one unparsed record fills the whole buffer', () => {
    const window = new ByteWindow(4);
    window.fill(bytes(0, 4), 0);
    window.start = 1;
    expect(window.fill(bytes(4, 6), 0)).toBe(1);
    expect(window.buf.length).toBe(4);
    expect(window.fill(bytes(5, 5), 0)).toBe(4);
    expect(window.buf.length).toBe(8);
    expect(Array.from(window.buf.subarray(window.start, window.end))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(window.startOffset).toBe(1);
  });
});

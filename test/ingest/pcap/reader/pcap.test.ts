import { describe, expect, it } from 'vitest';
import { InputFormatError } from '../../../../src/errors.js';
import { PCAP_MAX_CAPLEN } from '../../../../src/ingest/pcap/reader/pcap.js';
import { packetBytes, readBytes, rejectionOf, writePcap, type PcapRecord } from '../../../helpers/pcap-writer.js';

const records: PcapRecord[] = [
  { data: packetBytes(60, 1), tsSec: 1_700_000_000, tsFrac: 123_456 },
  { data: packetBytes(1514, 2), tsSec: 1_700_000_001, tsFrac: 999_999 },
  { data: packetBytes(42, 3), tsSec: 1_700_000_002, tsFrac: 0, origlen: 1500 },
];

async function formatError(bytes: Uint8Array): Promise<InputFormatError> {
  const error = await rejectionOf(readBytes(bytes));
  expect(error).toBeInstanceOf(InputFormatError);
  return error as InputFormatError;
}

describe('classic pcap', () => {
  for (const bigEndian of [false, true]) {
    it(`reads microsecond timestamps, ${bigEndian ? 'big' : 'little'}-endian (magic a1b2c3d4)`, async () => {
      const { summary, sink } = await readBytes(writePcap(records, { bigEndian, linktype: 113 }));
      expect(sink.problems).toEqual([]);
      expect(sink.packets.map((p) => p.data)).toEqual(records.map((r) => r.data));
      expect(sink.packets.map((p) => p.origlen)).toEqual([60, 1514, 1500]);
      expect(sink.packets.map((p) => p.tsMicros)).toEqual([1_700_000_000_123_456, 1_700_000_001_999_999, 1_700_000_002_000_000]);
      expect(sink.packets.every((p) => p.linktype === 113 && p.interfaceIndex === 0)).toBe(true);
      expect(summary).toMatchObject({
        format: 'pcap', gzip: false, packets: 3, badRecords: 0, linktypes: [113], sections: 1,
        firstTsMicros: 1_700_000_000_123_456, lastTsMicros: 1_700_000_002_000_000,
      });
    });

    it(`reads nanosecond timestamps, ${bigEndian ? 'big' : 'little'}-endian (magic a1b23c4d)`, async () => {
      const nanos = [{ data: packetBytes(60), tsSec: 1_700_000_000, tsFrac: 123_456_789 }];
      const { sink } = await readBytes(writePcap(nanos, { bigEndian, nanos: true }));
      expect(sink.packets[0]!.tsMicros).toBeCloseTo(1_700_000_000_123_456 + 0.789, 0);
      expect(sink.packets[0]!.tsMicros % 1).not.toBe(0);
    });
  }

  it('keeps the bytes on disk in the order the magic announces', async () => {
    const bytes = writePcap(records, { bigEndian: true });
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0xa1, 0xb2, 0xc3, 0xd4]);
    const swapped = writePcap(records, { nanos: true });
    expect(Array.from(swapped.subarray(0, 4))).toEqual([0x4d, 0x3c, 0xb2, 0xa1]);
  });

  it('reads a file with a header and no records', async () => {
    const { summary, sink } = await readBytes(writePcap([], { linktype: 101 }));
    expect(sink.problems).toEqual([]);
    expect(summary).toMatchObject({ packets: 0, linktypes: [101], firstTsMicros: null, lastTsMicros: null, bytes: 24 });
  });

  it('trims the FCS the link-type field announces, from complete frames only', async () => {
    const frames = [{ data: packetBytes(64, 1) }, { data: packetBytes(40, 2), origlen: 64 }];
    const { sink } = await readBytes(writePcap(frames, { fcsWords: 2 }));
    expect(sink.packets[0]!.data).toEqual(packetBytes(64, 1).subarray(0, 60));
    expect(sink.packets[0]!.origlen).toBe(60);
    expect(sink.packets[1]!.data).toEqual(packetBytes(40, 2));
    expect(sink.packets[1]!.origlen).toBe(64);
  });

  it('does not trim when the F bit is clear, whatever the FCS length bits say', async () => {
    const { sink } = await readBytes(writePcap([{ data: packetBytes(64) }], { linktypeFieldBits: 0x20000000 }));
    expect(sink.packets[0]!.data).toHaveLength(64);
  });

  it('rejects reserved bits in the link-type field, at its offset, as tshark does', async () => {
    const error = await formatError(writePcap(records, { linktypeFieldBits: 0x00300000 }));
    expect(error.location).toBe('test.pcap@byte 20');
    expect(error.message).toContain('network type reserved field not zero (0x00300000)');
  });

  it('rejects version 1.4 at byte 4 and names the version', async () => {
    const error = await formatError(writePcap(records, { versionMajor: 1, versionMinor: 4 }));
    expect(error.location).toBe('test.pcap@byte 4');
    expect(error.message).toContain('major version 1 unsupported');
    expect(error.message).toContain('1.4');
  });

  it('accepts any 2.x minor version', async () => {
    const { summary } = await readBytes(writePcap(records, { versionMinor: 2 }));
    expect(summary.packets).toBe(3);
  });

  it('treats an impossible first record as a corrupt header', async () => {
    const error = await formatError(writePcap([{ data: packetBytes(10), caplen: PCAP_MAX_CAPLEN + 1, origlen: 1 << 20 }]));
    expect(error.location).toBe('test.pcap@byte 24');
    expect(error.message).toContain(`${PCAP_MAX_CAPLEN + 1}`);
  });

  it('stops at a later record over the caplen cap, keeping what came before', async () => {
    const corrupt = [...records, { data: packetBytes(10), caplen: 300_000, origlen: 300_000 }, ...records];
    const bytes = writePcap(corrupt);
    const { summary, sink } = await readBytes(bytes);
    expect(sink.packets).toHaveLength(3);
    const corruptOffset = 24 + records.reduce((sum, r) => sum + 16 + r.data.length, 0);
    expect(sink.problems).toEqual([
      expect.objectContaining({ kind: 'truncated_file', byteOffset: corruptOffset, lastTsMicros: 1_700_000_002_000_000 }),
    ]);
    expect(sink.problems[0]!.reason).toContain('262144');
    // The rest of the file is still read, for the hash and the byte count.
    expect(summary.bytes).toBe(bytes.length);
  });

  it('stops at a record whose captured length exceeds its original length beyond the slack', async () => {
    const { sink } = await readBytes(writePcap([records[0]!, { data: packetBytes(200), origlen: 100 }, records[1]!]));
    expect(sink.packets).toHaveLength(1);
    expect(sink.problems[0]).toMatchObject({ kind: 'truncated_file', byteOffset: 24 + 16 + 60 });
    expect(sink.problems[0]!.reason).toContain('exceeds the original length 100');
  });

  it('tolerates a captured length a few bytes over the original length', async () => {
    const { sink } = await readBytes(writePcap([{ data: packetBytes(64), origlen: 60 }]));
    expect(sink.problems).toEqual([]);
    expect(sink.packets[0]!.data).toHaveLength(64);
  });

  it('delivers every record before a cut one, then reports the truncation', async () => {
    const bytes = writePcap(records);
    const lastRecord = bytes.length - 16 - 42;
    const { summary, sink } = await readBytes(bytes.subarray(0, bytes.length - 10));
    expect(sink.packets).toHaveLength(2);
    expect(summary.packets).toBe(2);
    expect(sink.problems).toEqual([
      { kind: 'truncated_file', byteOffset: lastRecord, reason: 'file ends inside a packet record (32 of 42 captured bytes)', lastTsMicros: 1_700_000_001_999_999 },
    ]);
  });

  it('reports a file cut inside a record header', async () => {
    const bytes = writePcap(records.slice(0, 1));
    const { sink } = await readBytes(Uint8Array.from([...bytes, 1, 2, 3, 4, 5]));
    expect(sink.packets).toHaveLength(1);
    expect(sink.problems).toEqual([expect.objectContaining({ kind: 'truncated_file', byteOffset: bytes.length })]);
    expect(sink.problems[0]!.reason).toContain('record header (5 of 16 bytes)');
  });

  it('rejects a file shorter than its header', async () => {
    const error = await formatError(writePcap(records).subarray(0, 10));
    expect(error.location).toBe('test.pcap@byte 10');
    expect(error.message).toContain('inside the 24-byte pcap file header');
    expect(error.hint).toContain('pcap or pcapng');
  });

  it('rejects an empty file', async () => {
    const error = await formatError(new Uint8Array(0));
    expect(error.location).toBe('test.pcap@byte 0');
    expect(error.message).toBe('file is empty');
  });

  it('rejects unknown magic bytes and says how the format is detected', async () => {
    const error = await formatError(new TextEncoder().encode('version account-id interface-id\n'));
    expect(error.location).toBe('test.pcap@byte 0');
    expect(error.message).toContain('76 65 72 73');
    expect(error.hint).toContain('detects the format by its first bytes');
  });
});

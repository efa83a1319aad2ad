import { describe, expect, it } from 'vitest';
import { InputFormatError } from '../../../../src/errors.js';
import {
  packetBytes,
  readBytes,
  rejectionOf,
  textOption,
  writePcapng,
  type PcapngBlock,
} from '../../../helpers/pcap-writer.js';

/** 2023-11-14T22:13:20Z in microseconds: the default unit of a pcapng timestamp. */
const T0 = 1_700_000_000_000_000n;

const shb = (bigEndian = false): PcapngBlock => ({ kind: 'shb', bigEndian, options: [textOption(4, 'flowaudit tests')] });
const epb = (interfaceId: number, timestamp: bigint, length: number, seed = 0): PcapngBlock => ({
  kind: 'epb', interfaceId, timestamp, data: packetBytes(length, seed),
});

async function formatError(blocks: PcapngBlock[]): Promise<InputFormatError> {
  const error = await rejectionOf(readBytes(writePcapng(blocks)));
  expect(error).toBeInstanceOf(InputFormatError);
  return error as InputFormatError;
}

/** Offset of block `index` in the file `blocks` make. */
function offsetOf(blocks: PcapngBlock[], index: number): number {
  return writePcapng(blocks.slice(0, index)).length;
}

describe('pcapng', () => {
  for (const bigEndian of [false, true]) {
    it(`reads a ${bigEndian ? 'big' : 'little'}-endian section`, async () => {
      const blocks = [shb(bigEndian), { kind: 'idb', linktype: 1, snaplen: 65535 } as const, epb(0, T0, 61, 1), epb(0, T0 + 1_500_000n, 1514, 2)];
      const { summary, sink } = await readBytes(writePcapng(blocks));
      expect(sink.problems).toEqual([]);
      expect(sink.packets).toEqual([
        { data: packetBytes(61, 1), origlen: 61, tsMicros: 1_700_000_000_000_000, linktype: 1, interfaceIndex: 0 },
        { data: packetBytes(1514, 2), origlen: 1514, tsMicros: 1_700_000_001_500_000, linktype: 1, interfaceIndex: 0 },
      ]);
      expect(summary).toMatchObject({
        format: 'pcapng', packets: 2, badRecords: 0, linktypes: [1], sections: 1,
        firstTsMicros: 1_700_000_000_000_000, lastTsMicros: 1_700_000_001_500_000,
      });
    });
  }

  it('reads several sections of mixed byte order, numbering interfaces across them', async () => {
    const blocks: PcapngBlock[] = [
      shb(false),
      { kind: 'idb', linktype: 1 },
      { kind: 'idb', linktype: 0 },
      epb(1, T0, 40, 1),
      { kind: 'shb', bigEndian: true, versionMinor: 2, sectionLength: 1234n },
      { kind: 'idb', linktype: 101 },
      epb(0, T0 + 1n, 50, 2),
      // Interface ids restart with each section: this one has a single interface.
      epb(1, T0 + 2n, 50, 3),
      shb(false),
      { kind: 'idb', linktype: 113 },
      epb(0, T0 + 3n, 60, 4),
    ];
    const { summary, sink } = await readBytes(writePcapng(blocks));
    expect(summary).toMatchObject({ sections: 3, linktypes: [1, 0, 101, 113], packets: 3, badRecords: 1 });
    expect(sink.packets.map((p) => [p.linktype, p.interfaceIndex, p.data.length])).toEqual([[0, 1, 40], [101, 2, 50], [113, 3, 60]]);
    expect(sink.problems).toEqual([
      {
        kind: 'bad_record', byteOffset: offsetOf(blocks, 7), lastTsMicros: 1_700_000_000_000_001,
        reason: 'enhanced packet block names interface 1, but this section describes only 1',
      },
    ]);
  });

  it('scales timestamps by if_tsresol (powers of ten and of two) and adds if_tsoffset', async () => {
    const blocks: PcapngBlock[] = [
      shb(),
      { kind: 'idb', linktype: 1, tsresol: 9 },
      { kind: 'idb', linktype: 1, tsresol: 0x80 | 20 },
      { kind: 'idb', linktype: 1, tsresol: 3, tsoffset: 1_000_000_000n },
      { kind: 'idb', linktype: 1, tsoffset: -10n },
      epb(0, 1_700_000_000_123_456_789n, 60),
      epb(1, (1_700_000_000n << 20n) + (1n << 19n), 60),
      epb(2, 700_000_000_123n, 60),
      epb(3, T0, 60),
    ];
    const { sink } = await readBytes(writePcapng(blocks));
    const [nanos, binary, offsetMillis, negativeOffset] = sink.packets.map((p) => p.tsMicros);
    // 64-bit nanoseconds do not fit a double exactly; sub-microsecond precision is not promised.
    expect(Math.abs(nanos! - (1_700_000_000_123_456 + 0.789))).toBeLessThan(1);
    expect(binary).toBe(1_700_000_000_500_000);
    expect(offsetMillis).toBe(1_700_000_000_123_000);
    expect(negativeOffset).toBe(1_699_999_990_000_000);
  });

  it('trims the FCS if_fcslen announces, from complete frames only', async () => {
    const blocks: PcapngBlock[] = [
      shb(),
      { kind: 'idb', linktype: 1, fcslen: 4 },
      epb(0, T0, 64, 1),
      { kind: 'epb', interfaceId: 0, timestamp: T0, data: packetBytes(40, 2), origlen: 64 },
    ];
    const { sink } = await readBytes(writePcapng(blocks));
    expect(sink.packets.map((p) => [p.data, p.origlen])).toEqual([[packetBytes(64, 1).subarray(0, 60), 60], [packetBytes(40, 2), 64]]);
  });

  it('reads simple packet blocks: interface 0, caplen limited by origlen, snaplen and the block', async () => {
    const blocks: PcapngBlock[] = [
      shb(true),
      { kind: 'idb', linktype: 1, snaplen: 96 },
      epb(0, T0, 20),
      { kind: 'spb', data: packetBytes(61, 1) },
      { kind: 'spb', data: packetBytes(128, 2), origlen: 1500 },
      { kind: 'spb', data: packetBytes(40, 3), origlen: 90 },
    ];
    const { summary, sink } = await readBytes(writePcapng(blocks));
    expect(sink.problems).toEqual([]);
    expect(sink.packets.slice(1).map((p) => [p.data, p.origlen])).toEqual([
      [packetBytes(61, 1), 61],
      [packetBytes(128, 2).subarray(0, 96), 1500],
      [packetBytes(40, 3), 90],
    ]);
    // No timestamp in an SPB: it takes the previous packet's, and leaves first/last alone.
    expect(sink.packets.every((p) => p.tsMicros === 1_700_000_000_000_000)).toBe(true);
    expect(summary).toMatchObject({ packets: 4, firstTsMicros: 1_700_000_000_000_000, lastTsMicros: 1_700_000_000_000_000 });
  });

  it('rejects a simple packet block in a section without interfaces as a bad record', async () => {
    const { summary, sink } = await readBytes(writePcapng([shb(), { kind: 'spb', data: packetBytes(60) }]));
    expect(summary).toMatchObject({ packets: 0, badRecords: 1 });
    expect(sink.problems[0]).toMatchObject({ kind: 'bad_record', byteOffset: offsetOf([shb()], 1) });
  });

  it('reads obsolete packet blocks with their 16-bit interface id', async () => {
    const blocks: PcapngBlock[] = [
      shb(true),
      { kind: 'idb', linktype: 1 },
      { kind: 'idb', linktype: 105 },
      { kind: 'pb', interfaceId: 1, drops: 7, timestamp: T0 + 42n, data: packetBytes(33) },
    ];
    const { sink } = await readBytes(writePcapng(blocks));
    expect(sink.packets).toEqual([{ data: packetBytes(33), origlen: 33, tsMicros: 1_700_000_000_000_042, linktype: 105, interfaceIndex: 1 }]);
  });

  it('skips name resolution, statistics, decryption secrets, custom and unknown blocks', async () => {
    const blocks: PcapngBlock[] = [
      shb(),
      { kind: 'nrb', ipv4: [{ address: [192, 168, 0, 1], name: 'gateway.example' }] },
      { kind: 'idb', linktype: 1, options: [textOption(2, 'eth0')] },
      { kind: 'custom', copyable: true, pen: 32473, data: packetBytes(13) },
      epb(0, T0, 60, 1),
      { kind: 'isb', interfaceId: 0, timestamp: T0, options: [{ code: 4, value: new Uint8Array(8) }] },
      { kind: 'dsb', secretsType: 0x544c534b, data: new TextEncoder().encode('CLIENT_RANDOM 00 11') },
      { kind: 'custom', copyable: false, pen: 32473, data: packetBytes(5) },
      { kind: 'unknown', blockType: 0x0000_0204, body: packetBytes(22) },
      epb(0, T0 + 1n, 60, 2),
    ];
    const { summary, sink } = await readBytes(writePcapng(blocks));
    expect(sink.problems).toEqual([]);
    expect(sink.packets.map((p) => p.data)).toEqual([packetBytes(60, 1), packetBytes(60, 2)]);
    expect(summary).toMatchObject({ packets: 2, linktypes: [1] });
  });

  it('skips a packet naming an undescribed interface as a bad record and goes on', async () => {
    const blocks: PcapngBlock[] = [shb(), { kind: 'idb', linktype: 1 }, epb(3, T0, 60), epb(0, T0 + 5n, 60)];
    const { summary, sink } = await readBytes(writePcapng(blocks));
    expect(summary).toMatchObject({ packets: 1, badRecords: 1 });
    expect(sink.problems).toEqual([
      { kind: 'bad_record', byteOffset: offsetOf(blocks, 2), reason: 'enhanced packet block names interface 3, but this section describes only 1', lastTsMicros: null },
    ]);
  });

  it('skips a packet whose captured length does not fit its block', async () => {
    const blocks: PcapngBlock[] = [
      shb(), { kind: 'idb', linktype: 1 }, { kind: 'epb', interfaceId: 0, timestamp: T0, data: packetBytes(60), caplen: 200 }, epb(0, T0, 60),
    ];
    const { summary, sink } = await readBytes(writePcapng(blocks));
    expect(summary).toMatchObject({ packets: 1, badRecords: 1 });
    expect(sink.problems[0]!.reason).toContain('cannot hold its 200 captured bytes');
  });

  it('keeps an interface whose options overrun its block, reporting the block', async () => {
    const blocks: PcapngBlock[] = [
      shb(), { kind: 'idb', linktype: 1, options: [{ code: 2, value: packetBytes(4), declaredLength: 400 }] }, epb(0, T0, 60),
    ];
    const { summary, sink } = await readBytes(writePcapng(blocks));
    expect(summary).toMatchObject({ packets: 1, badRecords: 1, linktypes: [1] });
    expect(sink.problems[0]).toMatchObject({ kind: 'bad_record', byteOffset: offsetOf(blocks, 1) + 16 });
    expect(sink.problems[0]!.reason).toContain('option of length 400');
  });

  describe('section header', () => {
    it('accepts versions 1.0 and 1.2 and rejects others at the version field', async () => {
      const ok = await readBytes(writePcapng([{ kind: 'shb', versionMinor: 2 }, { kind: 'idb', linktype: 1 }]));
      expect(ok.summary.sections).toBe(1);
      const error = await formatError([{ kind: 'shb', versionMajor: 0, versionMinor: 1 }]);
      expect(error.location).toBe('test.pcap@byte 12');
      expect(error.message).toContain('unknown SHB version 0.1');
    });

    it('rejects an option longer than the block, at the option, as tshark does', async () => {
      const error = await formatError([{ kind: 'shb', options: [{ code: 4, value: packetBytes(8), declaredLength: 12336 }] }]);
      expect(error.location).toBe('test.pcap@byte 24');
      expect(error.message).toContain('not enough data to handle option of length 12336');
    });

    it('rejects a first section header whose trailing length differs', async () => {
      const error = await formatError([{ kind: 'shb', trailer: 32 }, { kind: 'idb', linktype: 1 }]);
      expect(error.message).toContain('does not match its trailing copy 32');
    });

    it('rejects an unknown byte-order magic', async () => {
      const bytes = writePcapng([shb()]);
      bytes.set([1, 2, 3, 4], 8);
      const error = await rejectionOf(readBytes(bytes));
      expect(error).toBeInstanceOf(InputFormatError);
      expect((error as InputFormatError).location).toBe('test.pcap@byte 8');
    });

    it('rejects a file that ends inside the first section header', async () => {
      const bytes = writePcapng([shb()]);
      const error = await rejectionOf(readBytes(bytes.subarray(0, 20)));
      expect((error as InputFormatError).location).toBe('test.pcap@byte 20');
      expect((error as InputFormatError).message).toContain('inside the first pcapng section header block');
    });

    it('stops at a later section header that cannot be read, keeping the packets before it', async () => {
      const blocks: PcapngBlock[] = [shb(), { kind: 'idb', linktype: 1 }, epb(0, T0, 60), { kind: 'shb', versionMajor: 2 }, { kind: 'idb', linktype: 1 }, epb(0, T0, 60)];
      const { summary, sink } = await readBytes(writePcapng(blocks));
      expect(summary).toMatchObject({ packets: 1, sections: 1 });
      expect(sink.problems).toEqual([expect.objectContaining({ kind: 'truncated_file', byteOffset: offsetOf(blocks, 3) + 12 })]);
    });
  });

  describe('block framing', () => {
    const good: PcapngBlock[] = [shb(), { kind: 'idb', linktype: 1 }, epb(0, T0, 60, 1)];

    it('stops at a block whose trailing length differs, keeping everything before', async () => {
      const blocks = [...good, { ...epb(0, T0 + 1n, 60, 2), trailer: 12 }, epb(0, T0 + 2n, 60, 3)];
      const { summary, sink } = await readBytes(writePcapng(blocks));
      expect(summary.packets).toBe(1);
      expect(sink.problems).toEqual([
        expect.objectContaining({ kind: 'truncated_file', byteOffset: offsetOf(blocks, 3), lastTsMicros: 1_700_000_000_000_000 }),
      ]);
      expect(sink.problems[0]!.reason).toContain('does not match its trailing copy 12');
    });

    for (const length of [8, 90, 0x7ffffffc]) {
      it(`stops at a block length of ${length}`, async () => {
        const blocks = [...good, { ...epb(0, T0 + 1n, 60, 2), length }];
        const { summary, sink } = await readBytes(writePcapng(blocks));
        expect(summary.packets).toBe(1);
        expect(sink.problems).toEqual([expect.objectContaining({ kind: 'truncated_file', byteOffset: offsetOf(blocks, 3) })]);
        expect(sink.problems[0]!.reason).toContain(`block length ${length} is invalid`);
      });
    }

    it('delivers every packet before a block cut short, then reports the truncation', async () => {
      const blocks = [...good, epb(0, T0 + 1n, 60, 2), epb(0, T0 + 2n, 60, 3)];
      const bytes = writePcapng(blocks);
      const { summary, sink } = await readBytes(bytes.subarray(0, bytes.length - 30));
      expect(summary.packets).toBe(2);
      expect(sink.problems).toEqual([
        {
          kind: 'truncated_file', byteOffset: offsetOf(blocks, 4), lastTsMicros: 1_700_000_000_000_001,
          reason: 'file ends inside an enhanced packet block (62 of 92 bytes)',
        },
      ]);
    });

    it('reports a file cut inside a block header', async () => {
      const bytes = writePcapng(good);
      const { sink } = await readBytes(Uint8Array.from([...bytes, 6, 0, 0]));
      expect(sink.problems).toEqual([expect.objectContaining({ kind: 'truncated_file', byteOffset: bytes.length })]);
      expect(sink.problems[0]!.reason).toContain('inside a block header (3 bytes left)');
    });
  });
});

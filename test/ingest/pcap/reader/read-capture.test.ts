import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFormatError } from '../../../../src/errors.js';
import { openCaptureInput, readCapture } from '../../../../src/ingest/pcap/reader/read-capture.js';
import {
  packetBytes,
  packetFingerprints,
  readBytes,
  RecordingSink,
  rejectionOf,
  writePcap,
  writePcapng,
  type PcapngBlock,
  type PcapRecord,
} from '../../../helpers/pcap-writer.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Records of sizes 64..1500 so that chunk boundaries fall everywhere in headers and data. */
const records: PcapRecord[] = Array.from({ length: 200 }, (_, i) => ({
  data: packetBytes(64 + ((i * 337) % 1437), i),
  tsFrac: i * 1000,
}));
const pcapFile = writePcap(records);

const T0 = 1_700_000_000_000_000n;
const pcapngBlocks: PcapngBlock[] = [
  { kind: 'shb' },
  { kind: 'idb', linktype: 1, tsresol: 9 },
  { kind: 'idb', linktype: 0 },
  ...records.slice(0, 60).map((r, i): PcapngBlock => ({ kind: 'epb', interfaceId: i % 2, timestamp: T0 + BigInt(i), data: r.data })),
  { kind: 'nrb', ipv4: [{ address: [10, 0, 0, 1], name: 'a.example' }] },
  { kind: 'shb', bigEndian: true },
  { kind: 'idb', linktype: 101 },
  ...records.slice(60, 90).map((r): PcapngBlock => ({ kind: 'spb', data: r.data })),
  { kind: 'custom', copyable: false, pen: 1, data: packetBytes(99) },
  ...records.slice(90).map((r, i): PcapngBlock => ({ kind: 'pb', interfaceId: 0, timestamp: T0 + BigInt(i), data: r.data })),
];
const pcapngFile = writePcapng(pcapngBlocks);

describe('readCapture streaming', () => {
  for (const [format, file] of [['pcap', pcapFile], ['pcapng', pcapngFile]] as const) {
    it(`reads a ${format} file the same in 1-byte, 7-byte and 64 KiB chunks`, async () => {
      const whole = await readBytes(file, file.length);
      expect(whole.summary.packets).toBe(200);
      for (const chunkSize of [1, 7, 65536]) {
        const chunked = await readBytes(file, chunkSize);
        expect(chunked.summary).toEqual(whole.summary);
        expect(packetFingerprints(chunked.sink.packets)).toEqual(packetFingerprints(whole.sink.packets));
        expect(chunked.sink.problems).toEqual([]);
      }
    });

    it(`reads a ${format} file cut short the same in any chunking`, async () => {
      const cut = file.subarray(0, file.length - 100);
      const whole = await readBytes(cut, cut.length);
      expect(whole.sink.problems).toHaveLength(1);
      for (const chunkSize of [1, 7, 65536]) {
        const chunked = await readBytes(cut, chunkSize);
        expect(packetFingerprints(chunked.sink.packets)).toEqual(packetFingerprints(whole.sink.packets));
        expect(chunked.sink.problems).toEqual(whole.sink.problems);
      }
    });
  }

  it('hashes and counts the bytes as stored', async () => {
    const { summary } = await readBytes(pcapngFile, 4096);
    expect(summary).toMatchObject({ sha256: sha256(pcapngFile), bytes: pcapngFile.length, gzip: false });
  });

  it('reads every byte for the hash even after corrupt data stops the parser', async () => {
    const corrupt = writePcap([...records.slice(0, 3), { data: packetBytes(8), caplen: 1 << 30 }, ...records]);
    const { summary, sink } = await readBytes(corrupt, 1000);
    expect(summary.packets).toBe(3);
    expect(sink.problems.map((p) => p.kind)).toEqual(['truncated_file']);
    expect(summary).toMatchObject({ sha256: sha256(corrupt), bytes: corrupt.length });
  });

  it('grows the working buffer for a record bigger than it', async () => {
    const big = [records[0]!, { data: packetBytes(200_000, 9) }, records[1]!];
    const { summary, sink } = await readBytes(writePcap(big), 3000, { windowBytes: 4096 });
    expect(summary.packets).toBe(3);
    expect(sha256(sink.packets[1]!.data)).toBe(sha256(packetBytes(200_000, 9)));
  });

  it('grows the default working buffer for a pcapng block of several MiB', async () => {
    const data = packetBytes(5 * 1024 * 1024, 4);
    const file = writePcapng([{ kind: 'shb' }, { kind: 'idb', linktype: 1 }, { kind: 'epb', interfaceId: 0, timestamp: T0, data }]);
    const { sink } = await readBytes(file, 1024 * 1024);
    expect(sink.packets).toHaveLength(1);
    // Compared by hash: a deep equality over 5 MiB element by element takes seconds.
    expect(sha256(sink.packets[0]!.data)).toBe(sha256(data));
  });

  it('propagates an exception thrown by the sink', async () => {
    const sink = new RecordingSink();
    sink.packet = () => {
      throw new Error('sink failed');
    };
    const error = await rejectionOf(readCapture({ name: 'x', stream: (async function* () { yield pcapFile; })() }, sink));
    expect((error as Error).message).toBe('sink failed');
  });
});

describe('readCapture gzip', () => {
  it('decompresses by magic, hashing the compressed bytes', async () => {
    const gz = gzipSync(pcapngFile);
    const plain = await readBytes(pcapngFile);
    for (const chunkSize of [1, 7, 65536]) {
      const { summary, sink } = await readBytes(gz, chunkSize);
      expect(packetFingerprints(sink.packets)).toEqual(packetFingerprints(plain.sink.packets));
      expect(summary).toEqual({ ...plain.summary, gzip: true, sha256: sha256(gz) });
    }
  });

  it('reads concatenated gzip members as one capture', async () => {
    const split = 5000; // inside a record
    const gz = Uint8Array.from([...gzipSync(pcapFile.subarray(0, split)), ...gzipSync(pcapFile.subarray(split))]);
    const { summary, sink } = await readBytes(gz, 512);
    expect(sink.problems).toEqual([]);
    expect(summary.packets).toBe(200);
  });

  it('keeps the packets before a cut in the gzip data and reports the truncation', async () => {
    const gz = gzipSync(pcapFile, { level: 1 });
    const { summary, sink } = await readBytes(gz.subarray(0, gz.length >> 1), 1000);
    expect(summary.packets).toBeGreaterThan(10);
    expect(summary.packets).toBeLessThan(200);
    expect(sink.problems).toHaveLength(1);
    expect(sink.problems[0]).toMatchObject({ kind: 'truncated_file', lastTsMicros: sink.packets.at(-1)!.tsMicros });
    expect(sink.problems[0]!.reason).toContain('gzip data is corrupt or cut short');
  });

  it('reports the gzip error when the cut falls between two records', async () => {
    // Stored (level 0) deflate keeps the decompressed prefix exactly the compressed prefix minus headers.
    const gz = gzipSync(pcapFile.subarray(0, 24 + 16 + records[0]!.data.length));
    const { summary, sink } = await readBytes(gz.subarray(0, gz.length - 4));
    expect(summary.packets).toBe(1);
    expect(sink.problems).toEqual([
      expect.objectContaining({ kind: 'truncated_file', byteOffset: 24 + 16 + records[0]!.data.length }),
    ]);
    expect(sink.problems[0]!.reason).toMatch(/^gzip data is corrupt or cut short/);
  });

  it('rejects gzip data that does not decompress at all', async () => {
    const error = await rejectionOf(readBytes(Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)));
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as InputFormatError).location).toBe('test.pcap (decompressed)@byte 0');
    expect((error as InputFormatError).message).toContain('gzip data is corrupt');
  });

  it('rejects gzip that does not hold a capture', async () => {
    const error = await rejectionOf(readBytes(gzipSync(new TextEncoder().encode('{"start_time": 1}\n'))));
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as InputFormatError).message).toContain('unknown capture format');
  });
});

describe('openCaptureInput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowaudit-reader-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a file from disk', async () => {
    const path = join(dir, 'capture.bin');
    writeFileSync(path, gzipSync(pcapFile));
    const sink = new RecordingSink();
    const summary = await readCapture(openCaptureInput(path), sink);
    expect(summary).toMatchObject({ format: 'pcap', gzip: true, packets: 200, bytes: pcapFile.length });
  });

  it('names standard input for `-`', () => {
    expect(openCaptureInput('-')).toEqual({ name: '<stdin>', stream: process.stdin });
  });

  it('locates errors in the file by its path', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'hello');
    const error = await rejectionOf(readCapture(openCaptureInput(path), new RecordingSink()));
    expect((error as InputFormatError).location).toBe(`${path}@byte 0`);
  });
});

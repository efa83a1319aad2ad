/**
 * Builds capture files in memory so tests never need binary blobs: classic pcap (all four magics,
 * FCS bits, any link type) and pcapng (sections in either byte order, interfaces with options,
 * every block type), plus the small pieces a reader test needs around them (a chunked input and a
 * sink that records what it is given). Fields a test wants to corrupt can be overridden.
 */
import { readCapture, type CaptureInput, type ReadCaptureOptions } from '../../src/ingest/pcap/reader/read-capture.js';
import type { CaptureProblem, CaptureSummary, PacketSink } from '../../src/ingest/pcap/reader/types.js';

/** Deterministic packet bytes of `length`, different for each `seed`. */
export function packetBytes(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + 1) & 0xff;
  return bytes;
}

/** Appends integers in one byte order; the byte order can change between blocks (pcapng sections). */
class ByteBuilder {
  private bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  length = 0;
  littleEndian = true;

  private room(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.length + count));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
  }

  u8(value: number): this {
    this.room(1);
    this.view.setUint8(this.length, value);
    this.length += 1;
    return this;
  }

  u16(value: number): this {
    this.room(2);
    this.view.setUint16(this.length, value, this.littleEndian);
    this.length += 2;
    return this;
  }

  u32(value: number): this {
    this.room(4);
    this.view.setUint32(this.length, value >>> 0, this.littleEndian);
    this.length += 4;
    return this;
  }

  i64(value: bigint): this {
    this.room(8);
    this.view.setBigInt64(this.length, value, this.littleEndian);
    this.length += 8;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** Zero bytes up to the next multiple of 4. */
  pad32(): this {
    while (this.length % 4 !== 0) this.u8(0);
    return this;
  }

  setU32(at: number, value: number): void {
    this.view.setUint32(at, value >>> 0, this.littleEndian);
  }

  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

// ---------------------------------------------------------------------------------------------
// Classic pcap

export interface PcapRecord {
  data: Uint8Array;
  /** Seconds since the epoch; defaults to 1_700_000_000 plus the record's index. */
  tsSec?: number;
  /** Microseconds, or nanoseconds in a nanosecond file; defaults to 0. */
  tsFrac?: number;
  /** Defaults to data.length. */
  origlen?: number;
  /** Captured length written in the header; defaults to data.length (override to corrupt). */
  caplen?: number;
}

export interface PcapFileOptions {
  /** Byte order of the file (magic a1b2c3d4 / a1b23c4d as written); default little-endian. */
  bigEndian?: boolean;
  /** Nanosecond timestamps (magic a1b23c4d). */
  nanos?: boolean;
  versionMajor?: number;
  versionMinor?: number;
  snaplen?: number;
  /** LINKTYPE_ value; default 1 (Ethernet). */
  linktype?: number;
  /** Frames end with an FCS of this many 16-bit words (sets the F bit). */
  fcsWords?: number;
  /** Raw bits OR'ed into the link-type field, e.g. reserved bits a reader must reject. */
  linktypeFieldBits?: number;
}

export function writePcap(records: PcapRecord[], options: PcapFileOptions = {}): Uint8Array {
  const out = new ByteBuilder();
  out.littleEndian = options.bigEndian !== true;
  let linktypeField = (options.linktype ?? 1) | (options.linktypeFieldBits ?? 0);
  if (options.fcsWords !== undefined) linktypeField |= 0x04000000 | (options.fcsWords << 28);
  out
    .u32(options.nanos === true ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(options.versionMajor ?? 2)
    .u16(options.versionMinor ?? 4)
    .u32(0)
    .u32(0)
    .u32(options.snaplen ?? 262144)
    .u32(linktypeField);
  records.forEach((record, index) => {
    out
      .u32(record.tsSec ?? 1_700_000_000 + index)
      .u32(record.tsFrac ?? 0)
      .u32(record.caplen ?? record.data.length)
      .u32(record.origlen ?? record.data.length)
      .raw(record.data);
  });
  return out.toBytes();
}

// ---------------------------------------------------------------------------------------------
// pcapng

export interface PcapngOption {
  code: number;
  value: Uint8Array;
  /** Length written in the option header; defaults to value.length (override to corrupt). */
  declaredLength?: number;
}

/** Overrides of a block's framing, to build corrupt files. */
export interface BlockFraming {
  /** Total length written at the start of the block. */
  length?: number;
  /** Total length written at the end of the block. */
  trailer?: number;
}

export type PcapngBlock = BlockFraming &
  (
    | {
        kind: 'shb';
        bigEndian?: boolean;
        versionMajor?: number;
        versionMinor?: number;
        /** Defaults to -1 (unknown). */
        sectionLength?: bigint;
        options?: PcapngOption[];
      }
    | {
        kind: 'idb';
        linktype: number;
        snaplen?: number;
        /** if_tsresol byte: 6 = microseconds (default when absent), 9 = ns, 0x80 | n = 2^-n. */
        tsresol?: number;
        /** if_tsoffset, seconds. */
        tsoffset?: bigint;
        /** if_fcslen, bytes. */
        fcslen?: number;
        options?: PcapngOption[];
      }
    | { kind: 'epb'; interfaceId: number; timestamp: bigint; data: Uint8Array; origlen?: number; caplen?: number; options?: PcapngOption[] }
    | { kind: 'pb'; interfaceId: number; timestamp: bigint; data: Uint8Array; drops?: number; origlen?: number }
    | { kind: 'spb'; data: Uint8Array; origlen?: number }
    | { kind: 'nrb'; ipv4: { address: [number, number, number, number]; name: string }[] }
    | { kind: 'isb'; interfaceId: number; timestamp: bigint; options?: PcapngOption[] }
    | { kind: 'dsb'; secretsType: number; data: Uint8Array }
    | { kind: 'custom'; copyable: boolean; pen: number; data: Uint8Array }
    | { kind: 'unknown'; blockType: number; body: Uint8Array }
  );

const encoder = new TextEncoder();

/** An option holding a UTF-8 string (e.g. shb_userappl = 4, if_name = 2). */
export function textOption(code: number, text: string): PcapngOption {
  return { code, value: encoder.encode(text) };
}

function writeOptions(out: ByteBuilder, options: PcapngOption[] | undefined): void {
  if (options === undefined || options.length === 0) return;
  for (const option of options) {
    out.u16(option.code).u16(option.declaredLength ?? option.value.length).raw(option.value).pad32();
  }
  out.u16(0).u16(0);
}

function timestampWords(out: ByteBuilder, timestamp: bigint): void {
  out.u32(Number(timestamp >> 32n)).u32(Number(timestamp & 0xffffffffn));
}

function writeBody(out: ByteBuilder, block: PcapngBlock): number {
  switch (block.kind) {
    case 'shb':
      out.u32(0x1a2b3c4d).u16(block.versionMajor ?? 1).u16(block.versionMinor ?? 0).i64(block.sectionLength ?? -1n);
      writeOptions(out, block.options);
      return 0x0a0d0d0a;
    case 'idb': {
      out.u16(block.linktype).u16(0).u32(block.snaplen ?? 0);
      const options = [...(block.options ?? [])];
      if (block.tsresol !== undefined) options.push({ code: 9, value: Uint8Array.of(block.tsresol) });
      if (block.fcslen !== undefined) options.push({ code: 13, value: Uint8Array.of(block.fcslen) });
      if (block.tsoffset !== undefined) {
        const value = new ByteBuilder();
        value.littleEndian = out.littleEndian;
        options.push({ code: 14, value: value.i64(block.tsoffset).toBytes() });
      }
      writeOptions(out, options);
      return 1;
    }
    case 'epb':
      out.u32(block.interfaceId);
      timestampWords(out, block.timestamp);
      out.u32(block.caplen ?? block.data.length).u32(block.origlen ?? block.data.length).raw(block.data).pad32();
      writeOptions(out, block.options);
      return 6;
    case 'pb':
      out.u16(block.interfaceId).u16(block.drops ?? 0);
      timestampWords(out, block.timestamp);
      out.u32(block.data.length).u32(block.origlen ?? block.data.length).raw(block.data).pad32();
      return 2;
    case 'spb':
      out.u32(block.origlen ?? block.data.length).raw(block.data).pad32();
      return 3;
    case 'nrb':
      for (const record of block.ipv4) {
        const name = encoder.encode(`${record.name}\0`);
        out.u16(1).u16(4 + name.length).raw(Uint8Array.from(record.address)).raw(name).pad32();
      }
      out.u16(0).u16(0);
      return 4;
    case 'isb':
      out.u32(block.interfaceId);
      timestampWords(out, block.timestamp);
      writeOptions(out, block.options);
      return 5;
    case 'dsb':
      out.u32(block.secretsType).u32(block.data.length).raw(block.data).pad32();
      return 0x0a;
    case 'custom':
      out.u32(block.pen).raw(block.data).pad32();
      return block.copyable ? 0x00000bad : 0x40000bad;
    case 'unknown':
      out.raw(block.body).pad32();
      return block.blockType;
  }
}

/**
 * A pcapng file of `blocks` in order. Each block is written in the byte order of the section it
 * belongs to, which its SHB (`bigEndian`) sets.
 */
export function writePcapng(blocks: PcapngBlock[]): Uint8Array {
  const out = new ByteBuilder();
  for (const block of blocks) {
    if (block.kind === 'shb') out.littleEndian = block.bigEndian !== true;
    const start = out.length;
    out.u32(0).u32(0);
    const type = writeBody(out, block);
    const length = out.length + 4 - start;
    out.u32(block.trailer ?? length);
    out.setU32(start, type);
    out.setU32(start + 4, block.length ?? length);
  }
  return out.toBytes();
}

// ---------------------------------------------------------------------------------------------
// Reading them back

/** An input that yields `bytes` in chunks of `chunkSize` (the last one shorter). */
export function chunkedInput(bytes: Uint8Array, chunkSize = 65536, name = 'test.pcap'): CaptureInput {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let off = 0; off < bytes.length; off += chunkSize) yield bytes.slice(off, off + chunkSize);
  }
  return { name, stream: chunks() };
}

export interface RecordedPacket {
  /** A copy of the captured bytes. */
  data: Uint8Array;
  origlen: number;
  tsMicros: number;
  linktype: number;
  interfaceIndex: number;
}

/** A sink that keeps a copy of everything it is given, in order. */
export class RecordingSink implements PacketSink {
  readonly packets: RecordedPacket[] = [];
  readonly problems: CaptureProblem[] = [];

  packet(buf: Uint8Array, off: number, caplen: number, origlen: number, tsMicros: number, linktype: number, interfaceIndex: number): void {
    this.packets.push({ data: buf.slice(off, off + caplen), origlen, tsMicros, linktype, interfaceIndex });
  }

  problem(problem: CaptureProblem): void {
    this.problems.push(problem);
  }
}

/** Packets with their bytes as base64 text: deep equality over many Uint8Arrays is slow. */
export function packetFingerprints(packets: RecordedPacket[]): object[] {
  return packets.map((packet) => ({ ...packet, data: Buffer.from(packet.data).toString('base64') }));
}

/** Reads `bytes` as a capture delivered in chunks of `chunkSize`, keeping everything the sink got. */
export async function readBytes(
  bytes: Uint8Array,
  chunkSize = 65536,
  options: ReadCaptureOptions = {},
): Promise<{ summary: CaptureSummary; sink: RecordingSink }> {
  const sink = new RecordingSink();
  const summary = await readCapture(chunkedInput(bytes, chunkSize), sink, options);
  return { summary, sink };
}

/** What `promise` rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection, but the promise resolved');
    },
    (err: unknown) => err,
  );
}

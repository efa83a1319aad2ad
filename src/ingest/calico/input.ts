/**
 * One flow-log input as the readers see it: a file on disk (standard input is spooled to a
 * temporary file first, because DuckDB reads by path), whether it is gzip (by magic bytes, never
 * by name), and its bytes streamed once — decompressed for the reader, hashed as stored.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gunzipInto } from '../pcap/reader/gunzip.js';

export interface FlowInput {
  /** The path as the user gave it ('-' for standard input). */
  displayPath: string;
  /** A file the readers and DuckDB can open: the input itself or its spooled copy. */
  filePath: string;
  sizeBytes: number;
  gzip: boolean;
  /** Remove the spooled copy of standard input, if there is one. */
  cleanup(): Promise<void>;
}

export interface StreamSummary {
  /** SHA-256 of the bytes as stored (compressed when gzip), hex. */
  sha256: string;
  /** Why the gzip stream stopped early, or null when it ended properly (or is not gzip). */
  gzipError: string | null;
}

const READ_CHUNK_BYTES = 4 * 1024 * 1024;

export async function openFlowInput(path: string): Promise<FlowInput> {
  let filePath = path;
  let spoolDir: string | null = null;
  if (path === '-') {
    spoolDir = await mkdtemp(join(tmpdir(), 'flowaudit-stdin-'));
    filePath = join(spoolDir, 'stdin');
    await pipeline(process.stdin, createWriteStream(filePath));
  }
  const sizeBytes = (await stat(filePath)).size;
  const handle = await open(filePath, 'r');
  const magic = Buffer.alloc(2);
  try {
    await handle.read(magic, 0, 2, 0);
  } finally {
    await handle.close();
  }
  return {
    displayPath: path,
    filePath,
    sizeBytes,
    gzip: sizeBytes >= 2 && magic[0] === 0x1f && magic[1] === 0x8b,
    cleanup: async () => {
      if (spoolDir !== null) await rm(spoolDir, { recursive: true, force: true });
    },
  };
}

/**
 * Stream the input once: every decompressed chunk goes to `onChunk` in order, and the stored bytes
 * are hashed. A corrupt gzip tail does not throw: what came before it has been delivered.
 */
export async function streamInput(input: FlowInput, onChunk: (chunk: Buffer) => void): Promise<StreamSummary> {
  const hash = createHash('sha256');
  const handle = await open(input.filePath, 'r');
  try {
    const reused = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let position = 0;
    const nextRaw = async (): Promise<Buffer | null> => {
      // zlib may still hold a chunk after write() returns, so gzip input gets a fresh buffer per read.
      const buf = input.gzip ? Buffer.allocUnsafe(READ_CHUNK_BYTES) : reused;
      const { bytesRead } = await handle.read(buf, 0, buf.length, position);
      if (bytesRead === 0) return null;
      position += bytesRead;
      const raw = buf.subarray(0, bytesRead);
      hash.update(raw);
      return raw;
    };
    let gzipError: string | null = null;
    if (input.gzip) {
      gzipError = await gunzipInto(nextRaw, (chunk) => onChunk(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)));
    } else {
      for (let raw = await nextRaw(); raw !== null; raw = await nextRaw()) onChunk(raw);
    }
    return { sha256: hash.digest('hex'), gzipError };
  } finally {
    await handle.close();
  }
}

/**
 * Split a stream of chunks into lines (without the '\n'), each with its 1-based number and the byte
 * offset where it starts in the decompressed stream. `end()` delivers a last line without '\n'.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lineNo = 0;
  private offset = 0;

  constructor(private readonly onLine: (line: Buffer, lineNo: number, byteOffset: number) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      let line = chunk.subarray(start, nl);
      if (this.pendingBytes > 0) {
        this.pending.push(line);
        line = Buffer.concat(this.pending, this.pendingBytes + line.length);
        this.pending = [];
        this.pendingBytes = 0;
      }
      this.deliver(line);
      start = nl + 1;
    }
    if (start < chunk.length) {
      // The chunk may be reused by the caller: keep a copy of the unfinished line.
      this.pending.push(Buffer.from(chunk.subarray(start)));
      this.pendingBytes += chunk.length - start;
    }
  }

  end(): void {
    if (this.pendingBytes > 0) this.deliver(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }

  private deliver(line: Buffer): void {
    this.lineNo++;
    this.onLine(line, this.lineNo, this.offset);
    this.offset += line.length + 1;
  }
}

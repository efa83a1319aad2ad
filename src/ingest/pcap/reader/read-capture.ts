/**
 * Entry point of the capture reader: one pcap, pcapng or gzip-compressed capture, streamed from a
 * file or standard input into a PacketSink, never held in memory whole.
 */
import { statSync } from 'node:fs';
import { BackgroundHash, FileHash } from '../../background-hash.js';
import type { InputHash } from '../../background-hash.js';
import { FILE_CHUNK_BYTES, fileChunks } from '../../file-chunks.js';
import { SNIFF_BYTES, sniffCapture } from './detect.js';
import { gunzipInto } from './gunzip.js';
import { CaptureRecordReader } from './record-reader.js';
import type { CaptureSummary, PacketSink } from './types.js';

export interface CaptureInput {
  /** How errors and problems locate the input (the path, or `<stdin>`). */
  name: string;
  stream: AsyncIterable<Uint8Array>;
  /**
   * A regular file, when the input is one: its SHA-256 is then computed by a worker that reads the
   * file itself (the first `size` bytes — its size when the ingest began, which is all `stream`
   * yields). Without it the hash is taken from the streamed bytes.
   */
  file?: { path: string; size: number };
}

export interface ReadCaptureOptions {
  /** Initial size of the working buffer; it grows only for a record bigger than it. */
  windowBytes?: number;
}

/** Room for a 1 MiB record behind the unparsed remainder; it grows only for a bigger record. */
const DEFAULT_WINDOW_BYTES = 2 * 1024 * 1024;

/**
 * Opens a capture file, or standard input for `-`. Nothing is read until the stream is iterated.
 * A regular file is read up to the size it has now (a capture still being written is read as it
 * was when the ingest began); anything else (a FIFO, a device) to its end.
 */
export function openCaptureInput(path: string): CaptureInput {
  if (path === '-') return { name: '<stdin>', stream: process.stdin };
  const size = regularFileSize(path);
  if (size === null) return { name: path, stream: fileChunks(path, FILE_CHUNK_BYTES) };
  return { name: path, stream: fileChunks(path, FILE_CHUNK_BYTES, size), file: { path, size } };
}

/** Null when `path` is not a regular file; a missing file is reported when the stream opens it. */
function regularFileSize(path: string): number | null {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

/**
 * Reads every packet record of `input` into `sink`, in file order, and resolves with what the
 * file held. A cut or corrupt tail is reported through `sink.problem` and the promise still
 * resolves; a file whose header cannot be read rejects with InputFormatError.
 */
export async function readCapture(input: CaptureInput, sink: PacketSink, options: ReadCaptureOptions = {}): Promise<CaptureSummary> {
  const hash: InputHash = input.file ? new FileHash(input.file.path, input.file.size) : new BackgroundHash();
  let hashed = false;
  const iterator = input.stream[Symbol.asyncIterator]();
  let iteratorDone = false;
  const nextRaw = async (): Promise<Uint8Array | null> => {
    const step = await iterator.next();
    if (step.done === true) {
      iteratorDone = true;
      return null;
    }
    await hash.update(step.value);
    return step.value;
  };

  try {
    // The first bytes decide between gzip and a bare capture; chunks may be as small as one byte.
    const head: Uint8Array[] = [];
    let headBytes = 0;
    while (headBytes < SNIFF_BYTES) {
      const chunk = await nextRaw();
      if (chunk === null) break;
      // Kept across reads, so copied: file chunks are reused buffers.
      head.push(Uint8Array.prototype.slice.call(chunk));
      headBytes += chunk.length;
    }
    const gzip = sniffCapture(concat(head)) === 'gzip';
    const reader = new CaptureRecordReader(gzip ? `${input.name} (decompressed)` : input.name, sink, options.windowBytes ?? DEFAULT_WINDOW_BYTES);
    let cause: string | null = null;
    if (gzip) {
      let headIndex = 0;
      const nextWithHead = (): Promise<Uint8Array | null> => (headIndex < head.length ? Promise.resolve(head[headIndex++]!) : nextRaw());
      cause = await gunzipInto(nextWithHead, (chunk) => reader.push(chunk));
    } else {
      for (const chunk of head) reader.push(chunk);
      // After corrupt data the parser stops, but the rest is still read for the file's hash.
      for (let chunk = await nextRaw(); chunk !== null; chunk = await nextRaw()) reader.push(chunk);
    }
    reader.end(cause);

    const tally = reader.tally;
    return {
      format: reader.format!,
      gzip,
      packets: tally.packets,
      badRecords: tally.badRecords,
      bytes: reader.bytes,
      sha256: await hash.digest().finally(() => (hashed = true)),
      linktypes: tally.linktypes,
      sections: tally.sections,
      firstTsMicros: tally.firstTsMicros,
      lastTsMicros: tally.lastTsMicros,
    };
  } finally {
    // On an early exit, let the source release its file descriptor.
    if (!iteratorDone) await iterator.return?.();
    if (!hashed) await hash.abandon();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let off = 0;
  for (const chunk of chunks) {
    all.set(chunk, off);
    off += chunk.length;
  }
  return all;
}

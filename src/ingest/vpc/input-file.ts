/**
 * One input file as this ingester needs it: where DuckDB can read it (standard input is spooled
 * to a temporary file first), whether it is gzipped (by its magic bytes), its first bytes
 * decompressed, its size and the SHA-256 of its bytes as stored.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FlowauditError } from '../../errors.js';
import { HEAD_BYTES } from './sniff.js';

export interface InputFile {
  /** As the user gave it ('-' for standard input). */
  displayPath: string;
  /** What DuckDB and the line reader open. */
  readPath: string;
  gzip: boolean;
  sizeBytes: number;
  /** Up to HEAD_BYTES, decompressed when gzipped. */
  head: Buffer;
  headText: string;
  /** Computed while the file is being ingested. */
  sha256: Promise<string>;
  /** Remove the spooled copy of standard input, if any. */
  dispose(): Promise<void>;
}

export async function openInputFile(path: string): Promise<InputFile> {
  if (path === '-') return spoolStdin();
  return describe(path, path, async () => {});
}

async function describe(displayPath: string, readPath: string, dispose: () => Promise<void>, knownSha256?: string): Promise<InputFile> {
  let sizeBytes: number;
  let raw: Buffer;
  try {
    sizeBytes = (await stat(readPath)).size;
    raw = await readStart(readPath, HEAD_BYTES);
  } catch (err) {
    throw new FlowauditError(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'check the path and its permissions', displayPath);
  }
  const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
  const head = gzip ? await gunzipStart(readPath) : raw;
  const sha256 = knownSha256 === undefined ? hashFile(readPath) : Promise.resolve(knownSha256);
  sha256.catch(() => {}); // awaited later; a read error surfaces there
  return { displayPath, readPath, gzip, sizeBytes, head, headText: head.toString('utf8'), sha256, dispose };
}

async function readStart(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The first HEAD_BYTES of the decompressed stream (a damaged tail does not matter here). */
async function gunzipStart(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const gunzip = createGunzip();
  const file = createReadStream(path);
  file.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= HEAD_BYTES) break;
    }
  } catch {
    // Corrupt or truncated gzip: what was decompressed so far is still the head.
  } finally {
    file.destroy();
    gunzip.destroy();
  }
  return Buffer.concat(chunks).subarray(0, HEAD_BYTES);
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Standard input to a temporary file, hashed on the way. */
async function spoolStdin(): Promise<InputFile> {
  const dir = await mkdtemp(join(tmpdir(), 'flowaudit-stdin-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const spooled = join(dir, 'stdin');
    const hash = createHash('sha256');
    const tee = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(process.stdin, tee, createWriteStream(spooled));
    return await describe('-', spooled, dispose, hash.digest('hex'));
  } catch (err) {
    await dispose();
    throw err;
  }
}

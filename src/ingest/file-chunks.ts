/**
 * A regular file as a stream of chunks, read synchronously into one small reused buffer. Small
 * reads are the fast ones here: a 64 KiB buffer stays in the core's cache, so copying out of the
 * page cache costs a third of what 1 MiB reads cost (0.17 s against 0.54 s a GiB on the bench
 * machine), and a file read sequentially gets the kernel's read-ahead either way. A chunk is valid
 * only until the next one is asked for — consumers copy what they keep.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export const FILE_CHUNK_BYTES = 64 * 1024;

/** Chunks of `path` up to `limit` bytes (the size it had when the ingest began), or to its end. */
export async function* fileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES, limit = Infinity): AsyncGenerator<Uint8Array> {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let left = limit;
  try {
    while (left > 0) {
      const bytesRead = readSync(fd, buffer, 0, Math.min(chunkBytes, left), null);
      if (bytesRead === 0) return;
      left -= bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}

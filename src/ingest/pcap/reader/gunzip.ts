/**
 * Streaming gzip decompression between the raw input and the record reader, driven by the caller's
 * read loop so that the raw bytes keep being read (and hashed) even when the gzip data turns out
 * to be corrupt. Concatenated gzip members are decompressed one after the other, as zlib does.
 */
import { createGunzip, type Gunzip } from 'node:zlib';

/** Decompressed chunk size: large enough that the record reader sees few, full chunks. */
const GUNZIP_CHUNK_BYTES = 256 * 1024;

/**
 * Feeds every chunk `nextRaw` yields through gunzip and hands each decompressed chunk to `push`.
 * Returns null when the gzip data ended properly, or why it could not be decompressed to its end
 * (everything decompressed before has been pushed). An exception thrown by `push` stops reading
 * and is rethrown.
 */
export async function gunzipInto(
  nextRaw: () => Promise<Uint8Array | null>,
  push: (chunk: Uint8Array) => void,
): Promise<string | null> {
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  let pushFailed = false;
  let pushError: unknown;
  // Set from the 'error' listener; the cast keeps TypeScript from narrowing it to null.
  let zlibError = null as Error | null;
  gunzip.on('data', (chunk: Buffer) => {
    if (pushFailed) return;
    try {
      push(chunk);
    } catch (err) {
      pushFailed = true;
      pushError = err;
      gunzip.destroy();
    }
  });
  gunzip.on('error', (err) => {
    zlibError = err;
  });
  const closed = new Promise<void>((resolve) => gunzip.once('close', resolve));

  try {
    for (let raw = await nextRaw(); raw !== null && !pushFailed; raw = await nextRaw()) {
      // After a zlib error the rest of the input is still read, for the caller's hash.
      // zlib keeps the chunk until it has inflated it, and the reader reuses its buffers: copy.
      if (!gunzip.destroyed && !gunzip.write(Buffer.from(raw))) await drainedOrClosed(gunzip);
    }
  } catch (err) {
    // The raw input failed (e.g. a read error): release zlib before passing the error on.
    gunzip.destroy();
    throw err;
  }
  if (!gunzip.destroyed) gunzip.end();
  await closed;
  if (pushFailed) throw pushError;
  return zlibError === null ? null : `gzip data is corrupt or cut short (${zlibError.message})`;
}

function drainedOrClosed(gunzip: Gunzip): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      gunzip.off('drain', done);
      gunzip.off('close', done);
      resolve();
    };
    gunzip.on('drain', done);
    gunzip.on('close', done);
  });
}

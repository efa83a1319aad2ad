/**
 * A file as a stream of large chunks with the next read already in flight while the current
 * chunk is processed (a plain fs stream reads only after the consumer asks, leaving the CPU idle).
 * Two buffers take turns, so memory stays flat: a chunk is valid only until the next one is
 * asked for — consumers copy what they keep.
 */
import { open } from 'node:fs/promises';

export async function* fileChunks(path: string, chunkBytes: number): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  let turn = 0;
  let position = 0;
  let pending: Promise<{ bytesRead: number; buffer: Buffer }> | null = handle.read(buffers[0]!, 0, chunkBytes, position);
  try {
    for (;;) {
      const { bytesRead, buffer } = await pending;
      pending = null;
      if (bytesRead === 0) return;
      position += bytesRead;
      turn ^= 1;
      pending = handle.read(buffers[turn]!, 0, chunkBytes, position);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    // An abandoned read must finish before the descriptor is closed.
    if (pending) await pending.catch(() => undefined);
    await handle.close();
  }
}

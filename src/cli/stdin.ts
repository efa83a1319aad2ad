/** Peeking at standard input: the first chunk is read for format detection and put back. */
import { decompressHead } from '../ingest/inputs.js';

export async function readStdinHead(): Promise<Uint8Array> {
  const stdin = process.stdin;
  const chunk = await new Promise<Buffer | null>((resolve, reject) => {
    const onReadable = (): void => {
      cleanup();
      resolve(stdin.read() as Buffer | null);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const cleanup = (): void => {
      stdin.off('readable', onReadable).off('end', onEnd).off('error', onError);
    };
    stdin.on('readable', onReadable).on('end', onEnd).on('error', onError);
  });
  if (!chunk) return new Uint8Array(0);
  stdin.unshift(chunk);
  return decompressHead(chunk);
}

/** Bad bench flags: bench/run.ts prints the message and the bench's usage line, exit code 2. */
export class BenchUsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** `parse()`, with whatever it throws (parseArgs's errors, bad numbers) turned into a BenchUsageError. */
export function parseBenchFlags<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new BenchUsageError(err instanceof Error ? err.message : String(err), usage);
  }
}

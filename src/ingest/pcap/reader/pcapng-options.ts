/**
 * pcapng options: a list of (code u16, length u16, value padded to 32 bits) ending with
 * opt_endofopt (code 0) or at the end of the block body.
 */
import type { U16Reader } from './byte-order.js';

/** Called for each option with the offset and length of its value. */
export type OptionVisitor = (code: number, valueOff: number, length: number) => void;

/** An option whose value runs past the end of its block. */
export interface OptionOverrun {
  /** Index in the buffer of the option header. */
  optionOff: number;
  length: number;
}

export const OPT_ENDOFOPT = 0;

/**
 * Walks the options in `buf[from, to)`, calling `visit` for each but opt_endofopt. Returns the
 * first option that overruns `to` (Wireshark rejects such a block), or null. Fewer than 4 bytes
 * left over at the end are padding some writers leave, and are ignored.
 */
export function walkOptions(buf: Uint8Array, from: number, to: number, u16: U16Reader, visit: OptionVisitor | null): OptionOverrun | null {
  let off = from;
  while (to - off >= 4) {
    const code = u16(buf, off);
    const length = u16(buf, off + 2);
    if (code === OPT_ENDOFOPT) return null;
    if (length > to - off - 4) return { optionOff: off, length };
    if (visit !== null) visit(code, off + 4, length);
    off += 4 + ((length + 3) & ~3);
  }
  return null;
}

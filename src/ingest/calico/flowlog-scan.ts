/**
 * The pass over a flows.log that runs beside DuckDB's `read_json` and gives it what it lacks:
 * - line numbers: DuckDB returns one row per non-blank line, in order, and skips blank lines, so the
 *   blank lines' numbers turn a row's ordinal back into its line;
 * - strictness: DuckDB accepts a comma before a closing bracket, which is not JSON; such lines
 *   are found here (a byte search, then an exact check of the few lines it points at).
 *
 * Byte-level and allocation-free per line so that it keeps pace with DuckDB.
 */
import { excerpt, hasTrailingComma } from './json-text.js';

export interface FlowLogScan {
  /** Non-blank lines: the rows `read_json` returns, in the same order. */
  records: number;
  /** Numbers of the blank (whitespace-only) lines, ascending. */
  blankLines: number[];
  /** Lines that are not strict JSON because of a trailing comma. */
  trailingCommas: ScannedLine[];
}

export interface ScannedLine {
  /** Position among the non-blank lines, 0-based: DuckDB's row order. */
  ordinal: number;
  line: number;
  byteOffset: number;
  excerpt: string;
}

/** DuckDB treats a line of these bytes only as blank (checked against DuckDB 1.5: \v and \f too). */
const BLANK = new Uint8Array(256);
for (const b of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]) BLANK[b] = 1;

const COMMA = 0x2c;
const CLOSERS = [Buffer.from(',]'), Buffer.from(',}')];
/** Whitespace that can sit between a comma and its closing bracket on one line. */
const GAP_BYTES = [0x20, 0x09];

export class FlowLogScanner {
  private records = 0;
  private lineNo = 0;
  private offset = 0;
  private readonly blankLines: number[] = [];
  private readonly trailingCommas: ScannedLine[] = [];
  /** The unfinished last line of the previous chunk. */
  private carry: Buffer | null = null;

  /** Feed the next decompressed chunk; it is not kept (unfinished lines are copied). */
  push(chunk: Buffer): void {
    let start = 0;
    if (this.carry !== null) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      const line = Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]);
      this.carry = null;
      this.scanRegion(line, 0, line.length);
      start = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(10);
    if (lastNl >= start) {
      this.scanRegion(chunk, start, lastNl + 1);
      start = lastNl + 1;
    }
    if (start < chunk.length) this.carry = Buffer.from(chunk.subarray(start));
  }

  end(): FlowLogScan {
    if (this.carry !== null) {
      this.scanRegion(this.carry, 0, this.carry.length);
      this.carry = null;
    }
    return { records: this.records, blankLines: this.blankLines, trailingCommas: this.trailingCommas };
  }

  /** Lines in buf[from, to): every one ends with '\n' except perhaps the last line of the input. */
  private scanRegion(buf: Buffer, from: number, to: number): void {
    const candidates = trailingCommaCandidates(buf, from, to);
    let next = 0;
    let s = from;
    while (s < to) {
      let e = buf.indexOf(10, s);
      if (e < 0 || e >= to) e = to;
      this.lineNo++;
      let i = s;
      while (i < e && BLANK[buf[i]!] === 1) i++;
      if (i === e) {
        this.blankLines.push(this.lineNo);
      } else {
        while (next < candidates.length && candidates[next]! < s) next++;
        if (next < candidates.length && candidates[next]! < e) {
          const text = buf.toString('utf8', s, e);
          if (hasTrailingComma(text)) {
            this.trailingCommas.push({ ordinal: this.records, line: this.lineNo, byteOffset: this.offset + (s - from), excerpt: excerpt(text) });
          }
        }
        this.records++;
      }
      s = e + 1;
    }
    this.offset += to - from;
  }
}

/**
 * Sorted positions in buf[from, to) where a comma may close a list or object: ",]" and ",}", and
 * whitespace with a comma before it and a closer after it. Strings are not considered here; the
 * exact check of the line is.
 */
function trailingCommaCandidates(buf: Buffer, from: number, to: number): number[] {
  const found: number[] = [];
  for (const needle of CLOSERS) {
    for (let i = buf.indexOf(needle, from); i >= 0 && i < to; i = buf.indexOf(needle, i + 1)) found.push(i);
  }
  for (const gap of GAP_BYTES) {
    for (let i = buf.indexOf(gap, from); i >= 0 && i < to; i = buf.indexOf(gap, i + 1)) {
      let before = i - 1;
      while (before >= from && (buf[before] === 0x20 || buf[before] === 0x09)) before--;
      if (before < from || buf[before] !== COMMA) continue;
      let after = i + 1;
      while (after < to && (buf[after] === 0x20 || buf[after] === 0x09)) after++;
      if (after < to && (buf[after] === 0x5d || buf[after] === 0x7d)) found.push(i);
    }
  }
  return found.sort((a, b) => a - b);
}

/**
 * JSON records out of lines, whatever the layout the exporter chose: one value per line
 * (newline-delimited JSON), values pretty-printed over many lines one after the other (grpcurl),
 * one document holding a list (an API response), or server-sent events (`data: {...}`).
 *
 * A record that is not valid JSON is delivered with its error and the run goes on. Recovery after
 * a broken value: a raw newline inside a string ends it, and so does a '{' in the first column
 * while a value is open (a pretty-printer indents everything but a value's first line).
 */
import type { IngestOptions } from '../types.js';
import { LineSplitter, streamInput } from './input.js';
import type { FlowInput, StreamSummary } from './input.js';
import { jsonErrorReason } from './json-text.js';

export interface JsonRecord {
  /** Line where the record starts (1-based). */
  line: number;
  byteOffset: number;
  /** The record's text (lines joined with '\n' when it spans several). */
  text: string;
  /** The parsed value, or undefined when `error` is set. */
  value: unknown;
  error: 'trailing_comma' | 'malformed_json' | null;
}

/** Server-sent-event fields that frame records rather than hold them. */
const SSE_FRAMING = /^(event|id|retry):|^:/;

interface OpenValue {
  line: number;
  byteOffset: number;
  parts: string[];
  scan: ScanState;
}

interface ScanState {
  depth: number;
  inString: boolean;
  escaped: boolean;
}

export class JsonRecordSplitter {
  private open: OpenValue | null = null;

  constructor(private readonly emit: (record: JsonRecord) => void) {}

  pushLine(raw: string, line: number, byteOffset: number): void {
    if (this.open !== null) {
      if (raw.startsWith('{')) {
        this.flushBroken();
      } else {
        this.continueValue(raw);
        return;
      }
    }
    let t = raw.trim();
    if (t === '' || SSE_FRAMING.test(t)) return;
    if (t.startsWith('data:')) t = t.slice(5).trim();
    if (t === '') return;
    if (t.endsWith('}') || t.endsWith(']')) {
      // The common case, one value per line: parse it straight away.
      const parsed = tryParse(t);
      if (parsed.ok) {
        this.emit({ line, byteOffset, text: t, value: parsed.value, error: null });
        return;
      }
    }
    const scan: ScanState = { depth: 0, inString: false, escaped: false };
    const end = scanValue(t, scan);
    if (end < 0 && scan.depth > 0 && !scan.inString) {
      this.open = { line, byteOffset, parts: [t], scan };
      return;
    }
    this.emitText(t, line, byteOffset);
  }

  /** The input ended: a value still open is broken. */
  end(): void {
    if (this.open !== null) this.flushBroken();
  }

  private continueValue(raw: string): void {
    const open = this.open!;
    open.parts.push(raw);
    const end = scanValue(raw, open.scan);
    if (end >= 0 || open.scan.inString) {
      // Closed on this line (anything after the value makes it invalid), or a raw newline in a string.
      this.open = null;
      this.emitText(open.parts.join('\n'), open.line, open.byteOffset);
    }
  }

  private flushBroken(): void {
    const open = this.open!;
    this.open = null;
    this.emitText(open.parts.join('\n'), open.line, open.byteOffset);
  }

  private emitText(text: string, line: number, byteOffset: number): void {
    const parsed = tryParse(text);
    if (parsed.ok) this.emit({ line, byteOffset, text, value: parsed.value, error: null });
    else this.emit({ line, byteOffset, text, value: undefined, error: jsonErrorReason(text) });
  }
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Follow brackets and strings through `s`, continuing from `state`; returns the index just after
 * the character that closes the outermost value, or -1 when the value is still open at the end.
 */
function scanValue(s: string, state: ScanState): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (state.inString) {
      if (state.escaped) state.escaped = false;
      else if (c === 0x5c) state.escaped = true;
      else if (c === 0x22) state.inString = false;
      continue;
    }
    if (c === 0x22) state.inString = true;
    else if (c === 0x7b || c === 0x5b) state.depth++;
    else if (c === 0x7d || c === 0x5d) {
      state.depth--;
      if (state.depth <= 0) return i + 1;
    }
  }
  return -1;
}

/** Stream the whole input through `records` line by line, reporting progress; every record is delivered before it returns. */
export async function streamJsonRecords(input: FlowInput, records: JsonRecordSplitter, options: IngestOptions): Promise<StreamSummary> {
  const lines = new LineSplitter((line, lineNo, byteOffset) => records.pushLine(line.toString('utf8'), lineNo, byteOffset));
  let done = 0;
  const streamed = await streamInput(input, (chunk) => {
    lines.push(chunk);
    done += chunk.length;
    options.progress?.(done, input.gzip ? null : input.sizeBytes);
  });
  lines.end();
  records.end();
  return streamed;
}

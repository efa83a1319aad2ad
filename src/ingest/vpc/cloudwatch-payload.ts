/**
 * Saved CloudWatch Logs subscription payloads: JSON objects with messageType DATA_MESSAGE, the log
 * stream and `logEvents` (id, timestamp, message). A file holds one object or several back to back
 * (Firehose writes them so, without separators); CONTROL_MESSAGE objects carry no records.
 */
import { InputFormatError } from '../../errors.js';
import type { LogEvent } from './lines.js';

interface Payload {
  messageType?: unknown;
  logStream?: unknown;
  logEvents?: unknown;
}

/** The events of every DATA_MESSAGE in `text`, in file order. */
export function* payloadEvents(text: string, path: string): Generator<LogEvent> {
  for (const { json, start } of topLevelObjects(text, path)) {
    const offset = () => byteAt(text, start);
    let payload: Payload;
    try {
      payload = JSON.parse(json) as Payload;
    } catch (err) {
      throw new InputFormatError(path, offset(), `not valid JSON (${(err as Error).message})`, 'give the subscription payload as saved, decompressed or gzipped');
    }
    if (payload.messageType === 'CONTROL_MESSAGE') continue;
    if (!Array.isArray(payload.logEvents)) {
      throw new InputFormatError(path, offset(), 'a JSON object without logEvents', 'give CloudWatch Logs subscription payloads (messageType DATA_MESSAGE)');
    }
    const stream = typeof payload.logStream === 'string' ? payload.logStream : null;
    for (const event of payload.logEvents as unknown[]) {
      const e = event as { message?: unknown; timestamp?: unknown };
      if (typeof e.message !== 'string') {
        throw new InputFormatError(path, offset(), 'a log event without a message', 'give CloudWatch Logs subscription payloads as AWS writes them');
      }
      yield { message: e.message, timestampMs: typeof e.timestamp === 'number' ? e.timestamp : null, stream };
    }
  }
}

/** Byte offset of character `index` (errors name byte offsets). */
const byteAt = (text: string, index: number) => Buffer.byteLength(text.slice(0, index));

/** Split concatenated JSON objects by brace depth (strings and escapes respected). */
function* topLevelObjects(text: string, path: string): Generator<{ json: string; start: number }> {
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}') {
      if (--depth === 0) yield { json: text.slice(start, i + 1), start };
      if (depth < 0) throw new InputFormatError(path, byteAt(text, i), "unbalanced '}'", 'give the subscription payload as saved');
    } else if (depth === 0 && !/\s/.test(c!)) {
      throw new InputFormatError(path, byteAt(text, i), `unexpected '${c}' between JSON objects`, 'give the subscription payload as saved');
    }
  }
  if (depth !== 0) throw new InputFormatError(path, byteAt(text, start), 'JSON object cut short', 'check that the download is complete');
}

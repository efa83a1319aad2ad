/**
 * Goldmane and Whisker exports into the store: JSON records (lines, pretty-printed values or one
 * list document) → staged records → the shared pairing and connection SQL.
 *
 * Accepted containers: a bare `Flow`, `{flow: Flow}` (FlowUpdate, FlowResult with its `id`),
 * `{flows: [FlowResult]}` (FlowListResult), Whisker's `{items: [...]}` list and a bare array.
 */
import type { InputWriter } from '../../store/input-writer.js';
import type { IngestOptions } from '../types.js';
import { goldmaneFlow, whiskerFlow } from './goldmane-flow.js';
import type { FlowParse } from './goldmane-flow.js';
import type { FlowInput } from './input.js';
import { JsonRecordSplitter, streamJsonRecords } from './json-records.js';
import { excerpt, isObject } from './json-text.js';
import type { JsonObject } from './json-text.js';
import type { ShapeOutcome } from './outcome.js';
import { createStage, dropStage, numberStagedRecords } from './stage.js';
import { StageAppender } from './stage-append.js';
import { collectRejects } from './stage-checks.js';
import { writeStagedConnections } from './stage-connections.js';

/** A flow found in a record, with how to name it in a reject ('items[3]' inside a list document). */
interface Item {
  value: unknown;
  path: string | null;
}

export async function readGoldmane(writer: InputWriter, input: FlowInput, shape: 'goldmane' | 'whisker', options: IngestOptions): Promise<ShapeOutcome> {
  const conn = writer.sql;
  await createStage(conn);
  const stage = await StageAppender.open(conn);
  const parse: (o: JsonObject) => FlowParse = shape === 'goldmane' ? goldmaneFlow : whiskerFlow;
  let read = 0;
  let rejected = 0;
  let listDocuments = 0;
  const records = new JsonRecordSplitter((record) => {
    const reject = (reason: string, detail: string | null, text: string): void => {
      rejected++;
      writer.appendReject({ line: record.line, byteOffset: record.byteOffset, reason, excerpt: detail === null ? excerpt(text) : excerpt(`${detail}: ${text}`) });
    };
    if (record.error !== null) {
      read++;
      reject(record.error, null, record.text);
      return;
    }
    const items = flowItems(record.value);
    if (items.length !== 1 || items[0]!.path !== null) listDocuments++;
    for (const item of items) {
      read++;
      const parsed = isObject(item.value) ? parse(item.value) : ({ ok: false, reason: 'not_a_flow_record', detail: 'not an object' } as const);
      if (parsed.ok) stage.append(parsed.flow);
      else reject(parsed.reason, item.path === null ? parsed.detail : `${item.path}: ${parsed.detail}`, JSON.stringify(item.value));
    }
  });
  const streamed = await streamJsonRecords(input, records, options);
  stage.close();
  const staged = await numberStagedRecords(conn);

  await collectRejects(conn, []);
  const span = await writeStagedConnections(conn, writer.sourceId, writer.allocateConnectionIds(staged));
  writer.addSqlConnections(span.connections);
  await dropStage(conn);
  const warnings = streamed.gzipError === null ? [] : [`${input.displayPath}: ${streamed.gzipError}; the records before it were read`];
  return {
    kind: shape,
    formatDetail: [listDocuments > 0 ? 'list document' : 'json records', ...(input.gzip ? ['gzip'] : [])].join(', '),
    sha256: streamed.sha256,
    recordsRead: read,
    recordsRejected: rejected,
    nonIpRecords: 0,
    firstSeenMicros: span.firstSeenMicros,
    lastSeenMicros: span.lastSeenMicros,
    gaps: 0,
    warnings,
  };
}

/** The flows a record holds: itself, its `flow`, or the members of the list it is. */
function flowItems(v: unknown): Item[] {
  if (Array.isArray(v)) return v.map((value, i) => ({ value: unwrap(value), path: `[${i}]` }));
  if (isObject(v)) {
    if (Array.isArray(v.items)) return v.items.map((value, i) => ({ value: unwrap(value), path: `items[${i}]` }));
    if (Array.isArray(v.flows)) return v.flows.map((value, i) => ({ value: unwrap(value), path: `flows[${i}]` }));
  }
  return [{ value: unwrap(v), path: null }];
}

/** FlowResult / FlowUpdate → the Flow inside. */
function unwrap(v: unknown): unknown {
  return isObject(v) && isObject(v.flow) ? v.flow : v;
}

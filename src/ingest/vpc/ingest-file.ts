/**
 * `flowaudit ingest FILE` for flow logs: recognise the content (text with or without a header,
 * Parquet, a CloudWatch subscription payload), then read and pair it in one transaction.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { IngestOptions, InputReport } from '../types.js';
import type { Store } from '../../store/store.js';
import { InputFormatError } from '../../errors.js';
import { DEFAULT_FORMAT, FieldList, formatWarnings, parseLogFormat } from './fields.js';
import { payloadEvents } from './cloudwatch-payload.js';
import { openInputFile } from './input-file.js';
import type { InputFile } from './input-file.js';
import { LinesAppender } from './lines.js';
import { loadParquetRows, parquetFields } from './parquet.js';
import { observeRows } from './pipeline.js';
import { splitLinesSql } from './records.js';
import { classifyHead, firstLine } from './sniff.js';
import { observeTextFile } from './text-file.js';
import { ingestInTransaction } from './transaction.js';

export async function ingestVpcFile(store: Store, path: string, options: IngestOptions): Promise<InputReport> {
  const logFormat = options.logFormat === undefined ? undefined : parseLogFormat(options.logFormat);
  const input = await openInputFile(path);
  try {
    const content = classifyHead(input.head, input.headText, logFormat);
    if (content === null) throw notAFlowLog(input, logFormat);
    // --log-format shapes the result only where there is no header line to read the fields from.
    const formatUsed = logFormat !== undefined && !(content.kind === 'text' && content.header) && content.kind !== 'parquet';
    const meta = { path, kind: 'vpc', options: formatUsed ? { logFormat: logFormat.toString() } : undefined };
    const fingerprint = async () => ({ sha256: await input.sha256, sizeBytes: input.sizeBytes });
    switch (content.kind) {
      case 'text': {
        const fields = content.fields;
        requireEssentials(fields, false, input);
        return await ingestInTransaction(store, meta, async (conn) => {
          const mode = await observeTextFile(conn, { path: input.readPath, gzip: input.gzip, fields, header: content.header });
          const detail = [input.gzip ? 'gzip' : null, content.header ? 'header' : 'no header', mode, fields.toString()];
          return { kind: 'vpc', formatDetail: detail.filter((d) => d !== null).join('; '), fields, unit: 'line', warnings: formatWarnings(fields) };
        }, fingerprint);
      }
      case 'parquet':
        return await ingestInTransaction(store, { ...meta, kind: 'vpc-parquet' }, async (conn) => {
          const { fields, columns } = await parquetFields(conn, input.readPath);
          requireEssentials(fields, false, input);
          await loadParquetRows(conn, input.readPath, fields, columns);
          await observeRows(conn, fields, { lines: true, events: false });
          return { kind: 'vpc-parquet', formatDetail: `parquet; ${fields.toString()}`, fields, unit: 'row', warnings: formatWarnings(fields) };
        }, fingerprint);
      case 'cloudwatch-payload': {
        const fields = logFormat ?? new FieldList(DEFAULT_FORMAT);
        requireEssentials(fields, true, input);
        const events = await readPayloadEvents(input, fields);
        return await ingestInTransaction(store, { ...meta, kind: 'vpc-cloudwatch' }, async (conn) => {
          const lines = await LinesAppender.open(conn);
          try {
            for (const event of events) lines.appendEvent(event);
          } finally {
            lines.close();
          }
          await conn.run(`CREATE OR REPLACE TEMP TABLE vpc_rows AS ${splitLinesSql(fields)}`);
          await observeRows(conn, fields, { lines: true, events: true });
          const detail = `cloudwatch subscription payload${input.gzip ? ', gzip' : ''}; ${fields.toString()}`;
          return { kind: 'vpc-cloudwatch', formatDetail: detail, fields, unit: 'event', warnings: formatWarnings(fields) };
        }, fingerprint);
      }
    }
  } finally {
    await input.dispose();
  }
}

function requireEssentials(fields: FieldList, eventTimes: boolean, input: InputFile): void {
  const missing = fields.missingEssentials(eventTimes);
  if (missing !== null) throw new InputFormatError(input.displayPath, 0, missing, 'flowaudit needs the addresses and times of each flow: add them to the flow-log format');
}

/** Events of a payload file; the first one must have as many fields as the format. */
async function readPayloadEvents(input: InputFile, fields: FieldList) {
  const raw = await readFile(input.readPath);
  const events = [...payloadEvents((input.gzip ? gunzipSync(raw) : raw).toString('utf8'), input.displayPath)];
  const first = events[0]?.message.trim().split(/\s+/) ?? [];
  if (events.length > 0 && first.length !== fields.names.length) {
    throw new InputFormatError(
      input.displayPath, 0,
      `CloudWatch records have ${first.length} fields, the flow-log format ${fields.names.length}`,
      "CloudWatch records carry no header: give the flow log's format with --log-format '${version} ${account-id} ...'",
    );
  }
  return events;
}

function notAFlowLog(input: InputFile, logFormat: FieldList | undefined): InputFormatError {
  const line = firstLine(input.headText);
  if (line === null) return new InputFormatError(input.displayPath, 0, 'empty: no flow-log header or record', 'give a VPC flow log file');
  const fieldCount = line.trim().split(/\s+/).length;
  if (logFormat) {
    return new InputFormatError(
      input.displayPath, 0,
      `line 1 has ${fieldCount} fields, --log-format lists ${logFormat.names.length}`,
      'give the format the flow log was created with',
    );
  }
  return new InputFormatError(
    input.displayPath, 0,
    'line 1 is neither a flow-log header (version account-id interface-id srcaddr ...) nor a default-format record',
    "for a file without a header line, give its format with --log-format '${version} ${account-id} ...'",
  );
}

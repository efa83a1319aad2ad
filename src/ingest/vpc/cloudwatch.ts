/**
 * `flowaudit ingest --cloudwatch GROUP`: flow-log records read from CloudWatch Logs with
 * FilterLogEvents, every page, through the AWS SDK (its standard credential chain, and its retry
 * strategy: throttling is retried with exponential backoff and jitter). Each event's message is one
 * record without a header, so the field list comes from --log-format or the default format.
 *
 * The source is `cloudwatch:GROUP`; its sha256 is of the fetched events, so fetching the same
 * window again is recognised as a duplicate.
 */
import { createHash } from 'node:crypto';
import type { CloudWatchLogsClient, FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import type * as CloudWatchSdk from '@aws-sdk/client-cloudwatch-logs';
import type { InputReport } from '../types.js';
import type { Store } from '../../store/store.js';
import { ConfigError, FlowauditError } from '../../errors.js';
import { DEFAULT_FORMAT, FieldList, formatWarnings, parseLogFormat } from './fields.js';
import { LinesAppender } from './lines.js';
import { observeRows } from './pipeline.js';
import { splitLinesSql } from './records.js';
import { ingestInTransaction } from './transaction.js';
import { parseTime } from './time.js';

export interface CloudWatchOptions {
  /** Log group name. */
  group: string;
  /** Earliest event time: ISO 8601, or a duration before now such as 90m, 24h, 7d. */
  since?: string;
  /** Latest event time, same forms; default: no upper bound. */
  until?: string;
  logStreamPrefix?: string;
  region?: string;
  /** Another endpoint than AWS's (a VPC endpoint, a test server). */
  endpoint?: string;
  logFormat?: string;
}

/** Attempts per request: FilterLogEvents allows few calls per second per account, so throttling is common. */
const MAX_ATTEMPTS = 10;
const EVENTS_PER_PAGE = 10_000;

export async function ingestCloudWatch(store: Store, options: CloudWatchOptions): Promise<InputReport> {
  const fields = options.logFormat === undefined ? new FieldList(DEFAULT_FORMAT) : parseLogFormat(options.logFormat);
  const missing = fields.missingEssentials(true);
  if (missing !== null) throw new ConfigError(`--log-format: ${missing}`, 'flowaudit needs the addresses of each flow: add them to the flow-log format');
  const now = Date.now();
  const startTime = options.since === undefined ? undefined : parseTime(options.since, now, '--since');
  const endTime = options.until === undefined ? undefined : parseTime(options.until, now, '--until');
  const path = `cloudwatch:${options.group}`;
  // Loaded here, not at start-up: the SDK takes ~0.1 s to load, and only this input needs it.
  const sdk = await import('@aws-sdk/client-cloudwatch-logs');
  const client = new sdk.CloudWatchLogsClient({ region: options.region, endpoint: options.endpoint, maxAttempts: MAX_ATTEMPTS });
  const hash = createHash('sha256').update(`${options.group}\n`);
  const recorded = {
    group: options.group,
    since: startTime === undefined ? null : new Date(startTime).toISOString(),
    until: endTime === undefined ? null : new Date(endTime).toISOString(),
    logStreamPrefix: options.logStreamPrefix ?? null,
    logFormat: fields.toString(),
  };
  try {
    return await ingestInTransaction(
      store,
      { path, kind: 'vpc-cloudwatch', options: recorded },
      async (conn) => {
        const lines = await LinesAppender.open(conn);
        try {
          for await (const page of pages(sdk, client, options, startTime, endTime)) {
            for (const e of page.events ?? []) {
              const message = e.message ?? '';
              hash.update(`${e.eventId ?? ''}\t${e.timestamp ?? ''}\t${e.logStreamName ?? ''}\t${message}\n`);
              lines.appendEvent({ message, timestampMs: e.timestamp ?? null, stream: e.logStreamName ?? null });
            }
          }
        } finally {
          lines.close();
        }
        await conn.run(`CREATE OR REPLACE TEMP TABLE vpc_rows AS ${splitLinesSql(fields)}`);
        await observeRows(conn, fields, { lines: true, events: true });
        return { kind: 'vpc-cloudwatch', formatDetail: `cloudwatch logs; ${fields.toString()}`, fields, unit: 'event', warnings: formatWarnings(fields) };
      },
      async () => ({ sha256: hash.digest('hex'), sizeBytes: null }),
    );
  } finally {
    client.destroy();
  }
}

async function* pages(
  sdk: typeof CloudWatchSdk,
  client: CloudWatchLogsClient,
  options: CloudWatchOptions,
  startTime?: number,
  endTime?: number,
): AsyncGenerator<FilterLogEventsCommandOutput> {
  let nextToken: string | undefined;
  do {
    const command = new sdk.FilterLogEventsCommand({
      logGroupName: options.group,
      logStreamNamePrefix: options.logStreamPrefix,
      startTime,
      endTime,
      nextToken,
      limit: EVENTS_PER_PAGE,
    });
    let page: FilterLogEventsCommandOutput;
    try {
      page = await client.send(command);
    } catch (err) {
      throw asCloudWatchError(err, options);
    }
    yield page;
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
}

/** SDK failures the user can act on, in one line. */
function asCloudWatchError(err: unknown, options: CloudWatchOptions): unknown {
  if (!(err instanceof Error)) return err;
  const where = `cloudwatch:${options.group}`;
  const message = err.message.split('\n')[0]!;
  switch (err.name) {
    case 'ResourceNotFoundException':
      return new ConfigError(`log group not found (${message})`, 'check the group name and --region', where);
    case 'CredentialsProviderError':
      return new ConfigError(`no AWS credentials (${message})`, 'configure credentials as for the AWS CLI: environment, ~/.aws, SSO or an instance role', where);
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
      return new FlowauditError(`CloudWatch Logs refused the request (${message})`, 'the credentials need logs:FilterLogEvents on the group', where);
    default:
      if (/region is missing/i.test(message)) return new ConfigError('no AWS region', 'give --region or set AWS_REGION', where);
      return new FlowauditError(`CloudWatch Logs request failed: ${err.name}: ${message}`, 'check --region, --endpoint and the network, then retry', where);
  }
}

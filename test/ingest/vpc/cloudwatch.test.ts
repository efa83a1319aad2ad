/**
 * The real AWS SDK against a small local server speaking the CloudWatch Logs JSON 1.1 protocol:
 * FilterLogEvents pages joined by nextToken, and one ThrottlingException to retry.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Store } from '../../../src/store/store.js';
import { ingestCloudWatch } from '../../../src/ingest/vpc/index.js';
import { ConfigError } from '../../../src/errors.js';

interface Call {
  target: string | undefined;
  body: Record<string, unknown>;
}

const GROUP = '/vpc/flow-logs';
const record = (i: number, action = 'ACCEPT') =>
  `2 111122223333 eni-0cw00000000000001 10.0.5.${i} 10.0.6.1 ${50000 + i} 443 6 4 400 1700000000 1700000060 ${action} OK`;
const event = (i: number, message: string) => ({
  logStreamName: 'eni-0cw00000000000001-all', timestamp: 1700000060000 + i, message, ingestionTime: 1700000070000, eventId: `e${i}`,
});

/** Page 1 after one throttled attempt, then page 2 (the last: no nextToken). */
const PAGES: Record<string, unknown> = {
  first: { events: [event(1, record(1)), event(2, record(2))], nextToken: 'page-2', searchedLogStreams: [] },
  'page-2': { events: [event(3, record(3, 'REJECT')), event(4, 'not a flow record')], searchedLogStreams: [] },
};

let server: Server;
let endpoint: string;
const calls: Call[] = [];
let throttleNext = true;

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  const body = JSON.parse(text) as Record<string, unknown>;
  const target = req.headers['x-amz-target'] as string | undefined;
  calls.push({ target, body });
  if (target !== 'Logs_20140328.FilterLogEvents') return reply(res, 400, { __type: 'UnknownOperationException', message: String(target) });
  if (body.logGroupName !== GROUP) return reply(res, 400, { __type: 'ResourceNotFoundException', message: 'The specified log group does not exist.' });
  if (throttleNext) {
    throttleNext = false;
    return reply(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
  }
  reply(res, 200, PAGES[typeof body.nextToken === 'string' ? body.nextToken : 'first']);
}

const savedEnv = { ...process.env };
beforeAll(async () => {
  // The standard credential chain finds these first; nothing leaves 127.0.0.1.
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTONLY';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-only-secret';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  process.env = savedEnv;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => {
  calls.length = 0;
  throttleNext = true;
});

describe('ingestCloudWatch', () => {
  it('reads every page through the SDK, retrying the throttled request, and pairs the records', async () => {
    const store = await Store.open(':memory:');
    try {
      const options = { group: GROUP, since: '2023-11-14T00:00:00Z', until: '2023-11-15T00:00:00Z', logStreamPrefix: 'eni-0cw', region: 'eu-west-1', endpoint };
      const report = await ingestCloudWatch(store, options);
      expect(report).toMatchObject({
        path: `cloudwatch:${GROUP}`, kind: 'vpc-cloudwatch', recordsRead: 4, recordsUsed: 3, recordsRejected: 1, connections: 3, duplicateOf: null,
      });
      expect(calls.map((c) => c.target)).toEqual(Array(3).fill('Logs_20140328.FilterLogEvents'));
      expect(calls[0]!.body).toMatchObject({
        logGroupName: GROUP, logStreamNamePrefix: 'eni-0cw', startTime: Date.parse('2023-11-14T00:00:00Z'), endTime: Date.parse('2023-11-15T00:00:00Z'),
      });
      expect(calls[1]!.body.nextToken).toBeUndefined(); // the retry of the throttled first page
      expect(calls[2]!.body.nextToken).toBe('page-2');
      expect(await store.queryRows('SELECT location, reason FROM rejects')).toEqual([{ location: 'event 4', reason: 'bad_field_count' }]);
      expect(await store.queryRows('SELECT client_ip, server_port, action, interface_id FROM connections ORDER BY client_ip')).toEqual([
        { client_ip: '10.0.5.1', server_port: 443, action: 'ACCEPT', interface_id: 'eni-0cw00000000000001' },
        { client_ip: '10.0.5.2', server_port: 443, action: 'ACCEPT', interface_id: 'eni-0cw00000000000001' },
        { client_ip: '10.0.5.3', server_port: 443, action: 'REJECT', interface_id: 'eni-0cw00000000000001' },
      ]);
      const [source] = await store.queryRows<{ path: string; kind: string; options: string; size_bytes: unknown }>('SELECT path, kind, options, size_bytes FROM sources');
      expect(source).toMatchObject({ path: `cloudwatch:${GROUP}`, kind: 'vpc-cloudwatch', size_bytes: null });
      expect(JSON.parse(source!.options)).toMatchObject({ group: GROUP, since: '2023-11-14T00:00:00.000Z', logStreamPrefix: 'eni-0cw' });

      // The same window again: the same events, recognised as already ingested.
      const again = await ingestCloudWatch(store, options);
      expect(again.duplicateOf).toEqual({ id: 1, path: `cloudwatch:${GROUP}` });
      expect(await store.queryRows('SELECT count(*)::INTEGER AS n FROM connections')).toEqual([{ n: 3 }]);
    } finally {
      store.close();
    }
  });

  it('reports a missing log group and a bad time in one line, writing nothing', async () => {
    const store = await Store.open(':memory:');
    try {
      const missing = await ingestCloudWatch(store, { group: '/nope', region: 'eu-west-1', endpoint }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(ConfigError);
      expect((missing as ConfigError).toLine()).toMatch(/^cloudwatch:\/nope: log group not found .* — check the group name and --region$/);
      const badTime = await ingestCloudWatch(store, { group: GROUP, since: 'yesterday', region: 'eu-west-1', endpoint }).catch((e: unknown) => e);
      expect((badTime as ConfigError).message).toBe("--since: 'yesterday' is not a time");
      expect(await store.queryRows('SELECT count(*)::INTEGER AS n FROM sources')).toEqual([{ n: 0 }]);
    } finally {
      store.close();
    }
  });
});

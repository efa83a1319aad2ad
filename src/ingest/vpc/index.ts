/**
 * AWS VPC and Transit Gateway flow logs: text files (plain or gzipped, S3 layout or not), Parquet,
 * saved CloudWatch Logs subscription payloads, and CloudWatch Logs itself.
 */
import type { IngestOptions, Ingester } from '../types.js';
import { parseLogFormat } from './fields.js';
import { ingestVpcFile } from './ingest-file.js';
import { classifyHead } from './sniff.js';

export const vpcIngester: Ingester = {
  kind: 'vpc',
  sniff: (head, headText, options) => sniffVpc(head, headText, options ?? {}),
  ingest: ingestVpcFile,
};

/**
 * With --log-format, a header-less file is a flow log when its first line has as many fields as
 * the format; without it, only header lines and default-format records are recognised.
 */
export function sniffVpc(head: Uint8Array, headText: string, options: IngestOptions): boolean {
  return classifyHead(head, headText, options.logFormat === undefined ? undefined : parseLogFormat(options.logFormat)) !== null;
}

export { ingestCloudWatch } from './cloudwatch.js';
export type { CloudWatchOptions } from './cloudwatch.js';

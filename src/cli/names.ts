/**
 * `flowaudit names`: what the data says about who is who — address and name pairs with the
 * evidence (DNS answers, TLS SNI) found in the ingested traffic, never a live lookup.
 */
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { FlowauditError } from '../errors.js';
import { canonicalAddress, parseAddress } from '../net/ip.js';
import { Store } from '../store/store.js';
import { EXIT } from './exit-codes.js';
import { formatNames } from './format-names.js';
import type { FormatNamesOptions, NameEvidence } from './format-names.js';
import { DEFAULT_DB } from './ingest.js';

interface NamesFlags {
  db: string;
  address?: string;
  name?: string;
  format: FormatNamesOptions['format'];
}

export function namesCommand(): Command {
  return new Command('names')
    .description('list the address-to-name evidence found in the ingested data (DNS answers, TLS SNI), one row per address, name and evidence')
    .option('--db <file>', 'DuckDB file to read', DEFAULT_DB)
    .option('--address <address>', 'only this address (IPv4 or IPv6, any notation)')
    .option('--name <pattern>', 'only names matching this pattern, case-insensitively; * matches any characters (e.g. "*.googleapis.com")')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (flags: NamesFlags) => {
      process.stdout.write(formatNames(await readNames(flags), { format: flags.format }));
      process.exitCode = EXIT.ok;
    });
}

async function readNames(flags: NamesFlags): Promise<NameEvidence[]> {
  const conditions: string[] = [];
  const params: string[] = [];
  if (flags.address !== undefined) {
    const address = canonicalAddress(flags.address);
    if (address === null) throw new FlowauditError(`--address ${flags.address} is not an IPv4 or IPv6 address`, 'give one address, e.g. 10.0.0.1 or 2001:db8::1');
    params.push(address);
    conditions.push(`address = $${params.length}`);
  }
  if (flags.name !== undefined) {
    params.push(likePattern(flags.name));
    conditions.push(`name ILIKE $${params.length} ESCAPE '\\'`);
  }
  if (flags.db !== ':memory:' && !existsSync(flags.db)) {
    throw new FlowauditError('no database here', 'run flowaudit ingest first, or name the database with --db', flags.db);
  }
  const store = await Store.open(flags.db);
  try {
    const rows = await store.queryRows<Record<string, unknown>>(
      `SELECT address, name, evidence, epoch_us(min(first_seen)) AS first_us, epoch_us(max(last_seen)) AS last_us,
              sum(times_seen) AS times_seen, count(DISTINCT connection_id) AS connections, bool_or(suspicious) AS suspicious
       FROM names ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
       GROUP BY address, name, evidence
       ORDER BY lower(name), name, evidence`,
      params,
    );
    const byAddress = rows.map((r) => ({
      address: String(r['address']),
      name: String(r['name']),
      evidence: String(r['evidence']),
      firstSeenMicros: r['first_us'] === null ? null : Number(r['first_us']),
      lastSeenMicros: r['last_us'] === null ? null : Number(r['last_us']),
      timesSeen: Number(r['times_seen']),
      connections: Number(r['connections']),
      suspicious: r['suspicious'] === true,
    }));
    // Stable: rows of one address keep the name order of the query.
    return byAddress.sort((x, y) => compareAddresses(x.address, y.address));
  } finally {
    store.close();
  }
}

/** IPv4 before IPv6, each in numeric order (text order would put 10.0.0.2 before 9.0.0.1). */
function compareAddresses(x: string, y: string): number {
  const a = parseAddress(x);
  const b = parseAddress(y);
  if (a === null || b === null) return a === b ? x.localeCompare(y) : a === null ? 1 : -1;
  if (a.family !== b.family) return a.family - b.family;
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return a.bytes[i]! - b.bytes[i]!;
  return 0;
}

/** A user's `*` pattern as an ILIKE pattern, LIKE's own wildcards taken literally. */
function likePattern(pattern: string): string {
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

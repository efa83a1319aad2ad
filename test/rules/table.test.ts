/**
 * The compiled rows go into a DuckDB table as they are, and a plain SQL join over address and port
 * columns finds the same flows as the in-memory matcher (CIDR and `any` sides; the classifier adds
 * names and identity).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/rules/compile.js';
import { loadInventory } from '../../src/rules/inventory.js';
import { loadRulePacks } from '../../src/rules/load.js';
import { matchConnection } from '../../src/rules/match.js';
import { packageRoot } from '../../src/rules/package-root.js';
import { COMPILED_ROW_COLUMNS, toTableRow } from '../../src/rules/table.js';
import { addressToBigInt, parseAddress } from '../../src/net/ip.js';

function ipNum(text: string): bigint {
  const parsed = parseAddress(text)!;
  return addressToBigInt(parsed.bytes, 0, parsed.family === 4 ? 4 : 16);
}

const SIDE_MATCH = (side: 'client' | 'server') => `(r.${side}_kind = 'any' OR (r.${side}_kind = 'cidr' AND r.${side}_family = c.family AND c.${side}_ip_num BETWEEN r.${side}_lo AND r.${side}_hi))`;

describe('compiled rows as a DuckDB table', () => {
  it('have one column per value, in the documented order', async () => {
    const compiled = compileRules(await loadRulePacks([join(packageRoot(), 'rules/apic-firewall.yaml')]), await loadInventory(join(packageRoot(), 'fixtures/inventory/apic.yaml')));
    expect(Object.keys(toTableRow(compiled.rows[0]!))).toEqual(COMPILED_ROW_COLUMNS.map(([name]) => name));
  });

  it('load into DuckDB and join connections to the same flows the matcher finds', async () => {
    const rules = await loadRulePacks([join(packageRoot(), 'rules/apic-firewall.yaml')]);
    const compiled = compileRules(rules, await loadInventory(join(packageRoot(), 'fixtures/inventory/apic.yaml')));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(`CREATE TABLE compiled_rows (${COMPILED_ROW_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')})`);
    const placeholders = COMPILED_ROW_COLUMNS.map(([, type], i) => `CAST($${i + 1} AS ${type.replace(' NOT NULL', '')})`).join(', ');
    for (const row of compiled.rows) {
      const values = Object.values(toTableRow(row)).map((v) => (typeof v === 'bigint' ? v.toString() : v));
      await db.run(`INSERT INTO compiled_rows VALUES (${placeholders})`, values);
    }
    const conns: [string, number, string, string, number][] = [
      ['tcp', 6, '198.51.100.7', '10.20.1.10', 443],
      ['tcp', 6, '10.20.2.5', '10.20.1.10', 3000],
      ['tcp', 6, '10.20.1.10', '10.20.2.5', 3000],
      ['tcp', 6, '2001:db8::7', 'fd00:20:1::10', 443],
      ['udp', 17, '10.20.4.5', '198.51.100.123', 123],
      ['tcp', 6, '198.51.100.7', '10.20.1.10', 8080],
    ];
    await db.run('CREATE TABLE conns (id INTEGER, proto SMALLINT, family TINYINT, client_ip_num UHUGEINT, server_ip_num UHUGEINT, server_port INTEGER)');
    for (const [i, [, proto, client, server, port]] of conns.entries()) {
      await db.run('INSERT INTO conns VALUES ($1, $2, $3, CAST($4 AS UHUGEINT), CAST($5 AS UHUGEINT), $6)', [i, proto, client.includes(':') ? 6 : 4, ipNum(client).toString(), ipNum(server).toString(), port]);
    }
    const reader = await db.runAndReadAll(`
      SELECT c.id, list_sort(list_distinct(list(r.flow))) AS flows
      FROM conns c JOIN compiled_rows r
        ON (r.proto IS NULL OR r.proto = c.proto)
       AND (r.port_lo IS NULL OR c.server_port BETWEEN r.port_lo AND r.port_hi)
       AND ${SIDE_MATCH('client')} AND ${SIDE_MATCH('server')}
      GROUP BY c.id ORDER BY c.id`);
    const fromSql = new Map(reader.getRowObjectsJson().map((row) => [Number(row.id), row.flows as string[]]));
    for (const [i, [, proto, client, server, port]] of conns.entries()) {
      const expected = matchConnection(compiled, { proto, client: { ip: client, port: 40000 }, server: { ip: server, port } });
      expect(fromSql.get(i) ?? []).toEqual(expected);
    }
    expect(fromSql.get(0)).toEqual(['apic-firewall/api-request']);
    expect(fromSql.has(5)).toBe(false);
  });
});

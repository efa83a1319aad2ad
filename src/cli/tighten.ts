/**
 * `flowaudit tighten [--db FILE] --target networkpolicy|calico|aws-sg|nftables [-o FILE] ...`:
 * least-privilege allow rules from the observed documented traffic of the last classify run.
 * Option problems are ConfigErrors (one line, exit 2, printed by main). The generated file says
 * everything else — what was kept, dropped, merged, compared — in its own header comments, so it
 * travels with the rules into review; with -o, one summary line goes to stdout.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { ConfigError } from '../errors.js';
import { Store } from '../store/store.js';
import { DEFAULT_MIN_FILL } from '../tighten/build.js';
import type { Comparison } from '../tighten/current.js';
import { connectionCount, governedNames } from '../tighten/model.js';
import type { RuleSet } from '../tighten/model.js';
import { TARGETS, tighten } from '../tighten/tighten.js';
import type { Target, TightenOptions } from '../tighten/tighten.js';
import type { AwsFormat } from '../tighten/targets/aws-sg.js';
import { DEFAULT_DB } from './ingest.js';

interface TightenFlags {
  db: string;
  target: Target;
  output?: string;
  keepUnobserved?: boolean;
  current?: string;
  staged?: boolean;
  awsFormat?: AwsFormat;
  sg?: string[];
  endpoint?: string[];
  minFill: string;
}

const SG_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export function tightenCommand(): Command {
  return new Command('tighten')
    .description('least-privilege allow rules from the observed documented traffic of the last classify run')
    .option('--db <file>', 'classified DuckDB file', DEFAULT_DB)
    .addOption(new Option('--target <target>', 'what to generate').choices([...TARGETS]).makeOptionMandatory())
    .option('-o, --output <file>', 'write the rules here (default: standard output)')
    .option('--keep-unobserved', 'keep documented flows never observed, as rules from their documented endpoints and ports')
    .option('--current <file>', 'NetworkPolicy file in force: list its unused rules, what it denies, what tightening would break')
    .option('--staged', 'calico: StagedNetworkPolicy / StagedGlobalNetworkPolicy (reported on, not enforced)')
    .addOption(new Option('--aws-format <format>', 'aws-sg: CLI input JSON or Terraform').choices(['cli', 'terraform']))
    .option('--sg <endpoint=sg-id...>', 'aws-sg: the security group of an endpoint, e.g. --sg gateway=sg-0123456789abcdef0 (repeatable)')
    .option('--endpoint <name...>', 'govern only these inventory endpoints (default: every one the data shows)')
    .option('--min-fill <percent>', 'merge addresses and ports only into blocks at least this much observed', String(DEFAULT_MIN_FILL))
    .action(async (flags: TightenFlags) => {
      const options = parseFlags(flags);
      if (!existsSync(flags.db)) {
        throw new ConfigError('no such database', 'ingest and classify first, or point --db at the classified file', flags.db);
      }
      const store = await Store.open(flags.db);
      let result;
      try {
        result = await tighten(store, flags.db, options);
      } finally {
        store.close();
      }
      checkSgEndpoints(options.sg, result.ruleSet);
      if (flags.output === undefined) {
        process.stdout.write(result.text);
        return;
      }
      await writeFile(flags.output, result.text).catch((err: NodeJS.ErrnoException) => {
        throw new ConfigError(`cannot write the output: ${err.code ?? err.message}`, 'check the -o path', flags.output);
      });
      process.stdout.write(summaryLine(result.ruleSet, options.target, flags.output, result.comparison));
    });
}

function parseFlags(flags: TightenFlags): TightenOptions {
  if (flags.staged && flags.target !== 'calico') throw new ConfigError('--staged applies to --target calico only', `drop --staged, or use --target calico`);
  if ((flags.awsFormat !== undefined || flags.sg !== undefined) && flags.target !== 'aws-sg') {
    throw new ConfigError(`${flags.awsFormat !== undefined ? '--aws-format' : '--sg'} applies to --target aws-sg only`, 'drop it, or use --target aws-sg');
  }
  const minFill = Number(flags.minFill);
  if (!/^\d{1,3}$/.test(flags.minFill) || minFill > 100) throw new ConfigError(`--min-fill ${flags.minFill} is not a percentage`, 'give a whole number from 0 (merge freely) to 100 (merge only what was all observed)');
  return {
    target: flags.target,
    keepUnobserved: flags.keepUnobserved === true,
    minFill,
    endpoints: flags.endpoint ?? null,
    current: flags.current ?? null,
    staged: flags.staged === true,
    awsFormat: flags.awsFormat ?? 'cli',
    sg: parseSg(flags.sg ?? []),
  };
}

function parseSg(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const endpoint = value.slice(0, eq);
    const id = value.slice(eq + 1);
    if (eq <= 0 || !SG_ID.test(id)) throw new ConfigError(`--sg ${value} is not ENDPOINT=sg-ID`, 'write it as gateway=sg-0123456789abcdef0 (sg- and 8 or 17 hex digits)');
    if (out[endpoint] !== undefined && out[endpoint] !== id) throw new ConfigError(`--sg gives endpoint ${endpoint} two groups`, 'give each endpoint one security group');
    out[endpoint] = id;
  }
  return out;
}

/** A --sg for an endpoint the rules do not govern is a typo or a misunderstanding: say which. */
function checkSgEndpoints(sg: Record<string, string>, ruleSet: RuleSet): void {
  for (const endpoint of Object.keys(sg)) {
    const scope = ruleSet.endpoints.find((e) => e.name === endpoint);
    if (!scope?.governed) {
      const governed = ruleSet.endpoints.filter((e) => e.governed).map((e) => e.name);
      throw new ConfigError(`--sg ${endpoint}: ${scope ? `the rules do not govern it (${scope.reason})` : 'no such endpoint in the classified data'}`, `governed endpoints: ${governed.join(', ') || 'none'}`);
    }
  }
}

function summaryLine(ruleSet: RuleSet, target: Target, output: string, comparison: Comparison | null): string {
  const governed = governedNames(ruleSet);
  const rules = ruleSet.rules.filter((r) => governed.has(r.endpoint)).length;
  const c = ruleSet.counts;
  const current =
    comparison === null
      ? ''
      : `; current policy: ${comparison.unused.length} rules unused, ${connectionCount(comparison.denied)} observed connections denied, ` +
        `${connectionCount(comparison.broken)} would be cut off (${connectionCount(comparison.broken.filter((g) => g.verdict === 'documented'))} documented) — see the header`;
  return (
    `${output}: ${target}, ${rules} rules on ${governed.size} endpoints for ${c.documented} documented connections; ` +
    `${c.unexpectedAdmitted} of ${c.unexpected} unexpected admitted; ${ruleSet.unobserved.length} unobserved flows ${ruleSet.options.keepUnobserved ? 'kept where possible' : 'dropped'}${current}\n`
  );
}

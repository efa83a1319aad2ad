/**
 * `--fail-on KINDS`: which results make the exit code 1. Connection verdicts (unexpected, denied,
 * unanswered) count connections; flow statuses (unobserved, not_covered) count flows; `new` counts
 * findings a baseline did not have; `none` never fails.
 */
import { ConfigError } from '../errors.js';
import type { Report } from './model.js';

export type FailKind = 'unexpected' | 'denied' | 'unanswered' | 'unobserved' | 'not_covered' | 'new';

const COUNTERS: Record<FailKind, (report: Report) => number> = {
  unexpected: (r) => r.summary.unexpected,
  denied: (r) => r.summary.denied,
  unanswered: (r) => r.summary.unanswered,
  unobserved: (r) => r.summary.flows.unobserved,
  not_covered: (r) => r.summary.flows.not_covered,
  new: (r) => r.findings.filter((f) => f.change === 'new').length,
};

const FAIL_KINDS = Object.keys(COUNTERS) as FailKind[];
export const DEFAULT_FAIL_ON = 'unexpected,denied,unanswered';

/** `unexpected,denied` → the kinds; `none` → []. */
export function parseFailOn(text: string): FailKind[] {
  const parts = text.split(',').map((p) => p.trim().toLowerCase().replaceAll('-', '_')).filter((p) => p !== '');
  if (parts.length === 1 && parts[0] === 'none') return [];
  const unknown = parts.filter((p) => !(FAIL_KINDS as string[]).includes(p));
  if (unknown.length > 0 || parts.length === 0) {
    throw new ConfigError(
      `--fail-on ${JSON.stringify(text)}: ${unknown.length > 0 ? `unknown kind ${unknown.join(', ')}` : 'no kind given'}`,
      `use a comma-separated list of ${FAIL_KINDS.join(', ')}, or none`,
    );
  }
  return parts as FailKind[];
}

/** `new` needs a baseline to compare with; `audit` asks before ingesting, `report` before failing. */
export function checkBaselineFor(kinds: readonly FailKind[], hasBaseline: boolean): void {
  if (kinds.includes('new') && !hasBaseline) {
    throw new ConfigError('--fail-on new compares with a previous run', 'add --baseline PREVIOUS (a DuckDB file or JSON report)');
  }
}

/** The kinds that were found, with how many; empty when the run passes. */
export function failures(report: Report, kinds: readonly FailKind[]): { kind: FailKind; count: number }[] {
  checkBaselineFor(kinds, report.baseline !== undefined);
  return kinds.map((kind) => ({ kind, count: COUNTERS[kind](report) })).filter((f) => f.count > 0);
}

/**
 * Policy traces in the one form stored in connections.details (`policies` of each reporter's view):
 * `{"enforced": [hit, ...]}`, plus `pending`, `all` and `transit` when the source has them and they
 * differ from `enforced` (without staged policies Calico writes the same list three times).
 *
 * Calico flows.log writes each hit as `<index>|<tier>|<name>|<action>|<rule>`; older versions
 * leave out the rule (`<index>|<tier>|<name>|<action>`), and the oldest the index too. A hit that
 * fits none of these keeps its text as the name.
 */
import { isObject } from './json-text.js';

export interface PolicyHit {
  /** Order in which the policies were hit, from 0. */
  index: number | null;
  tier: string | null;
  name: string;
  action: string | null;
  /** Rule index within the policy; -1: no rule matched (the tier's default action); -2: not recorded. */
  rule: number | null;
  [more: string]: unknown;
}

export type PolicyTrace = Record<string, PolicyHit[]>;

const CALICO_LISTS = ['enforced', 'pending', 'all', 'transit'] as const;

/** One of Calico's policy strings as a hit. */
export function calicoPolicyHit(text: string): PolicyHit {
  const p = text.split('|');
  const int = (s: string | undefined): number | null => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : null);
  switch (p.length) {
    case 5:
      return { index: int(p[0]), tier: p[1]!, name: p[2]!, action: p[3]!, rule: int(p[4]) };
    case 4:
      return { index: int(p[0]), tier: p[1]!, name: p[2]!, action: p[3]!, rule: null };
    case 3:
      return { index: null, tier: p[0]!, name: p[1]!, action: p[2]!, rule: null };
    default:
      return { index: null, tier: null, name: text, action: null, rule: null };
  }
}

/**
 * A stored policy trace from a staged value: Calico's `{"enforced_policies": ["0|tier|name|allow|0"], ...}`
 * or a trace already in the stored form. Null when the value is neither.
 */
export function policyTrace(v: unknown): PolicyTrace | null {
  if (!isObject(v)) return null;
  const lists: Partial<Record<(typeof CALICO_LISTS)[number], PolicyHit[]>> = {};
  for (const name of CALICO_LISTS) {
    const calico = v[`${name}_policies`];
    const stored = v[name];
    if (Array.isArray(calico)) lists[name] = calico.filter((s): s is string => typeof s === 'string').map(calicoPolicyHit);
    else if (Array.isArray(stored)) lists[name] = stored.filter(isObject) as PolicyHit[];
  }
  if (Object.keys(lists).length === 0) return null;
  return compactTrace(lists);
}

/** Sorted by index; lists equal to `enforced` (or empty) left out. */
function compactTrace(lists: Partial<Record<string, PolicyHit[]>>): PolicyTrace {
  const sorted = (hits: PolicyHit[]): PolicyHit[] => [...hits].sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
  const enforced = sorted(lists.enforced ?? []);
  const trace: PolicyTrace = { enforced };
  const same = JSON.stringify(enforced);
  for (const [name, hits] of Object.entries(lists)) {
    if (name === 'enforced' || hits === undefined || hits.length === 0) continue;
    const s = sorted(hits);
    if (JSON.stringify(s) !== same) trace[name] = s;
  }
  return trace;
}

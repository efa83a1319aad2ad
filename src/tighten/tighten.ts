/**
 * tighten from end to end: classified results → rule set → the chosen target's text, with the
 * --current comparison in its header. The CLI only parses options and writes the result.
 */
import type { Store } from '../store/store.js';
import { buildRuleSet } from './build.js';
import type { BuildOptions } from './build.js';
import { compareWithCurrent, formatComparison, loadCurrentPolicy } from './current.js';
import type { Comparison } from './current.js';
import { loadTightenInput } from './load.js';
import type { RuleSet } from './model.js';
import { awsSgTarget } from './targets/aws-sg.js';
import type { AwsFormat } from './targets/aws-sg.js';
import { calicoTarget } from './targets/calico.js';
import { networkPolicyTarget } from './targets/networkpolicy.js';
import { nftablesTarget } from './targets/nftables.js';

export const TARGETS = ['networkpolicy', 'calico', 'aws-sg', 'nftables'] as const;
export type Target = (typeof TARGETS)[number];

export interface RenderOptions {
  staged: boolean;
  awsFormat: AwsFormat;
  sg: Record<string, string>;
  comparison: string[];
}

const RENDERERS: Record<Target, (ruleSet: RuleSet, options: RenderOptions) => string> = {
  networkpolicy: (r, o) => networkPolicyTarget(r, { comparison: o.comparison }),
  calico: (r, o) => calicoTarget(r, { comparison: o.comparison, staged: o.staged }),
  'aws-sg': (r, o) => awsSgTarget(r, { comparison: o.comparison, format: o.awsFormat, sg: o.sg }),
  nftables: (r, o) => nftablesTarget(r, { comparison: o.comparison }),
};

export function render(ruleSet: RuleSet, target: Target, options: RenderOptions): string {
  return RENDERERS[target](ruleSet, options);
}

export interface TightenOptions extends BuildOptions, Omit<RenderOptions, 'comparison'> {
  target: Target;
  /** A NetworkPolicy file to compare with. */
  current: string | null;
}

export interface TightenResult {
  text: string;
  ruleSet: RuleSet;
  comparison: Comparison | null;
}

export async function tighten(store: Store, db: string, options: TightenOptions): Promise<TightenResult> {
  // Read the policy first: a bad --current file is reported before any work is done.
  const current = options.current === null ? null : await loadCurrentPolicy(options.current);
  const input = await loadTightenInput(store, db);
  const ruleSet = buildRuleSet(input, options);
  const comparison = current === null ? null : compareWithCurrent(current, ruleSet, input.groups);
  const text = render(ruleSet, options.target, { ...options, comparison: comparison === null ? [] : formatComparison(comparison) });
  return { text, ruleSet, comparison };
}

/**
 * The header every generated file starts with, as plain lines (each target adds its own comment
 * syntax): where the rules come from, what they admit and what they do not, how merging was
 * bounded, every endpoint and whether it is governed, and the documented flows never observed —
 * kept or dropped, said either way.
 */
import { formatPorts, governedNames, protoName, provenanceText } from './model.js';
import type { EndpointScope, RuleSet, TightRule } from './model.js';
import type { K8sSelector } from '../rules/types.js';

export function selectorText(s: K8sSelector): string {
  const terms = [
    ...Object.entries(s.labels).map(([k, v]) => `${k}=${v}`),
    ...s.expressions.map((e) => `${e.key} ${e.operator}${e.values.length > 0 ? ` (${e.values.join(', ')})` : ''}`),
  ];
  return `${s.namespace === null ? 'any namespace' : `namespace ${s.namespace}`}${terms.length > 0 ? `, ${terms.join(', ')}` : ', every pod'}`;
}

function scopeLine(scope: EndpointScope): string {
  const name = scope.name ?? '(addresses no endpoint names)';
  if (!scope.governed) return `${name}: not governed — ${scope.reason}`;
  const pods = scope.selectors.length > 0 ? `; pods: ${scope.selectors.map(selectorText).join(' | ')} (${scope.selectorSource})` : '; no pod identity known';
  return `${name}: governed${pods}`;
}

const plural = (n: number, noun: string): string => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

/** One line describing a rule for a comment: id, peer, protocol and ports, provenance. */
export function ruleSummary(rule: TightRule): string {
  const peer = rule.peers.any ? 'any address' : `${rule.peerEndpoint ?? 'unnamed addresses'}`;
  const warn = rule.unexpectedAdmitted > 0 ? `; ALSO ADMITS ${plural(rule.unexpectedAdmitted, 'unexpected connection')} (same peer, port and endpoint were documented too)` : '';
  const origin = rule.kept ? 'kept, never observed: ' : '';
  return `${rule.id}: ${rule.direction === 'ingress' ? 'from' : 'to'} ${peer}, ${protoName(rule.proto)} ${formatPorts(rule.ports)} — ${origin}${provenanceText(rule)}${warn}`;
}

export function headerLines(ruleSet: RuleSet, target: string, targetNotes: readonly string[], comparison: readonly string[]): string[] {
  const c = ruleSet.counts;
  const governed = governedNames(ruleSet);
  const rendered = ruleSet.rules.filter((r) => governed.has(r.endpoint));
  const lines = [
    `flowaudit tighten --target ${target}`,
    `From classify run #${ruleSet.run.id} (${ruleSet.run.finishedAt} UTC) in ${ruleSet.db}; inventory ${ruleSet.run.inventory}; packs ${ruleSet.run.packs.join(', ')}.`,
    `${plural(rendered.length, 'allow rule')} on ${plural(governed.size, 'governed endpoint')} for the ${plural(c.documented, 'documented connection')} observed; every other connection touching a governed endpoint is denied.`,
    c.unexpectedAdmitted === 0
      ? `Unexpected connections: ${c.unexpected.toLocaleString('en-US')}, none admitted by any rule.`
      : `Unexpected connections: ${c.unexpected.toLocaleString('en-US')}; ${plural(c.unexpectedAdmitted, 'connection')} of them admitted anyway: the same peer, port and endpoint were also documented (see ALSO ADMITS below).`,
  ];
  if (c.unexpectedUngoverned > 0) {
    const verb = c.unexpectedUngoverned === 1 ? 'touches' : 'touch';
    lines.push(`  ${plural(c.unexpectedUngoverned, 'unexpected connection')} ${verb} no governed endpoint: rules attached to endpoints cannot deny them (a firewall between the zones can: nftables forward chain).`);
  }
  if (c.denied + c.unanswered > 0) {
    lines.push(`Denied (${c.denied}) and unanswered (${c.unanswered}) connections matched documented flows but never worked: no rule was made for them.`);
  }
  if (c.documentedWithoutAddress > 0) {
    lines.push(`${plural(c.documentedWithoutAddress, 'documented connection')} came from aggregated flow logs without addresses: only pod selectors can express them.`);
  }
  if (c.unclassified > 0) lines.push(`${plural(c.unclassified, 'connection')} ingested after the classify run ${c.unclassified === 1 ? 'is' : 'are'} not considered: run classify again.`);
  lines.push(
    `Merging (--min-fill ${ruleSet.options.minFill}): addresses into CIDRs and ports into ranges, each merged block at least ${ruleSet.options.minFill}% observed, addresses never beyond the peer endpoint's documented addresses,`,
    '  and never over an address (or, for ports, a port) an unexpected connection used at the same endpoint.',
    'Endpoints (ingress rules sit on the server\'s endpoint, egress rules on the client\'s):',
    ...ruleSet.endpoints.map((e) => `  ${scopeLine(e)}`),
  );
  const unobserved = ruleSet.unobserved;
  if (unobserved.length === 0) {
    lines.push('Documented flows never observed: none.');
  } else if (ruleSet.options.keepUnobserved) {
    lines.push(`Documented flows never observed: ${plural(unobserved.length, 'flow')}, KEPT (--keep-unobserved) as rules from their documented endpoints and ports where they can be:`);
    lines.push(...unobserved.map((f) => `  ${f.kept ? 'kept   ' : 'dropped'} ${f.flow} (${f.status}): ${f.title}${f.note ? ` — ${f.note}` : ''}`));
  } else {
    lines.push(`Documented flows never observed: ${plural(unobserved.length, 'flow')}, DROPPED: no rule allows them (pass --keep-unobserved to keep them):`);
    lines.push(...unobserved.map((f) => `  ${f.flow} (${f.status}): ${f.title}`));
  }
  if (targetNotes.length > 0) lines.push(...targetNotes);
  if (comparison.length > 0) lines.push('', ...comparison);
  return lines;
}

/** Lines as `#` comments (YAML, HCL, nft). */
export function hashComments(lines: readonly string[]): string {
  return lines.map((l) => (l === '' ? '#' : `# ${l}`)).join('\n') + '\n';
}

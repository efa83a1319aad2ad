/**
 * Kubernetes labels as the flow sources write them, into the `key → value` map stored in
 * connections.*_labels: "k=v" lists (Calico's `{"labels": [...]}`, Goldmane, Whisker) and Cilium's
 * "source:k=v" identity labels, where the `k8s:` source is dropped and others are kept.
 */
import { isObject } from './json-text.js';

export type LabelMap = Record<string, string>;

/** "k=v" strings into a map; a label without '=' has the empty value; the first of repeated keys wins. */
export function labelMap(entries: readonly unknown[]): LabelMap {
  const out: LabelMap = {};
  for (const e of entries) {
    if (typeof e !== 'string' || e === '') continue;
    const eq = e.indexOf('=');
    const key = eq < 0 ? e : e.slice(0, eq);
    if (!(key in out)) out[key] = eq < 0 ? '' : e.slice(eq + 1);
  }
  return out;
}

/**
 * Cilium labels ("k8s:app=web", "reserved:world", "cidr:10.0.0.0/8"): Kubernetes labels without
 * their `k8s:` prefix, every other label under its full name.
 */
export function ciliumLabelMap(entries: readonly unknown[]): LabelMap {
  return labelMap(entries.map((e) => (typeof e === 'string' && e.startsWith('k8s:') ? e.slice(4) : e)));
}

/** A staged label set: Calico's `{"labels": ["k=v", ...]}` or a plain list; null for anything else. */
export function stagedLabelMap(v: unknown): LabelMap | null {
  const list = Array.isArray(v) ? v : isObject(v) && Array.isArray(v.labels) ? v.labels : null;
  return list === null ? null : labelMap(list);
}

/**
 * Multi-document YAML with comments, for the Kubernetes targets: the header as `#` lines on top,
 * then each document with comments placed before the nodes they explain (a rule's provenance
 * above the rule).
 */
import { Document, Scalar, isScalar, visit } from 'yaml';
import { hashComments } from './header.js';

export interface YamlComment {
  path: readonly (string | number)[];
  text: string;
}

export interface YamlDocument {
  value: unknown;
  comments: YamlComment[];
}

export function renderYaml(header: readonly string[], docs: readonly YamlDocument[]): string {
  const parts = docs.map((d) => {
    const doc = new Document(d.value);
    // Port ranges like 16380:16381 are strings: quoted, so no YAML 1.1 reader takes them for base-60 numbers.
    visit(doc, {
      Scalar(_key, node) {
        if (isScalar(node) && typeof node.value === 'string' && /^[\d:]+$/.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
      },
    });
    for (const c of d.comments) {
      const node = doc.getIn(c.path, true) as { commentBefore?: string | null } | undefined;
      if (node && typeof node === 'object') node.commentBefore = c.text.split('\n').map((l) => ` ${l}`).join('\n');
    }
    return doc.toString({ lineWidth: 0 });
  });
  // An empty stream is still a valid file: the header explains why nothing was generated.
  return hashComments(header) + (parts.length === 0 ? '' : `---\n${parts.join('---\n')}`);
}

/** How a rule's citation reads: `Table 2, row 3` or `Install, step 4, Gateway`. */
import type { Citation } from './types.js';

export function citationText(citation: Citation): string {
  const parts = [citation.section];
  if (citation.step !== null) parts.push(`step ${citation.step}`);
  if (citation.row !== null) parts.push(`row ${citation.row}`);
  if (citation.item !== null) parts.push(citation.item);
  return parts.join(', ');
}

import type { EndpointRef } from './types.js';

/** How a rule endpoint reference is written in the pack. */
export function endpointRefText(ref: EndpointRef): string {
  switch (ref.kind) {
    case 'any':
      return 'any';
    case 'cidr':
      return ref.cidr.text;
    case 'host':
      return ref.host;
    case 'name':
      return ref.name;
  }
}

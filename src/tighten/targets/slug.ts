/**
 * Endpoint and rule names as the targets' own identifiers allow them: Terraform names, nft set
 * names, Kubernetes object names.
 */

/** Lower-case letters and digits, every run of anything else one `separator`, none at either end. */
export function slug(name: string, separator: '_' | '-'): string {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((part) => part !== '')
    .join(separator);
}

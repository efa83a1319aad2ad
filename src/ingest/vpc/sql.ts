/** Quoting for the SQL this ingester writes: file paths and field names come from users and files. */

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Temporary tables of one ingest; dropped when it ends, whatever happened. */
export const TEMP_TABLES = [
  'vpc_lines', 'vpc_rows', 'vpc_classified', 'vpc_observed', 'vpc_addr', 'vpc_pairs', 'vpc_rejected', 'vpc_reject_errors', 'vpc_reject_scans',
] as const;

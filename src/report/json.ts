/**
 * `--format json`: the report as it is (schema flowaudit/report@1, schemas/report.schema.json),
 * two-space indented with a final newline so it diffs well in a ticket or a repository.
 */
import type { RenderOptions, Report } from './model.js';

export function renderJson(report: Report, _options: RenderOptions): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

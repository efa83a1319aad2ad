/** The report formats and their renderers: one file each, all pure `(report, options) => string`. */
import type { RenderOptions, Report } from './model.js';
import { renderTable } from './table.js';
import { renderJson } from './json.js';
import { renderCsv } from './csv.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html/index.js';

export type ReportFormat = 'table' | 'json' | 'csv' | 'markdown' | 'html';
export type Renderer = (report: Report, options: RenderOptions) => string;

export const RENDERERS: Record<ReportFormat, Renderer> = {
  table: renderTable,
  json: renderJson,
  csv: renderCsv,
  markdown: renderMarkdown,
  html: renderHtml,
};

export const REPORT_FORMATS = Object.keys(RENDERERS) as ReportFormat[];

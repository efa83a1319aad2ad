/**
 * Escaping for the HTML report. Every string that comes from the data (paths, names, ids, reasons,
 * citations) goes through `escapeHtml`, directly or through the `html` template tag, which escapes
 * every interpolated value unless it is already `SafeHtml`. The same escaping is right for text and
 * for double-quoted attribute values, in HTML and in inline SVG.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** C0 controls other than tab, line feed and carriage return, and DEL: parse errors in HTML, shown as U+FFFD. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** Text or attribute-value escaping: & < > " ' become entities, stray control characters U+FFFD. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!).replace(CONTROLS, '\uFFFD');
}

/** Markup that is already safe: built by `html` or by `raw` from constant text. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template may interpolate: strings and numbers are escaped, nullish and false vanish. */
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

/** Markup the renderer itself writes (never data). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (typeof value === 'number') return escapeHtml(String(value));
  if (typeof value === 'string') return escapeHtml(value);
  let out = '';
  for (const item of value) out += render(item);
  return out;
}

/** Template tag: the literal parts are trusted markup, every interpolated value is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Joins parts with a separator, escaping the parts that are not SafeHtml. */
export function join(parts: readonly HtmlValue[], separator: HtmlValue): SafeHtml {
  const sep = render(separator);
  return new SafeHtml(parts.map(render).join(sep));
}

/**
 * A link target for a document URL: only absolute http and https URLs, normalised by the URL
 * parser (so spaces and quotes are percent-encoded); anything else (javascript:, data:, relative) is null.
 */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.username || parsed.password) return null;
  return parsed.href;
}

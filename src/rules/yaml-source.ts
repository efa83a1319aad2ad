/**
 * YAML files with positions: every later check reports file:line:column through `locate`, so a
 * value's path in the parsed document is all a check needs to keep.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isNode, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document } from 'yaml';
import type { Diagnostic, SourceLocation } from './types.js';
import { ConfigError } from '../errors.js';

export type YamlPath = readonly (string | number)[];

/** One YAML document of a file, its plain value, and the way back from a path to a position. */
export interface YamlDoc {
  file: string;
  /** 0-based index of the document in a multi-document file. */
  index: number;
  value: unknown;
  locate(path: YamlPath, at?: 'key' | 'value'): SourceLocation;
}

export interface YamlFile {
  file: string;
  docs: YamlDoc[];
  /** Syntax errors; when there are any, `docs` holds only the documents that parsed cleanly. */
  diagnostics: Diagnostic[];
}

export async function readYamlFile(file: string): Promise<YamlFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`cannot read the file: ${code === 'ENOENT' ? 'no such file' : code}`, 'check the path (inventories, rule packs and policies are YAML files)', file);
  }
  return parseYaml(file, text);
}

export function parseYaml(file: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (documents.length === 0) {
    diagnostics.push({ ...at(0), message: 'the file holds no YAML document', hint: 'add a rule pack, inventory or NetworkPolicy, or remove the file' });
  }
  const docs: YamlDoc[] = [];
  documents.forEach((doc, index) => {
    const errors = [...doc.errors];
    for (const error of errors) {
      diagnostics.push({ ...at(error.pos[0]), message: `YAML syntax: ${firstLine(error.message)}`, hint: yamlHint(error.code) });
    }
    if (errors.length > 0 || doc.contents === null) return;
    docs.push({ file, index, value: doc.toJS({ maxAliasCount: 100 }) as unknown, locate: (path, where = 'value') => locateIn(doc, path, where, at) });
  });
  return { file, docs, diagnostics };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'keep one of the two keys; a later key would silently replace the earlier one';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    default:
      return 'fix the YAML syntax at this position';
  }
}

/** The position of the node at `path`, or of its closest existing ancestor. */
function locateIn(doc: Document, path: YamlPath, where: 'key' | 'value', at: (offset: number) => SourceLocation): SourceLocation {
  let node: unknown = doc.contents;
  let best = rangeStart(node) ?? 0;
  for (const [depth, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      if (keyStart !== null) best = keyStart;
      if (where === 'key' && depth === path.length - 1) return at(best);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      break;
    }
    const start = rangeStart(node);
    if (start !== null) best = start;
  }
  return at(best);
}

function rangeStart(node: unknown): number | null {
  if (isNode(node) && node.range) return node.range[0];
  return null;
}

/** A diagnostic at `path` of `doc`. */
export function diagnosticAt(doc: YamlDoc, path: YamlPath, message: string, hint: string, where: 'key' | 'value' = 'value'): Diagnostic {
  return { ...doc.locate(path, where), message, hint };
}

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}

/** A value's path as readers write it: `rules[3].ports[0]`. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  return out === '' ? 'the document' : out;
}

// Reading one YAML config file: its data, or every syntax error with line and column (file:line:col, the form
// editors jump to); and where a dotted path sits in the text, so problems can be listed in file order.
import { readFile } from 'node:fs/promises';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { Problem } from '../errors.ts';
import type { ConfigPath } from './dotted-path.ts';

export type YamlRead = { ok: true; data: unknown; doc: Document } | { ok: false; problems: Problem[] };

/** Reads and parses; a missing or unreadable file is thrown as the fs error (callers word that themselves). */
export async function readYamlFile(file: string): Promise<YamlRead> {
  return parseYaml(file, await readFile(file, 'utf8'));
}

export function parseYaml(file: string, text: string): YamlRead {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length === 0) return { ok: true, data: doc.toJS({ maxAliasCount: 1000 }), doc };
  const problems = doc.errors.map((err) => {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { file: `${file}:${line}:${col}`, path: '', message: `YAML syntax error: ${message}` };
  });
  return { ok: false, problems };
}

/** Offset in the text of the deepest node along `path` that exists (0 when none does). */
export function offsetOf(doc: Document, path: ConfigPath): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

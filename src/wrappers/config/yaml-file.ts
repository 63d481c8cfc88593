// Reading one YAML config file: its data, or every syntax error with line and column (file:line:col, the form
// editors jump to); and where a dotted path sits in the text, so problems can be listed in file order. Only a
// regular file of config size is read, and with `within` only one that really lies in that folder: a symlink
// from the config folder to /etc/shadow is refused before a byte of it is read.
import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { Problem } from '../errors.ts';
import type { ConfigPath } from './dotted-path.ts';

export type YamlRead = { ok: true; data: unknown; doc: Document } | { ok: false; problems: Problem[] };

/** Config files are a few KiB; anything this big is not one (and is not read into memory). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads and parses; a missing or unreadable file is thrown as the fs error (callers word that themselves). */
export async function readYamlFile(file: string, opts: { within?: string } = {}): Promise<YamlRead> {
  const real = await realpath(file);
  const refused = await refusal(real, opts.within);
  if (refused) return { ok: false, problems: [{ file, path: '', message: refused }] };
  // the resolved path, not followed again (a symlink swapped in after the check is refused by O_NOFOLLOW), and
  // O_NONBLOCK so a FIFO swapped in does not hang the open
  const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES)
      return { ok: false, problems: [{ file, path: '', message: 'changed while being read: not read' }] };
    return parseYaml(file, await fh.readFile('utf8'));
  } finally {
    await fh.close();
  }
}

async function refusal(real: string, within: string | undefined): Promise<string | undefined> {
  if (within !== undefined) {
    const root = await realpath(within);
    if (real !== root && !real.startsWith(root + sep))
      return `leads to ${real}, outside the config folder ${root}: refused (config files must be in that folder)`;
  }
  const st = await stat(real);
  if (!st.isFile()) return 'not a regular file: refused';
  if (st.size > MAX_CONFIG_BYTES)
    return `larger than ${MAX_CONFIG_BYTES / 1024} KiB: not a config file, refused`;
  return undefined;
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

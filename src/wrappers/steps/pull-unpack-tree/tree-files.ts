// File helpers the lorax tree steps share: digests in the release's algorithm, a tree walk that keeps symlinks as
// symlinks, and the state file that says which tarball a tree came from and which boot files were placed where.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../../compose/atomic.ts';

/** Hex digest of a file in any algorithm node's crypto knows (the release's `checksum`). */
export async function digestFile(path: string, algorithm: string): Promise<string> {
  const h = createHash(algorithm);
  for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

export async function digestFiles(
  root: string,
  rels: readonly string[],
  algorithm: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of rels) out.set(rel, await digestFile(join(root, ...rel.split('/')), algorithm));
  return out;
}

export interface TreeEntry {
  /** `/`-separated, relative to the walked root. */
  rel: string;
  kind: 'file' | 'symlink';
}

/** Every file and symlink under `root` (folders are implied), sorted by path. */
export async function walkTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (e.isDirectory()) continue;
    const rel = relative(root, join(e.parentPath, e.name)).split(sep).join('/');
    out.push({ rel, kind: e.isSymbolicLink() ? 'symlink' : 'file' });
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** What pull-unpack-tree left for one arch; build-iso-extra reads it to know which tree it masters from. */
export interface LoraxState {
  /** The store object the tree was unpacked from. */
  tarball: { key: string; sha256: string; size: number };
  /** os/ tree -> the boot files placed in it (relative paths), so a newer tree can remove what it no longer has. */
  placed: Record<string, string[]>;
}

export async function readLoraxState(file: string): Promise<LoraxState | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LoraxState;
  } catch {
    return undefined;
  }
}

export async function writeLoraxState(file: string, state: LoraxState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}

// The tree walk every tree reader shares (packing lorax's tree, placing boot files, grafting discs): every file and
// symlink under a root, folders implied, symlinks kept as symlinks (never followed), sorted by path.
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface TreeEntry {
  /** `/`-separated, relative to the walked root. */
  rel: string;
  kind: 'file' | 'symlink';
}

export async function walkTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (e.isDirectory()) continue;
    const rel = relative(root, join(e.parentPath, e.name)).split(sep).join('/');
    out.push({ rel, kind: e.isSymbolicLink() ? 'symlink' : 'file' });
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

// The state file pull-unpack-tree keeps per arch (work/lorax/<arch>/state.json): which store tarball the unpacked
// tree came from and which boot files were placed in which os/ tree. build-iso-extra reads it to know (and hash
// into its unit ids) the tree it masters from.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../compose/atomic.ts';

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

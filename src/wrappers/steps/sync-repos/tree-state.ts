// What sync-repos knows it verified: for each package file in a tree, the size, mtime and checksum it had when it
// landed. A file whose size and mtime still match is trusted without rehashing, which keeps a no-change re-sync
// cheap; anything else is hashed again. Also the content index that hardlinks identical files across trees.
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../../compose/atomic.ts';
import { digestFile } from '../../metadata/digest.ts';
import { hashName } from '../../net/download.ts';

export interface FileState {
  size: number;
  mtimeMs: number;
  checksum: string;
}

export class TreeState {
  private constructor(
    private readonly file: string,
    readonly files: Map<string, FileState>,
  ) {}

  static async load(file: string): Promise<TreeState> {
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as Record<string, FileState>;
      return new TreeState(file, new Map(Object.entries(data)));
    } catch {
      return new TreeState(file, new Map());
    }
  }

  async save(): Promise<void> {
    const sorted = Object.fromEntries([...this.files].sort(([a], [b]) => (a < b ? -1 : 1)));
    await writeFileAtomic(this.file, JSON.stringify(sorted));
  }

  /** Does the file at `abs` (recorded under `rel`) hold content with this checksum? Hashes only when unsure. */
  async verify(
    rel: string,
    abs: string,
    checksum: { type: string; value: string },
    size: number,
  ): Promise<boolean> {
    const st = await stat(abs).catch(() => undefined);
    if (!st?.isFile() || st.size !== size) return false;
    const known = this.files.get(rel);
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs)
      return known.checksum === checksum.value;
    const actual = await hashFile(abs, checksum.type);
    if (actual !== checksum.value) return false;
    this.files.set(rel, { size: st.size, mtimeMs: st.mtimeMs, checksum: actual });
    return true;
  }

  async record(rel: string, abs: string, checksum: string): Promise<void> {
    const st = await stat(abs);
    this.files.set(rel, { size: st.size, mtimeMs: st.mtimeMs, checksum });
  }
}

/** A file's digest by a repodata checksum type ("sha256", "sha", ...). */
export function hashFile(path: string, type: string): Promise<string> {
  return digestFile(path, hashName(type));
}

/** checksum -> a landed file with that content, so the same RPM in another tree becomes a hardlink. */
export class ContentIndex {
  private readonly byChecksum = new Map<string, string>();
  add(checksum: string, abs: string): void {
    if (!this.byChecksum.has(checksum)) this.byChecksum.set(checksum, abs);
  }
  get(checksum: string): string | undefined {
    return this.byChecksum.get(checksum);
  }
}

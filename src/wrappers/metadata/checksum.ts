// Checksums of a media folder: hash its files on the worker pool (a symlink is recorded under its own name with
// its target's size and digest, as empanadas does for the generic and latest ISO links), then write a
// `<file>.CHECKSUM` per file and the folder's `CHECKSUM`, each atomically and only when its text changed.
import { lstat, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKSUM_FILE, CHECKSUM_SUFFIX } from '../compose/paths.ts';
import { writeFileAtomic } from '../compose/atomic.ts';
import type { ChecksumAlgorithm } from '../config/release-schema.ts';
import { WorkError } from '../errors.ts';
import { assertPlainName, type ChecksumRecord, formatChecksumFile } from './checksum-format.ts';
import type { Hasher } from './hash-pool.ts';

export * from './checksum-format.ts';
export { createHasher, type FileDigest, type Hasher, hashFiles } from './hash-pool.ts';

export interface HashedFile {
  name: string;
  size: number;
  /** Of the file itself, or of the link's target. */
  mtimeMs: number;
  /** The link text, when `name` is a symlink. */
  link?: string;
  /** node:crypto algorithm -> hex */
  digests: Record<string, string>;
}

/**
 * Hashes the named files of `dir` with every algorithm in one pass each. Links to the same target cost one
 * hash; a link whose target is missing is an error (a mirror would publish a dangling name).
 */
export async function hashFolderFiles(
  dir: string,
  names: readonly string[],
  algorithms: readonly string[],
  hasher: Hasher,
): Promise<HashedFile[]> {
  const byTarget = new Map<string, Promise<Record<string, string>>>();
  return Promise.all(
    names.map(async (name) => {
      assertPlainName(name);
      const path = join(dir, name);
      const l = await lstat(path);
      let link: string | undefined;
      let target = path;
      if (l.isSymbolicLink()) {
        link = await readlink(path);
        target = await realpath(path).catch(() => {
          throw new WorkError(`${path} is a link to ${link}, which does not exist`);
        });
      }
      const st = l.isSymbolicLink() ? await stat(target) : l;
      if (!st.isFile()) throw new WorkError(`${path} is not a regular file (or a link to one)`);
      let digests = byTarget.get(target);
      if (!digests) {
        digests = hasher.hash(target, algorithms).then((d) => {
          // a file that changed while we read it would get a CHECKSUM that matches nothing
          if (d.size !== st.size) throw new WorkError(`${target} changed size while it was being hashed`);
          return d.digests;
        });
        byTarget.set(target, digests);
      }
      const out: HashedFile = { name, size: st.size, mtimeMs: st.mtimeMs, digests: await digests };
      if (link !== undefined) out.link = link;
      return out;
    }),
  );
}

export function checksumRecords(
  files: readonly HashedFile[],
  algorithm: ChecksumAlgorithm,
): ChecksumRecord[] {
  return files.map((f) => {
    const hex = f.digests[algorithm];
    if (!hex) throw new Error(`${f.name}: no ${algorithm} digest was computed`);
    return { file: f.name, size: f.size, algorithm, hex };
  });
}

export interface WrittenChecksum {
  path: string;
  /** false when the file already held exactly this text (it was left alone, and so was its signature). */
  changed: boolean;
}

/**
 * Writes `<file>.CHECKSUM` for every record and `CHECKSUM` for all of them. A file whose text is unchanged is not
 * rewritten, so mirrors see no new mtime and a signature made earlier stays valid.
 */
export async function writeChecksumFiles(
  dir: string,
  records: readonly ChecksumRecord[],
): Promise<WrittenChecksum[]> {
  const out: WrittenChecksum[] = [];
  const put = async (path: string, text: string) => {
    const old = await readFile(path, 'utf8').catch(() => undefined);
    if (old !== text) await writeFileAtomic(path, text);
    out.push({ path, changed: old !== text });
  };
  for (const r of records) await put(join(dir, `${r.file}${CHECKSUM_SUFFIX}`), formatChecksumFile([r]));
  await put(join(dir, CHECKSUM_FILE), formatChecksumFile(records));
  return out;
}

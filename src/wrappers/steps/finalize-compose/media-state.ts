// work/finalize/<kind>-<arch>.json: what the media unit learnt about a published folder (each file's size, mtime,
// digests and ISO facts). The metadata unit builds images.json from it without reading an image again, and the
// next media run takes digests of unchanged files from it instead of hashing them again.
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../../compose/atomic.ts';
import type { ComposePaths, MediaKind } from '../../compose/paths.ts';
import type { FileDigest, Hasher } from '../../metadata/checksum.ts';

export interface MediaFileState {
  name: string;
  size: number;
  mtimeMs: number;
  link?: string;
  digests: Record<string, string>;
  iso?: { volumeId: string | null; bootable: boolean; implantMd5: string | null };
}

export interface MediaState {
  kind: MediaKind;
  arch: string;
  files: MediaFileState[];
  /** Digests by absolute path of the hashed (link-resolved) file, with the size and mtime they were taken at. */
  hashed: Record<string, { size: number; mtimeMs: number; digests: Record<string, string> }>;
}

export async function readMediaState(
  paths: ComposePaths,
  kind: MediaKind,
  arch: string,
): Promise<MediaState | undefined> {
  try {
    return JSON.parse(await readFile(paths.mediaState(kind, arch), 'utf8')) as MediaState;
  } catch {
    return undefined;
  }
}

export async function writeMediaState(paths: ComposePaths, state: MediaState): Promise<string> {
  const p = paths.mediaState(state.kind, state.arch);
  await writeFileAtomic(p, `${JSON.stringify(state, null, 2)}\n`);
  return p;
}

/**
 * A hasher that answers from earlier digests when the file has the same size and mtime (make's rule: a rebuilt
 * image always gets a new mtime), and records what it computes, for the next run.
 */
export function cachingHasher(
  base: Hasher,
  previous: MediaState['hashed'] | undefined,
): { hasher: Hasher; hashed: MediaState['hashed'] } {
  const hashed: MediaState['hashed'] = {};
  const hasher: Hasher = {
    async hash(path, algorithms): Promise<FileDigest> {
      const st = await stat(path);
      const old = previous?.[path];
      if (
        old &&
        old.size === st.size &&
        old.mtimeMs === st.mtimeMs &&
        algorithms.every((a) => old.digests[a] !== undefined)
      ) {
        hashed[path] = old;
        return { path, size: old.size, digests: old.digests };
      }
      const d = await base.hash(path, algorithms);
      hashed[path] = { size: d.size, mtimeMs: st.mtimeMs, digests: d.digests };
      return d;
    },
    close: () => base.close(),
  };
  return { hasher, hashed };
}

// Unpacking a tarball from the artifact store without trusting it. A first pass reads every header and refuses the
// whole archive (nothing written) on an absolute path, a ".." segment, a link that leads outside, a path through a
// symlink, a device, FIFO or other special entry, setuid bits, or an absurd size. Only then node-tar extracts it,
// with its own guards on and ownership not preserved, into a fresh folder that the caller renames into place.
import { mkdir, rm } from 'node:fs/promises';
import * as tar from 'tar';
import { fileSystemError, WorkError } from '../errors.ts';

export class UnsafeArchiveError extends WorkError {
  override readonly code = 'E_UNSAFE_ARCHIVE';
  constructor(
    readonly archive: string,
    readonly entry: string,
    readonly problem: string,
  ) {
    super(
      `${archive}: refused, entry ${JSON.stringify(entry)} ${problem}`,
      'nothing was unpacked; rebuild the artifact (build-iso) or remove it from the store',
    );
  }
}

export interface ArchiveEntry {
  /** Normalised relative path ("./" and trailing "/" removed). */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink';
  size: number;
  mode: number;
  /** Symlink target as written, or hard link target as a normalised archive path. */
  linkpath?: string;
}

export interface SafeTarOptions {
  /** Total bytes of file content accepted (a gzip bomb stops here). Default 64 GiB. */
  maxBytes?: number;
  /** Entries accepted. Default 1,000,000. */
  maxEntries?: number;
}

const TYPES: Record<string, ArchiveEntry['type']> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

/** `a/./b/` -> `a/b`; undefined when the path is absolute, empty, or climbs with "..". */
function normalise(raw: string): { path?: string; problem?: string } {
  if (raw.includes('\0')) return { problem: 'holds a NUL character' };
  if (raw.startsWith('/') || /^[A-Za-z]:[\\/]/.test(raw)) return { problem: 'is an absolute path' };
  const parts = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) return { problem: 'has a ".." segment' };
  if (parts.some((s) => s.includes('\\'))) return { problem: 'holds a backslash' };
  return { path: parts.join('/') };
}

/** Reads every header (no file is written) and returns the entries, or throws UnsafeArchiveError. */
export async function inspectArchive(file: string, opts: SafeTarOptions = {}): Promise<ArchiveEntry[]> {
  const maxBytes = opts.maxBytes ?? 64 * 2 ** 30;
  const maxEntries = opts.maxEntries ?? 1_000_000;
  const entries: ArchiveEntry[] = [];
  const kinds = new Map<string, ArchiveEntry['type']>();
  let bytes = 0;
  let refusal: UnsafeArchiveError | undefined;
  const refuse = (entry: string, problem: string) => {
    refusal ??= new UnsafeArchiveError(file, entry, problem);
  };

  await tar
    .t({
      file,
      strict: true,
      onReadEntry: (e) => {
        if (refusal) return;
        const raw = e.path;
        const type = TYPES[e.type];
        if (!type) return refuse(raw, `is a ${e.type} entry; only files, folders and links are accepted`);
        const n = normalise(raw);
        if (!n.path) return refuse(raw, n.problem ?? 'has an empty path');
        const path = n.path;
        const mode = e.mode ?? 0o644;
        if (mode & 0o6000) return refuse(raw, 'has the setuid or setgid bit');
        const entry: ArchiveEntry = { path, type, size: e.size ?? 0, mode: mode & 0o777 };
        if (type === 'symlink') {
          entry.linkpath = e.linkpath ?? '';
        } else if (type === 'hardlink') {
          const t = normalise(e.linkpath ?? '');
          if (!t.path)
            return refuse(raw, `is a hard link to ${JSON.stringify(e.linkpath)}, which ${t.problem}`);
          if (kinds.get(t.path) !== 'file')
            return refuse(
              raw,
              `is a hard link to ${JSON.stringify(e.linkpath)}, not to an earlier file of the archive`,
            );
          entry.linkpath = t.path;
        }
        if (kinds.has(path) && kinds.get(path) !== type)
          return refuse(raw, `appears twice, as a ${kinds.get(path)} and as a ${type}`);
        bytes += entry.size;
        if (bytes > maxBytes) return refuse(raw, `brings the content past ${maxBytes} bytes`);
        if (entries.length >= maxEntries) return refuse(raw, `is past the limit of ${maxEntries} entries`);
        kinds.set(path, type);
        entries.push(entry);
      },
    })
    .catch((err: Error) => {
      if (refusal) return;
      throw new UnsafeArchiveError(file, '(archive)', `cannot be read: ${err.message}`);
    });
  if (refusal) throw refusal;
  // links are judged against the whole archive: a symlink met later can change where an earlier path leads
  const symlinks = new Set(entries.filter((e) => e.type === 'symlink').map((e) => e.path));
  for (const e of entries) {
    const parents = e.path.split('/').slice(0, -1);
    for (let i = 1; i <= parents.length; i++) {
      const p = parents.slice(0, i).join('/');
      if (symlinks.has(p))
        throw new UnsafeArchiveError(file, e.path, `lies under the symlink ${JSON.stringify(p)}`);
    }
    if (e.type !== 'symlink') continue;
    const problem = symlinkProblem(e.path, e.linkpath!, symlinks);
    if (problem) throw new UnsafeArchiveError(file, e.path, problem);
  }
  return entries;
}

/**
 * A symlink may point only inside the archive root, followed segment by segment from its own folder, and may not
 * pass through another symlink of the archive: ".." after a symlink climbs from wherever that one leads, which
 * no lexical check can see. Pointing at another symlink is fine (each is checked on its own).
 */
function symlinkProblem(path: string, target: string, symlinks: ReadonlySet<string>): string | undefined {
  const what = `is a symlink to ${JSON.stringify(target)}`;
  if (target === '') return `${what}, an empty target`;
  if (target.startsWith('/')) return `${what}, an absolute path`;
  const at = path.split('/').slice(0, -1);
  const segs = target.split('/').filter((s) => s !== '' && s !== '.');
  for (const [i, seg] of segs.entries()) {
    if (seg === '..') {
      if (at.length === 0) return `${what}, which leads outside the archive`;
      at.pop();
      continue;
    }
    at.push(seg);
    if (i < segs.length - 1 && symlinks.has(at.join('/')))
      return `${what}, which leads through another symlink`;
  }
  return undefined;
}

/**
 * Checks the whole archive, then extracts it into `dest` (created; it must not exist). On any failure `dest` is
 * removed again, so the caller sees a complete tree or none.
 */
export async function extractArchiveSafely(
  file: string,
  dest: string,
  opts: SafeTarOptions = {},
): Promise<ArchiveEntry[]> {
  const entries = await inspectArchive(file, opts);
  const allowed = new Set(entries.map((e) => e.path));
  await mkdir(dest, { recursive: false });
  try {
    await tar.x({
      file,
      cwd: dest,
      strict: true,
      preservePaths: false,
      // root would otherwise get the archive's uids and gids
      preserveOwner: false,
      // the archive is a local file already checked; this is a second line in case it changed underneath
      filter: (p) => allowed.has(normalise(p).path ?? '\0'),
    });
  } catch (err) {
    // tar.x rejects at its first error while writes of other entries may still land: retry the removal
    await rm(dest, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    // a full disk is not the archive's fault
    throw (
      fileSystemError(err, dest) ??
      new UnsafeArchiveError(file, '(archive)', `failed to unpack: ${(err as Error).message}`)
    );
  }
  return entries;
}

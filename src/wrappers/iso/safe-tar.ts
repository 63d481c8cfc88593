// Unpacking a tarball from the artifact store without trusting it. A first pass reads every header and refuses the
// whole archive (nothing written) on an absolute path, a ".." segment, a link that leads outside, a path through a
// symlink, a device, FIFO, sparse or other special entry, setuid bits, content past a byte ceiling (a zero bomb
// stops at its header), or a member its own manifest does not list. Only then a second pass streams the entries
// (safe-tar-write.ts) into a fresh folder that the caller renames into place; ownership is never preserved.
import { mkdir, rm, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FileSystemError, fileSystemError, WorkError } from '../errors.ts';
import { readTarball, type BodySink } from './safe-tar-read.ts';
import { writeEntries } from './safe-tar-write.ts';

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
  /** Milliseconds since 1970, from the header. */
  mtime?: number;
}

export interface SafeTarOptions {
  /** Total bytes of file content accepted, as the headers declare them (a bomb stops at its header). Default 16 GiB. */
  maxBytes?: number;
  /** Entries accepted. Default 1,000,000. */
  maxEntries?: number;
  /**
   * A listing inside the archive (read during the header pass, before anything is written) that every file, link
   * and symlink must appear in; `parse` turns its text into the listed paths, or throws.
   */
  manifest?: { path: string; parse: (text: string) => ReadonlySet<string> };
  signal?: AbortSignal;
}

/** Default of SafeTarOptions.maxBytes: well above a lorax tree (about 1 GiB), far below a disk. */
export const DEFAULT_MAX_UNPACK_BYTES = 16 * 2 ** 30;
/** A manifest larger than this is not a listing of a boot tree. */
const MAX_MANIFEST = 16 * 2 ** 20;

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

const gib = (n: number) => `${Math.round((n / 2 ** 30) * 100) / 100} GiB`;

/** Reads every header (no file is written) and returns the entries, or throws UnsafeArchiveError. */
export async function inspectArchive(file: string, opts: SafeTarOptions = {}): Promise<ArchiveEntry[]> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_UNPACK_BYTES;
  const maxEntries = opts.maxEntries ?? 1_000_000;
  const entries: ArchiveEntry[] = [];
  const kinds = new Map<string, ArchiveEntry['type']>();
  let bytes = 0;
  let listed: ReadonlySet<string> | undefined;
  // a member missing from the manifest is refused once every header is read, so a worse problem later wins
  let unlisted: UnsafeArchiveError | undefined;
  const refuse = (entry: string, problem: string) => {
    throw new UnsafeArchiveError(file, entry, problem);
  };

  try {
    await readTarball(
      file,
      (h) => {
        const raw = h.path;
        const type = TYPES[h.type];
        if (!type) return refuse(raw, `is a ${h.type} entry; only files, folders and links are accepted`);
        if (h.sparse) return refuse(raw, 'is a sparse file; only plain files are accepted');
        const n = normalise(raw);
        if (!n.path) return refuse(raw, n.problem ?? 'has an empty path');
        const path = n.path;
        const mode = h.mode;
        if (mode & 0o6000) return refuse(raw, 'has the setuid or setgid bit');
        const entry: ArchiveEntry = { path, type, size: type === 'file' ? h.size : 0, mode: mode & 0o777 };
        if (h.mtime) entry.mtime = h.mtime.getTime();
        if (type === 'symlink') {
          entry.linkpath = h.linkpath ?? '';
        } else if (type === 'hardlink') {
          const t = normalise(h.linkpath ?? '');
          if (!t.path)
            return refuse(raw, `is a hard link to ${JSON.stringify(h.linkpath)}, which ${t.problem}`);
          if (kinds.get(t.path) !== 'file')
            return refuse(
              raw,
              `is a hard link to ${JSON.stringify(h.linkpath)}, not to an earlier file of the archive`,
            );
          entry.linkpath = t.path;
        }
        if (kinds.has(path) && kinds.get(path) !== type)
          return refuse(raw, `appears twice, as a ${kinds.get(path)} and as a ${type}`);
        // any entry's body is inflated to be skipped, a folder's too: every declared byte counts
        bytes += h.size;
        if (bytes > maxBytes)
          return refuse(
            raw,
            `declares ${h.size} bytes, which brings the content past ${maxBytes} bytes (the limit, ${gib(maxBytes)})`,
          );
        if (entries.length >= maxEntries) return refuse(raw, `is past the limit of ${maxEntries} entries`);
        kinds.set(path, type);
        entries.push(entry);
        const m = opts.manifest;
        if (!m || type === 'dir') return undefined;
        if (path === m.path && type === 'file' && !listed)
          return manifestSink(m, raw, entry.size, (l) => (listed = l));
        if (!listed?.has(path))
          unlisted ??= new UnsafeArchiveError(
            file,
            raw,
            listed ? `is not listed in ${m.path}` : `comes before ${m.path}, which must be the first file`,
          );
        return undefined;
      },
      opts.signal,
    );
  } catch (err) {
    if (err instanceof UnsafeArchiveError || opts.signal?.aborted) throw err;
    throw new UnsafeArchiveError(file, '(archive)', `cannot be read: ${(err as Error).message}`);
  }
  if (opts.manifest && !listed) throw new UnsafeArchiveError(file, opts.manifest.path, 'is missing');
  if (unlisted) throw unlisted;
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

  /** Collects the manifest's body (bounded) and hands its listing on at its end. */
  function manifestSink(
    m: NonNullable<SafeTarOptions['manifest']>,
    raw: string,
    size: number,
    done: (l: ReadonlySet<string>) => void,
  ): BodySink {
    if (size > MAX_MANIFEST) refuse(raw, `is a manifest of ${size} bytes (more than ${MAX_MANIFEST})`);
    const parts: Buffer[] = [];
    return {
      write: (c) => void parts.push(Buffer.from(c)),
      end: () => {
        try {
          done(m.parse(Buffer.concat(parts).toString('utf8')));
        } catch (err) {
          refuse(raw, `cannot be read as a manifest: ${(err as Error).message}`);
        }
      },
    };
  }
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

export interface ExtractedEntry extends ArchiveEntry {
  /** Files and hard links: the sha256 of what was written. */
  sha256?: string;
}

/**
 * Checks the whole archive, then extracts it into `dest` (created; it must not exist), body by body with flat
 * memory. On any failure `dest` is removed again, so the caller sees a complete tree or none.
 */
export async function extractArchiveSafely(
  file: string,
  dest: string,
  opts: SafeTarOptions = {},
): Promise<ExtractedEntry[]> {
  const entries = await inspectArchive(file, opts);
  await checkSpace(file, dest, entries);
  await mkdir(dest, { recursive: false });
  let digests: Map<string, string>;
  try {
    digests = await writeEntries(file, dest, entries, (p) => normalise(p).path, opts.signal);
  } catch (err) {
    // writes of other entries may still be landing: retry the removal
    await rm(dest, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    if (opts.signal?.aborted) throw err;
    // a full disk is not the archive's fault
    throw (
      fileSystemError(err, dest) ??
      new UnsafeArchiveError(file, '(archive)', `failed to unpack: ${(err as Error).message}`)
    );
  }
  return entries.map((e) => (digests.has(e.path) ? { ...e, sha256: digests.get(e.path) } : e));
}

/** The declared content must fit the file system the tree goes to, before a byte of it is written. */
async function checkSpace(file: string, dest: string, entries: readonly ArchiveEntry[]): Promise<void> {
  const need = entries.reduce((n, e) => n + e.size, 0);
  const fs = await statfs(dirname(dest));
  const free = fs.bavail * fs.bsize;
  if (need > free)
    throw new FileSystemError(
      'E_NO_SPACE',
      dirname(dest),
      'ENOSPC',
      `no space left on ${dirname(dest)}: ${file} unpacks to ${need} bytes (${gib(need)}), ${free} are free`,
      'free space there (or point compose_root elsewhere), then rerun with --resume',
    );
}

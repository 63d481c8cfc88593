// The second pass of the safe unpacker: writes the entries that the header pass (safe-tar.ts) accepted into a
// fresh folder, streaming each body to its file (a 16 GiB member costs a 256 KiB buffer; runs of zeros become
// holes) and hashing it on the way, so the caller checks a manifest without reading the tree again. Every entry must be the one the first pass
// saw, in the same order; anything else means the file changed underneath and stops the unpack.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, link, mkdir, open, symlink, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readTarball, TAR_CHUNK, type BodySink } from './safe-tar-read.ts';
import type { ArchiveEntry } from './safe-tar.ts';

const ZEROS = Buffer.alloc(TAR_CHUNK);
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Writes `entries` (the first pass's list of `file`) under `dest`, which exists and is empty. Returns the sha256
 * of every file and hard link by archive path. `normalise` is the first pass's path rule.
 */
export async function writeEntries(
  file: string,
  dest: string,
  entries: readonly ArchiveEntry[],
  normalise: (raw: string) => string | undefined,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  const dirs: ArchiveEntry[] = [];
  const umask = process.umask();
  const at = (path: string) => join(dest, ...path.split('/'));
  let next = 0;
  let openFile: FileHandle | undefined;

  /** Creates a fresh name; a path the archive gives twice (same kind, checked) is replaced, as tar does. */
  async function fresh<T>(abs: string, make: () => Promise<T>): Promise<T> {
    await mkdir(dirname(abs), { recursive: true });
    try {
      return await make();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await unlink(abs);
      return make();
    }
  }

  async function fileSink(e: ArchiveEntry, abs: string): Promise<BodySink> {
    const fh = await fresh(abs, () => open(abs, CREATE, e.mode));
    openFile = fh;
    const hash = createHash('sha256');
    let pos = 0;
    return {
      async write(chunk) {
        hash.update(chunk);
        // a run of zeros becomes a hole: a zero-filled member costs no disk (its bytes still count to the cap)
        if (!chunk.equals(ZEROS.subarray(0, chunk.length)))
          for (let off = 0; off < chunk.length;)
            off += (await fh.write(chunk, off, chunk.length - off, pos + off)).bytesWritten;
        pos += chunk.length;
      },
      async end() {
        await fh.truncate(pos);
        if (e.mtime !== undefined) await fh.utimes(e.mtime / 1000, e.mtime / 1000);
        openFile = undefined;
        await fh.close();
        digests.set(e.path, hash.digest('hex'));
      },
    };
  }

  try {
    await readTarball(
      file,
      async (h) => {
        const e = entries[next++];
        if (!e || normalise(h.path) !== e.path || (e.type === 'file' && h.size !== e.size))
          throw new Error(
            `entry ${JSON.stringify(h.path)} is not the one the header pass saw: the file changed`,
          );
        const abs = at(e.path);
        if (e.type === 'file') return fileSink(e, abs);
        if (e.type === 'dir') {
          await mkdir(abs, { recursive: true });
          dirs.push(e);
        } else if (e.type === 'symlink') {
          await fresh(abs, () => symlink(e.linkpath!, abs));
        } else {
          await fresh(abs, () => link(at(e.linkpath!), abs));
          digests.set(e.path, digests.get(e.linkpath!)!);
        }
        return undefined;
      },
      signal,
    );
    if (next !== entries.length)
      throw new Error('has fewer entries than the header pass saw: the file changed');
  } finally {
    await openFile?.close().catch(() => undefined);
  }
  // folders last: a mode without the write bit would have stopped the files inside, and writing them moves mtimes
  for (const d of dirs.reverse()) {
    await chmod(at(d.path), d.mode & ~umask);
    if (d.mtime !== undefined) await utimes(at(d.path), d.mtime / 1000, d.mtime / 1000);
  }
  return digests;
}

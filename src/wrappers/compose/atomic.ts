// Write-then-rename helpers: a reader never sees a half-written file or a missing link.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';

// pid, a random tag drawn once (pids repeat across containers sharing a folder) and a counter: unique without
// random bytes per file, which thousands of package downloads would pay for
const tempTag = `${process.pid}-${randomBytes(3).toString('hex')}`;
let tempCount = 0;
/** A hidden, unique name beside `path`: `.<name>.tmp-<pid>-<tag><n>`. */
export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${tempTag}${(tempCount++).toString(16)}`);
}

/** A name tempSibling() made (or compose-id.ts's allocation folder): partial by definition. */
export const TEMP_NAME = /^\..+\.tmp-(\d+)-[0-9a-z]+$/;

/** The pid a temp name was made by, or undefined when `name` is no temp name. */
export function tempNamePid(name: string): number | undefined {
  const m = TEMP_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * rename(2) `from` onto `to`. When both already name one inode (hard links), rename succeeds and does nothing, so
 * `from` stays: it is unlinked then, and either way only `to` is left.
 */
export async function renameOver(from: string, to: string): Promise<void> {
  await rename(from, to);
  const left = await lstat(from).catch(() => undefined);
  if (!left) return;
  const dest = await lstat(to).catch(() => undefined);
  if (dest && dest.ino === left.ino && dest.dev === left.dev) await rm(from, { force: true });
}

/**
 * pipeline() into a new file at `path` (a temp sibling, as a rule). fs.createWriteStream opens lazily, and when a
 * source fails first, pipeline rejects before that open has completed: a caller's cleanup `rm` then races the open
 * on another libuv thread and, losing, leaves the file behind for good (seen once in CI as a stray `.obj.tmp-*`).
 * On failure this waits for the file stream to close, which comes after its open.
 */
export async function pipeToFile(
  path: string,
  sources: [Readable, ...Transform[]],
  signal?: AbortSignal,
): Promise<void> {
  const out = createWriteStream(path);
  try {
    await pipeline([...sources, out], { signal });
  } catch (err) {
    // an 'error' here is the open's own: then no file exists to clean up
    if (!out.closed) await once(out, 'close').catch(() => undefined);
    throw err;
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    await writeFile(tmp, data, { mode });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Point `link` at `target`, replacing any existing link in one rename (no moment without a link). */
export async function symlinkAtomic(target: string, link: string): Promise<void> {
  const tmp = tempSibling(link);
  await symlink(target, tmp);
  try {
    await rename(tmp, link);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

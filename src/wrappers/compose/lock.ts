// One writer per compose: the lock is a folder (work/compose.lock) holding one record file named after its holder,
// with the owner's pid, host and command. A lock whose owner process is gone (same host) is stale and taken over,
// so a crash never wedges a compose; a live holder's lock is never touched by anyone else.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { tempSibling } from './atomic.ts';
import { processRunning } from './sweep.ts';
import { LockedError } from '../errors.ts';
import type { ComposePaths } from './paths.ts';

/*
 * Why no two processes ever hold it (any interleaving):
 * - The lock is held by whoever's record is inside the folder at `paths.lock`. Records are named
 *   `holder-<pid>-<random>.json`, unique, and never reused.
 * - Taking it: build a complete folder with our record under a temp name, then rename(2) it onto `paths.lock`. The
 *   kernel does that atomically, and only when `paths.lock` is absent or an empty folder; onto a folder with a
 *   record it fails (ENOTEMPTY/EEXIST). So a record appears whole, in one step, and only where none is.
 * - The record set at `paths.lock` changes in no other way than: that rename, or unlink(2) of one record by its
 *   unique name. A holder unlinks its own on release; a contender unlinks a record only after reading that very
 *   name and finding its pid dead. An unlink by name is a compare-and-delete: if that holder is gone already
 *   (released, taken over), it fails with ENOENT and removes nothing else, whatever lock took its place.
 * - Hence at most one record exists at any instant, and a live holder's record is removed only by itself.
 * Release unlinks our record, then rmdir(2)s the folder, which fails on a folder that holds a record (a new
 * holder's), so it can only remove an empty lock.
 */

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface ComposeLock {
  info: LockInfo;
  release(): Promise<void>;
}

export async function acquireComposeLock(paths: ComposePaths, command: string): Promise<ComposeLock> {
  const info: LockInfo = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  const record = `holder-${process.pid}-${randomBytes(6).toString('hex')}.json`;
  // a live holder is the common refusal: find it before staging anything
  await removeStaleHolders(paths);
  const staged = tempSibling(paths.lock);
  await mkdir(staged);
  try {
    await writeFile(join(staged, record), `${JSON.stringify(info)}\n`);
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await rename(staged, paths.lock);
        await sweepStaged(paths.lock).catch(() => undefined);
        return { info, release: () => release(paths.lock, record) };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
      await removeStaleHolders(paths);
    }
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
  throw new LockedError(`could not lock compose ${paths.id}: lock keeps changing hands`);
}

/** Throws LockedError for a live holder; unlinks the records of dead ones (by name: see above). */
async function removeStaleHolders(paths: ComposePaths): Promise<void> {
  let names: string[];
  try {
    names = await readdir(paths.lock);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return removeLegacyLock(paths);
    if (code === 'ENOENT') return; // free (or released meanwhile)
    throw err;
  }
  for (const name of names) {
    const holder = await readLock(join(paths.lock, name));
    if (holder === 'gone') continue;
    if (holder && isAlive(holder)) throw lockedBy(paths, holder);
    // stale, or not a record at all: no holder to respect
    await unlink(join(paths.lock, name)).catch(() => undefined);
  }
}

/**
 * A plain file at the lock path is an older horno's lock (which is never written any more, so nothing races to
 * create one): respected while its pid lives, else unlinked (unlink cannot remove a lock folder put there since).
 */
async function removeLegacyLock(paths: ComposePaths): Promise<void> {
  const holder = await readLock(paths.lock);
  if (holder !== 'gone' && holder && isAlive(holder)) throw lockedBy(paths, holder);
  await unlink(paths.lock).catch(() => undefined);
}

function lockedBy(paths: ComposePaths, holder: LockInfo): LockedError {
  return new LockedError(
    `compose ${paths.id} is locked by pid ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.since})`,
    'wait for that run to finish; a lock left by a crashed run on this host is taken over automatically',
  );
}

/** Staged folders (`.compose.lock.tmp-*`) that a process of this host killed while taking the lock left behind. */
async function sweepStaged(lock: string): Promise<void> {
  const prefix = `.${basename(lock)}.tmp-`;
  for (const name of await readdir(dirname(lock)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(dirname(lock), name);
    const [record] = await readdir(dir).catch(() => [] as string[]);
    const holder = record ? await readLock(join(dir, record)) : undefined;
    if (holder && holder !== 'gone' && holder.pid !== process.pid && !isAlive(holder))
      await rm(dir, { recursive: true, force: true });
  }
}

async function readLock(path: string): Promise<LockInfo | undefined | 'gone'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
  try {
    return JSON.parse(text) as LockInfo;
  } catch {
    return undefined;
  }
}

function isAlive(l: LockInfo): boolean {
  if (l.host !== hostname()) return true; // cannot tell: respect it
  return processRunning(l.pid);
}

async function release(lock: string, record: string): Promise<void> {
  await unlink(join(lock, record)).catch(() => undefined);
  // fails (ENOTEMPTY) once a next holder's folder is in place: then it is theirs
  await rmdir(lock).catch(() => undefined);
}

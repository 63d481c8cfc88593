// One writer per compose: an exclusive lock file (O_EXCL) holding the owner's pid, host and command. A lock whose
// owner process is gone (same host) is stale and taken over, so a crash never wedges a compose.
import { open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { LockedError } from '../errors.ts';
import type { ComposePaths } from './paths.ts';

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
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(paths.lock, 'wx');
      await fh.writeFile(`${JSON.stringify(info)}\n`);
      await fh.close();
      return { info, release: () => releaseIfOurs(paths.lock, info) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readLock(paths.lock);
    if (holder && isAlive(holder)) {
      throw new LockedError(
        `compose ${paths.id} is locked by pid ${holder.pid} on ${holder.host} (${holder.command}, since ${holder.since})`,
        'wait for that run to finish; a lock left by a crashed run on this host is taken over automatically',
      );
    }
    // Stale (or unreadable): move it aside under a unique name; if someone else moved it first, rename fails.
    await rename(paths.lock, `${paths.lock}.stale-${process.pid}`).catch(() => undefined);
    await rm(`${paths.lock}.stale-${process.pid}`, { force: true });
  }
  throw new LockedError(`could not lock compose ${paths.id}: lock keeps changing hands`);
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

function isAlive(l: LockInfo): boolean {
  if (l.host !== hostname()) return true; // cannot tell: respect it
  try {
    process.kill(l.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseIfOurs(path: string, info: LockInfo): Promise<void> {
  const holder = await readLock(path);
  if (holder && holder.pid === info.pid && holder.since === info.since) await rm(path, { force: true });
}

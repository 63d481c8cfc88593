// What a killed run leaves behind: temp names (tempSibling files, partial ISOs, scratch folders like `.lorax.tmp-*`,
// a half-allocated compose folder) that its try/finally never got to remove. A session sweeps its compose once it
// holds the lock, and a new compose sweeps the root's allocation leftovers, so a resume starts from whole files only.
import type { Dirent } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { tempNamePid } from './atomic.ts';
import type { ComposePaths } from './paths.ts';

/**
 * Removes every temp name under the compose folder (files, links, whole folders) unless the process that made it
 * still runs: a lock contender's own temp files are live. Ours are swept too: nothing of this process writes into
 * the compose before its session opens. Links are never followed. Returns the paths removed, relative, sorted.
 */
export async function sweepCompose(paths: ComposePaths): Promise<string[]> {
  const removed: string[] = [];
  const stack = [paths.dir];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const e of await entries(dir)) {
      const abs = join(dir, e.name);
      if (isLeftover(e.name)) {
        await rm(abs, { recursive: true, force: true });
        removed.push(relative(paths.dir, abs));
      } else if (e.isDirectory()) stack.push(abs);
    }
  }
  return removed.sort();
}

/** The same for the entries right under a compose root (compose-id.ts builds a new compose under a temp name). */
export async function sweepComposeRoot(root: string): Promise<string[]> {
  const removed: string[] = [];
  for (const e of await entries(root)) {
    if (!isLeftover(e.name)) continue;
    await rm(join(root, e.name), { recursive: true, force: true });
    removed.push(e.name);
  }
  return removed.sort();
}

/**
 * Removes the temp siblings of `path` (tempSibling names) that a killed process left: a store object or a download
 * target lives outside any compose, so no session sweep reaches it. Our own and live processes' names stay (a
 * concurrent write of the same object). Returns the names removed.
 */
export async function sweepTempSiblings(path: string): Promise<string[]> {
  const prefix = `.${basename(path)}.tmp-`;
  const removed: string[] = [];
  for (const e of await entries(dirname(path))) {
    if (!e.name.startsWith(prefix)) continue;
    const pid = tempNamePid(e.name);
    if (pid === undefined || pid === process.pid || processRunning(pid)) continue;
    await rm(join(dirname(path), e.name), { recursive: true, force: true });
    removed.push(e.name);
  }
  return removed;
}

function isLeftover(name: string): boolean {
  const pid = tempNamePid(name);
  return pid !== undefined && (pid === process.pid || !processRunning(pid));
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    // gone meanwhile, or swept as part of a folder above
    if (['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return [];
    throw err;
  }
}

/** Does a process of this host have that pid? (EPERM: it exists, owned by someone else.) */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

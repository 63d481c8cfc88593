// The compose STATUS file (pungi's values). FINISHED is final: nothing may overwrite it, as in pungi, because
// mirrors and QA act on it. A full disk must not keep a failed compose STARTED: STATUS is then rewritten in place.
import { open, readFile } from 'node:fs/promises';
import { WorkError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';
import type { ComposePaths } from './paths.ts';

export const STATUSES = ['STARTED', 'FINISHED', 'FINISHED_INCOMPLETE', 'DOOMED', 'TERMINATED'] as const;
export type ComposeStatus = (typeof STATUSES)[number];

export async function readStatus(paths: ComposePaths): Promise<ComposeStatus | undefined> {
  try {
    const s = (await readFile(paths.status, 'utf8')).trim();
    return (STATUSES as readonly string[]).includes(s) ? (s as ComposeStatus) : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeStatus(paths: ComposePaths, status: ComposeStatus): Promise<void> {
  const current = await readStatus(paths);
  if (current === 'FINISHED' && status !== 'FINISHED') {
    throw new WorkError(
      `compose ${paths.id} is FINISHED and cannot become ${status}`,
      'start a new compose with `horno generate-compose`',
    );
  }
  try {
    await writeFileAtomic(paths.status, `${status}\n`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC' || current === undefined) throw err;
    await overwriteInPlace(paths.status, `${status}\n`);
  }
}

/**
 * The way to record DOOMED on a full disk, where even a new 7-byte temp file gets ENOSPC: overwrite the existing
 * STATUS in its own block, which is already allocated. One write(2) of a few bytes, then the truncate: only in
 * between can a reader see the tail of a longer old word after the new one.
 */
async function overwriteInPlace(path: string, text: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.write(text, 0, 'utf8');
    await fh.truncate(Buffer.byteLength(text));
    await fh.sync();
  } finally {
    await fh.close();
  }
}

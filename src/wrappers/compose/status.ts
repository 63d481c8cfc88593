// The compose STATUS file (pungi's values). FINISHED is final: nothing may overwrite it, as in pungi, because
// mirrors and QA act on it.
import { readFile } from 'node:fs/promises';
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
  await writeFileAtomic(paths.status, `${status}\n`);
}

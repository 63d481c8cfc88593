// Compose ids (<Short>-<version>-<YYYYMMDD>.<n>) and their safe allocation: the dated folder is prepared under a
// temporary name and renamed into place, so two runs starting at once never share a number and nobody sees a
// half-made compose.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { ComposePaths } from './paths.ts';

export interface ComposeIdParts {
  short: string;
  version: string;
  date: string;
  respin: number;
}

export function formatDate(d: Date): string {
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}

/** The compose date: SOURCE_DATE_EPOCH when set (reproducible runs), else now, always UTC. */
export function composeDate(env: NodeJS.ProcessEnv = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  return formatDate(epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date());
}

export function formatComposeId(p: ComposeIdParts): string {
  return `${p.short}-${p.version}-${p.date}.${p.respin}`;
}

const ID_RE = /^(?<short>[A-Za-z0-9_]+)-(?<version>[0-9][0-9.]*)-(?<date>\d{8})\.(?<respin>\d+)$/;

export function parseComposeId(id: string): ComposeIdParts | undefined {
  const m = ID_RE.exec(id);
  if (!m?.groups) return undefined;
  const g = m.groups as Record<'short' | 'version' | 'date' | 'respin', string>;
  return { short: g.short, version: g.version, date: g.date, respin: Number(g.respin) };
}

export const COMPOSE_SUBDIRS = ['compose', 'compose/metadata', 'logs', 'work', 'work/units'] as const;

/**
 * Creates <root>/<Short>-<version>-<date>.<n> with the next free n, its sub-folders, COMPOSE_ID and STATUS=STARTED.
 * The skeleton is built in a hidden temp folder and renamed; rename onto an existing non-empty folder fails, which
 * is how a concurrent winner is detected (we then try n+1).
 */
export async function allocateCompose(
  root: string,
  short: string,
  version: string,
  date: string,
): Promise<ComposePaths> {
  await mkdir(root, { recursive: true });
  const prefix = `${short}-${version}-${date}.`;
  let n = nextRespin(await readdir(root), prefix);
  for (let attempt = 0; attempt < 1000; attempt++, n++) {
    const id = `${prefix}${n}`;
    const tmp = join(root, `.${id}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const tmpPaths = new ComposePaths(root, tmp.slice(root.length + 1));
    try {
      for (const d of COMPOSE_SUBDIRS) await mkdir(join(tmp, d), { recursive: true });
      await writeFileAtomic(tmpPaths.composeIdFile, `${id}\n`);
      await writeFileAtomic(tmpPaths.status, 'STARTED\n');
      await rename(tmp, join(root, id));
      return new ComposePaths(root, id);
    } catch (err) {
      // a full disk while building the skeleton, or someone else's compose already under that id
      await rm(tmp, { recursive: true, force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`could not allocate a compose id under ${root} after 1000 attempts`);
}

function nextRespin(entries: string[], prefix: string): number {
  let max = -1;
  for (const e of entries) {
    if (!e.startsWith(prefix)) continue;
    const n = e.slice(prefix.length);
    if (/^\d+$/.test(n)) max = Math.max(max, Number(n));
  }
  return max + 1;
}

// Staging a finished ISO for finalize-compose: the versioned name, its generic and latest links (relative, so they
// survive the move into compose/isos/<arch>), and the sorted manifest beside it (the latest link gets one too, as
// empanadas does). The ISO itself arrives by rename or hard link, never by a copy a reader could catch half done.
import { link, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { symlinkAtomic, tempSibling, writeFileAtomic } from '../compose/atomic.ts';
import { renderTemplate, type TemplateVars } from '../config/templates.ts';
import { manifestText } from './xorriso.ts';

export interface IsoNameTemplates {
  iso: string;
  generic_link: string;
  latest_link: string;
}

export interface IsoNames {
  iso: string;
  generic: string;
  latest: string;
}

/** The three names of one image: `vars` holds the release identity plus arch, image, date and respin. */
export function renderIsoNames(t: IsoNameTemplates, vars: TemplateVars): IsoNames {
  const names = {
    iso: renderTemplate(t.iso, vars),
    generic: renderTemplate(t.generic_link, vars),
    latest: renderTemplate(t.latest_link, vars),
  };
  for (const n of Object.values(names))
    if (n.includes('/') || n === '' || n.startsWith('.'))
      throw new Error(`ISO name "${n}" is not a plain file name`);
  return names;
}

export const manifestName = (iso: string) => `${iso}.manifest`;

export interface StagedIso {
  iso: string;
  manifest: string;
  links: string[];
}

/**
 * Puts `built` at `<dir>/<names.iso>`: renamed when `move` (a temp file of ours on the same filesystem), hard
 * linked otherwise (the input stays, e.g. lorax's boot.iso in the unpacked tree); then the manifest and links.
 */
export async function stageIso(
  dir: string,
  built: string,
  names: IsoNames,
  manifest: readonly string[],
  opts: { move: boolean },
): Promise<StagedIso> {
  await mkdir(dir, { recursive: true });
  const iso = join(dir, names.iso);
  const man = join(dir, manifestName(names.iso));
  await writeFileAtomic(man, manifestText(manifest));
  if (opts.move) await rename(built, iso);
  else await linkAtomic(built, iso);
  const links = [join(dir, names.generic), join(dir, names.latest), join(dir, manifestName(names.latest))];
  await symlinkAtomic(names.iso, links[0]!);
  await symlinkAtomic(names.iso, links[1]!);
  await symlinkAtomic(basename(man), links[2]!);
  return { iso, manifest: man, links };
}

/**
 * A hard link at `dest` replacing what is there in one rename. When `dest` already is `src` (a rerun placing the
 * same tree again), rename(2) of a second link onto it would succeed without doing anything and leave the temp
 * name published: nothing is done then, and the temp name is removed on every path.
 */
export async function linkAtomic(src: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const [from, to] = await Promise.all([lstat(src), lstat(dest).catch(() => undefined)]);
  if (to && to.ino === from.ino && to.dev === from.dev) return;
  const tmp = tempSibling(dest);
  try {
    await link(src, tmp);
    await rename(tmp, dest);
  } finally {
    // after a rename that did nothing (dest became the same inode meanwhile) the temp name is still there
    await rm(tmp, { force: true });
  }
}

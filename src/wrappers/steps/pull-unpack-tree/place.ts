// Making a repo's os/ tree an install tree (empanadas' step 7 of pull-unpack-tree): lorax's boot files hard linked
// into it (never its repo: Packages, repodata, .discinfo and media.repo stay sync-repos' own), files a previous
// tree placed and this one lacks removed, and .treeinfo rewritten with images, stage2 and every variant of the
// boot image's repos.
import { lstat, mkdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { symlinkAtomic, writeFileAtomic } from '../../compose/atomic.ts';
import { WorkError } from '../../errors.ts';
import { checksummedFiles, installTreeInfo, type TreeRelease } from '../../iso/install-tree.ts';
import { linkAtomic } from '../../iso/publish.ts';
import { parseLoraxTreeInfo, serializeTreeInfo } from '../../iso/treeinfo.ts';
import { digestFiles } from '../../metadata/digest.ts';
import { walkTree } from '../../iso/tree-walk.ts';

/** Top-level names of an os/ tree that belong to the repo, not to the boot tree. */
const REPO_OWNED = new Set(['.treeinfo', '.discinfo', 'media.repo', 'Packages', 'repodata']);

/** Links every boot file of `lorax` into `osDir`; returns the relative paths placed. */
export async function placeBootFiles(
  lorax: string,
  osDir: string,
  previous: readonly string[],
): Promise<string[]> {
  if (!(await stat(join(osDir, 'repodata', 'repomd.xml')).catch(() => undefined)))
    throw new WorkError(`${osDir} has no repodata: the repo is not synced`, 'run sync-repos first');
  const placed: string[] = [];
  for (const e of await walkTree(lorax)) {
    if (REPO_OWNED.has(e.rel.split('/')[0]!)) continue;
    const src = join(lorax, ...e.rel.split('/'));
    const dest = join(osDir, ...e.rel.split('/'));
    // a folder of the repo's own where a boot file goes would be a layout clash, not something to overwrite
    if ((await lstat(dest).catch(() => undefined))?.isDirectory())
      throw new WorkError(`${dest} is a folder; lorax's tree has a file there`);
    if (e.kind === 'symlink') {
      await mkdir(dirname(dest), { recursive: true });
      await symlinkAtomic(await readlink(src), dest);
    } else await linkAtomic(src, dest);
    placed.push(e.rel);
  }
  const keep = new Set(placed);
  for (const rel of previous) if (!keep.has(rel)) await rm(join(osDir, ...rel.split('/')), { force: true });
  return placed;
}

export interface TreeInfoJob {
  lorax: string;
  osDir: string;
  arch: string;
  release: TreeRelease;
  repos: readonly string[];
  mainVariant: string;
  checksum: string;
  /** Seconds since 1970 (the compose clock's epoch), the .treeinfo's build timestamp. */
  buildTimestamp: number;
}

/** Writes the os/ tree's .treeinfo from lorax's; returns its text. */
export async function writeInstallTreeInfo(j: TreeInfoJob): Promise<string> {
  const lorax = parseLoraxTreeInfo(
    await readFile(join(j.lorax, '.treeinfo'), 'utf8'),
    join(j.lorax, '.treeinfo'),
  );
  const files = checksummedFiles(lorax, [''], false);
  const info = installTreeInfo({
    lorax,
    release: j.release,
    arch: j.arch,
    buildTimestamp: j.buildTimestamp,
    repos: j.repos,
    mainVariant: j.mainVariant,
    checksum: j.checksum,
    digests: await digestFiles(j.osDir, files, j.checksum),
  });
  const text = serializeTreeInfo(info, j.mainVariant.replaceAll('-', ''));
  await writeFileAtomic(join(j.osDir, '.treeinfo'), text);
  return text;
}

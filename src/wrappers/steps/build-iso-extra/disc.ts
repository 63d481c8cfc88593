// What goes onto a disc besides boot.iso's own tree (empanadas' _generate_graft_points): each repo's Packages and
// repodata under /<Repo>, the disc's .treeinfo (variants, [media], boot.iso dropped), .discinfo and media.repo, and
// the extra files at the root. Files boot.iso already has are replaced (-update), others added (-map).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../compose/atomic.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { WorkError } from '../../errors.ts';
import { discTimestamp, serializeDiscInfo, serializeMediaRepo } from '../../iso/discinfo.ts';
import { checksummedFiles, discTreeInfo, variantUid } from '../../iso/install-tree.ts';
import { parseLoraxTreeInfo, serializeTreeInfo } from '../../iso/treeinfo.ts';
import type { Graft } from '../../iso/xorriso.ts';
import { digestFile } from '../../metadata/digest.ts';
import type { GatheredFile } from './extra-files.ts';

export interface DiscRepo {
  repo: string;
  /** A folder holding Packages/ and repodata/: the compose's os/ tree, or a fresh subset. */
  dir: string;
}

export interface DiscJob {
  release: ReleaseConfig;
  arch: string;
  /** The unpacked lorax tree (images, stage2 and lorax's .treeinfo). */
  lorax: string;
  repos: readonly DiscRepo[];
  mainVariant: string;
  /** Where the disc's .treeinfo, .discinfo and media.repo are written. */
  dir: string;
  extraFiles: readonly GatheredFile[];
  /** Absolute paths boot.iso already holds. */
  onBootIso: ReadonlySet<string>;
  /** SOURCE_DATE_EPOCH, when set: the .discinfo and media.repo timestamp. */
  epoch?: number;
}

/** Writes the disc's metadata files and returns every graft, in the order empanadas emits them. */
export async function prepareDisc(j: DiscJob): Promise<Graft[]> {
  for (const r of j.repos) {
    if (!(await stat(join(r.dir, 'repodata', 'repomd.xml')).catch(() => undefined)))
      throw new WorkError(
        `${r.dir} has no repodata: ${r.repo} is not synced for ${j.arch}`,
        'run sync-repos first',
      );
  }
  const lorax = parseLoraxTreeInfo(
    await readFile(join(j.lorax, '.treeinfo'), 'utf8'),
    join(j.lorax, '.treeinfo'),
  );
  const algo = j.release.checksum;
  const digests = new Map<string, string>();
  for (const f of checksummedFiles(lorax, [], true)) digests.set(f, await digestFile(join(j.lorax, f), algo));
  for (const r of j.repos)
    digests.set(
      `${r.repo}/repodata/repomd.xml`,
      await digestFile(join(r.dir, 'repodata', 'repomd.xml'), algo),
    );
  const stamp = discTimestamp(j.epoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(j.epoch) });
  const info = discTreeInfo({
    lorax,
    release: { name: j.release.name, short: j.release.short, version: j.release.version },
    arch: j.arch,
    buildTimestamp: Math.trunc(Number(stamp)),
    repos: j.repos.map((r) => r.repo),
    mainVariant: j.mainVariant,
    checksum: algo,
    digests,
  });
  const description = `${j.release.name} ${j.release.version}`;
  const files: [string, string][] = [
    ['.treeinfo', serializeTreeInfo(info, variantUid(j.mainVariant))],
    ['.discinfo', serializeDiscInfo({ timestamp: stamp, description, arch: j.arch })],
    ['media.repo', serializeMediaRepo(description, stamp)],
  ];
  const grafts: Graft[] = [];
  for (const [name, text] of files) {
    const path = join(j.dir, name);
    await writeFileAtomic(path, text);
    grafts.push(graft(path, `/${name}`, j.onBootIso));
  }
  for (const f of j.extraFiles) grafts.push(graft(f.path, `/${f.name}`, j.onBootIso));
  // packages last, as empanadas orders them (images, other files, RPMs): big files at the end of the image
  for (const r of j.repos) grafts.push(graft(join(r.dir, 'repodata'), `/${r.repo}/repodata`, j.onBootIso));
  for (const r of j.repos) grafts.push(graft(join(r.dir, 'Packages'), `/${r.repo}/Packages`, j.onBootIso));
  return grafts;
}

function graft(disk: string, isoPath: string, onBootIso: ReadonlySet<string>): Graft {
  return onBootIso.has(isoPath) ? { disk, isoPath, replace: true } : { disk, isoPath };
}

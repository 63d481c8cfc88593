// The .treeinfo of an install tree and of an install disc, made from lorax's own (its images and stage2) the way
// empanadas' treeinfo_modify_write does: release fields reset, empty image entries dropped (and boot.iso on a
// disc), one variant per repo with the relative paths of empanadas' table (reference/empanadas.md section 6),
// checksums of every image, stage2 and repomd.xml, and [media] on discs. Pure: callers pass the digests.
import type { TreeInfo, TreeVariant } from './treeinfo.ts';

export interface TreeRelease {
  name: string;
  short: string;
  version: string;
}

export interface InstallTreeInput {
  /** lorax's .treeinfo, parsed. */
  lorax: TreeInfo;
  release: TreeRelease;
  arch: string;
  buildTimestamp: number;
  /** Repos the tree or disc carries; the first variant section per repo, in this order. */
  repos: readonly string[];
  /** The main variant (repository "." in a tree); must be one of `repos`. */
  mainVariant: string;
  checksum: string;
  /** Tree-relative path -> hex digest, for every file named in images/stage2 and every repodata/repomd.xml. */
  digests: ReadonlyMap<string, string>;
}

/** productmd variant ids may not hold "-": pungi drops them. */
export const variantUid = (repo: string) => repo.replaceAll('-', '');

function variant(repo: string, paths: TreeVariant['paths']): TreeVariant {
  const uid = variantUid(repo);
  return { id: uid, uid, name: repo, type: 'variant', paths };
}

/** Image entries worth keeping: non-empty, and not boot.iso on a disc (the disc is the boot media itself). */
function keptImages(lorax: TreeInfo, disc: boolean): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [platform, imgs] of Object.entries(lorax.images)) {
    const kept = Object.entries(imgs).filter(([name, path]) => path && !(disc && name === 'boot.iso'));
    if (kept.length) out[platform] = Object.fromEntries(kept);
  }
  return out;
}

/** Every file a tree's [checksums] covers: images, stage2, and each repo's repomd.xml (tree-relative). */
export function checksummedFiles(lorax: TreeInfo, repoDirs: readonly string[], disc: boolean): string[] {
  const files = new Set<string>();
  for (const imgs of Object.values(keptImages(lorax, disc)))
    for (const p of Object.values(imgs)) files.add(p);
  for (const p of [lorax.stage2?.mainimage, lorax.stage2?.instimage]) if (p) files.add(p);
  for (const d of repoDirs) files.add(d ? `${d}/repodata/repomd.xml` : 'repodata/repomd.xml');
  return [...files].sort();
}

function build(i: InstallTreeInput, disc: boolean, paths: (repo: string) => TreeVariant['paths']): TreeInfo {
  if (!i.repos.includes(i.mainVariant))
    throw new Error(`main variant ${i.mainVariant} is not one of the repos ${i.repos.join(', ')}`);
  const images = keptImages(i.lorax, disc);
  const repoDirs = i.repos.map((r) => paths(r).repository!).filter((d) => !d.startsWith('..'));
  const checksums: TreeInfo['checksums'] = {};
  for (const f of checksummedFiles(
    i.lorax,
    repoDirs.map((d) => (d === '.' ? '' : d)),
    disc,
  )) {
    const hex = i.digests.get(f);
    if (!hex) throw new Error(`no ${i.checksum} digest given for ${f}`);
    checksums[f] = [i.checksum, hex];
  }
  return {
    release: { ...i.release },
    tree: {
      arch: i.arch,
      buildTimestamp: i.buildTimestamp,
      platforms: [...new Set([...i.lorax.tree.platforms, ...Object.keys(images)])],
    },
    variants: i.repos.map((r) => variant(r, paths(r))),
    checksums,
    images,
    ...(i.lorax.stage2 ? { stage2: { ...i.lorax.stage2 } } : {}),
    ...(disc ? { media: { discnum: 1, totaldiscs: 1 } } : {}),
  };
}

/**
 * A repo's os/ tree made bootable: the main variant is the tree itself (`.`, `Packages`), the others are reached
 * through the compose layout (`../../../<Repo>/<arch>/os`).
 */
export function installTreeInfo(i: InstallTreeInput): TreeInfo {
  return build(i, false, (repo) =>
    repo === i.mainVariant
      ? { packages: 'Packages', repository: '.' }
      : {
          packages: `../../../${repo}/${i.arch}/os/Packages`,
          repository: `../../../${repo}/${i.arch}/os`,
        },
  );
}

/** A disc: every repo in its own folder at the root (`<Repo>`, `<Repo>/Packages`), [media] disc 1 of 1. */
export function discTreeInfo(i: InstallTreeInput): TreeInfo {
  return build(i, true, (repo) => ({ packages: `${repo}/Packages`, repository: repo }));
}

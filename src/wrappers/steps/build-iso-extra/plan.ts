// Which discs build-iso-extra makes: the images (disc, not isoskip, --image filter), each disc's volume id (boot.iso's
// own label, which the boot menus search for, else the config's) checked against lorax's rules, and each package
// list read and parsed. validate() asks the same rules before any work; planDiscs throws a UsageError (exit 2).
import { readFileSync } from 'node:fs';
import { templateFile } from '../../install.ts';
import { didYouMean } from '../../config/did-you-mean.ts';
import type { IsoImage, ReleaseConfig } from '../../config/release-schema.ts';
import { releaseVars, renderTemplate } from '../../config/templates.ts';
import { UsageError } from '../../errors.ts';
import { checkVolid } from '../../iso/lorax.ts';
import type { IsoNames } from '../../iso/publish.ts';
import { readVolumeDescriptors } from '../../iso/volume-descriptors.ts';
import { sha256Hex } from '../../metadata/digest.ts';
import { isoNames } from '../../iso/iso-names.ts';
import type { StepContext } from '../step.ts';
import { type ListEntry, parsePackageList } from './package-list.ts';

export interface ExtraIsoOptions {
  /** Only this image (an iso.images key). */
  image?: string;
  rc?: boolean;
}

/** One disc on one arch: plain data (it travels in the unit). */
export interface DiscPlan {
  image: string;
  arch: string;
  config: IsoImage;
  volid: string;
  /** Where the label came from. */
  volidFrom: 'boot.iso' | 'config';
  names: IsoNames;
  list?: PackageList;
}

export interface PackageList {
  file: string;
  entries: ListEntry[];
  sha256: string;
}

/** The disc images to make, after --image; a missing iso section or a bad --image is a UsageError. */
export function discImages(release: ReleaseConfig, image: string | undefined): [string, IsoImage][] {
  const iso = release.iso;
  if (!iso) throw new UsageError(`release ${release.short} has no iso section: no discs to make`);
  if (image !== undefined) {
    const img = iso.images[image];
    if (!img)
      throw new UsageError(`--image ${image}: no such image${didYouMean(image, Object.keys(iso.images))}`);
    if (!img.disc)
      throw new UsageError(`--image ${image}: not a disc image (disc: false); pull-unpack-tree makes it`);
    if (img.isoskip) throw new UsageError(`--image ${image}: isoskip is set for it in the release config`);
  }
  const discs = Object.entries(iso.images).filter(
    ([name, img]) => img.disc && !img.isoskip && (image === undefined || name === image),
  );
  if (!discs.length) throw new UsageError('no disc to make: every image is isoskip or filtered out');
  return discs;
}

/** The label iso.lorax.volid renders to for an arch (what lorax gave boot.iso, unless it was built otherwise). */
export function configVolid(release: ReleaseConfig, arch: string, rc: boolean): string {
  return renderTemplate(release.iso!.lorax.volid, { ...releaseVars(release, { rc }), arch });
}

/** The package list template of a disc on an arch (templates/<rel>), when it has one. */
export function listTemplate(release: ReleaseConfig, config: IsoImage, arch: string): string | undefined {
  return config.package_list && renderTemplate(config.package_list, { major: release.major, arch });
}

/** Reads and parses templates/<rel>: a missing or unparsable list is a UsageError. */
export function readList(rel: string, image: string): PackageList {
  const file = templateFile(rel);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(
      `image ${image}: package list templates/${rel} does not exist`,
      'add it, or fix iso.images.<image>.package_list in the release config',
    );
  }
  return { file, entries: parsePackageList(text, `templates/${rel}`), sha256: sha256Hex(text) };
}

export async function planDiscs(
  ctx: StepContext,
  opts: ExtraIsoOptions,
  arches: readonly string[],
): Promise<DiscPlan[]> {
  const rc = !!opts.rc;
  const plans: DiscPlan[] = [];
  const lists = new Map<string, PackageList>();
  for (const [image, config] of discImages(ctx.release, opts.image)) {
    for (const arch of arches) {
      const { volid, from } = await discVolid(ctx, arch, rc);
      checkVolid(volid, `image ${image} on ${arch}`);
      const rel = listTemplate(ctx.release, config, arch);
      if (rel !== undefined && !lists.has(rel)) lists.set(rel, readList(rel, image));
      plans.push({
        image,
        arch,
        config,
        volid,
        volidFrom: from,
        names: isoNames(ctx.release, ctx.paths.id, arch, image, rc),
        ...(rel !== undefined ? { list: lists.get(rel) } : {}),
      });
    }
  }
  return plans;
}

/** boot.iso's label when pull-unpack-tree has put one there (discs replay it), else the config's rendering. */
async function discVolid(
  ctx: StepContext,
  arch: string,
  rc: boolean,
): Promise<{ volid: string; from: DiscPlan['volidFrom'] }> {
  const pvd = await readVolumeDescriptors(ctx.paths.loraxBootIso(arch)).catch(() => null);
  if (pvd) return { volid: pvd.volumeId, from: 'boot.iso' };
  return { volid: configVolid(ctx.release, arch, rc), from: 'config' };
}
